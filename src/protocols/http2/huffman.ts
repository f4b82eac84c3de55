// HPACK's Huffman code (RFC 7541 §5.2, Appendix B), decoded four bits at a time: a state machine built once at
// module load from the code table, where a state is a node of the code tree and each nibble leads to the next
// state and emits at most one symbol (no code is shorter than 5 bits). Decoding is two table reads per byte.

import { HUFFMAN_CODES, HUFFMAN_LENGTHS } from './hpack-tables.ts';

const EOS = 256;
const FAIL = 1;
const EMIT = 2;

// Per (state * 16 + nibble): next state, the symbol emitted, and flags.
const nextState = new Uint16Array(256 * 16);
const emitted = new Uint8Array(256 * 16);
const flags = new Uint8Array(256 * 16);
/** States where the input may end: the root, or a path of at most seven 1 bits (the padding). */
const accepting = new Uint8Array(256);

(function build(): void {
  // The code tree: node 0 is the root; children[2n + bit]; a leaf is stored as -(symbol + 1).
  const children = new Int32Array(512 * 2);
  let nodes = 1;
  const lengths = [...HUFFMAN_LENGTHS, 30];
  const codes = [...HUFFMAN_CODES, 0x3fffffff];
  for (let sym = 0; sym <= EOS; sym++) {
    let n = 0;
    for (let i = lengths[sym] - 1; i >= 0; i--) {
      const bit = (codes[sym] >>> i) & 1;
      const at = 2 * n + bit;
      if (i === 0) children[at] = -(sym + 1);
      else {
        if (children[at] === 0) children[at] = nodes++;
        n = children[at];
      }
    }
  }
  // Depth and "all ones so far" of each internal node, for the accepting states.
  const depth = new Int32Array(nodes);
  const ones = new Uint8Array(nodes);
  ones[0] = 1;
  for (let n = 0; n < nodes; n++) {
    for (let bit = 0; bit < 2; bit++) {
      const c = children[2 * n + bit];
      if (c > 0) {
        depth[c] = depth[n] + 1;
        ones[c] = ones[n] && bit === 1 ? 1 : 0;
      }
    }
  }
  for (let n = 0; n < nodes; n++) accepting[n] = n === 0 || (ones[n] === 1 && depth[n] <= 7) ? 1 : 0;
  for (let state = 0; state < nodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let n = state;
      let f = 0;
      let sym = 0;
      for (let i = 3; i >= 0; i--) {
        const c = children[2 * n + ((nibble >>> i) & 1)];
        if (c < 0) {
          const s = -c - 1;
          if (s === EOS) {
            f |= FAIL;
            break;
          }
          f |= EMIT;
          sym = s;
          n = 0;
        } else n = c;
      }
      const k = state * 16 + nibble;
      nextState[k] = n;
      emitted[k] = sym;
      flags[k] = f;
    }
  }
})();

const latin1 = new TextDecoder('latin1');
let scratch = new Uint8Array(256);

/** The decoded string (latin1), or undefined for an invalid code (EOS inside, or bad padding). */
export function huffmanDecode(bytes: Uint8Array, start: number, end: number): string | undefined {
  // Codes are at least 5 bits: the output is at most 8/5 of the input.
  const max = Math.ceil(((end - start) * 8) / 5);
  if (scratch.length < max) scratch = new Uint8Array(Math.max(max, scratch.length * 2));
  const out = scratch;
  let o = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    let k = state * 16 + (b >>> 4);
    if (flags[k] & FAIL) return undefined;
    if (flags[k] & EMIT) out[o++] = emitted[k];
    state = nextState[k];
    k = state * 16 + (b & 15);
    if (flags[k] & FAIL) return undefined;
    if (flags[k] & EMIT) out[o++] = emitted[k];
    state = nextState[k];
  }
  if (!accepting[state]) return undefined;
  return latin1.decode(out.subarray(0, o));
}
