// HPACK header block decoding (RFC 7541): one decoder per direction of a connection, holding that direction's
// dynamic table. Never throws: a malformed block is an error value, after which the connection's header
// state is unknown. A decoder that joined mid-connection does not know the older entries of the table: fields
// that refer to them are left out and the block is flagged incomplete, while the entries added from then on
// (always the newest) are learnt, so later blocks decode whole again as the table turns over.

import type { HeaderList } from '../../core/transaction.ts';
import { huffmanDecode } from './huffman.ts';
import { STATIC_TABLE } from './hpack-tables.ts';

const ENTRY_OVERHEAD = 32;
const STATIC_COUNT = STATIC_TABLE.length - 1;
const latin1 = new TextDecoder('latin1');

export type HpackResult = { ok: true; fields: HeaderList; incomplete: boolean } | { ok: false; error: string };

export class HpackDecoder {
  /** Newest first, as HPACK indexes it. */
  readonly #entries: Array<[string, string]> = [];
  #size = 0;
  #maxSize: number;
  /** The largest size a size update may set: the decoder's SETTINGS_HEADER_TABLE_SIZE. */
  #allowed: number;
  readonly #maxListBytes: number;
  /** Entries may exist that this decoder never saw (it joined mid-connection, or lost a block). */
  #unknownTail: boolean;

  constructor(opts: { maxTableBytes?: number; maxListBytes?: number; midStream?: boolean } = {}) {
    this.#maxSize = this.#allowed = opts.maxTableBytes ?? 4096;
    this.#maxListBytes = opts.maxListBytes ?? 64 * 1024;
    this.#unknownTail = opts.midStream === true;
  }

  get tableSize(): number {
    return this.#size;
  }

  get entries(): ReadonlyArray<readonly [string, string]> {
    return this.#entries;
  }

  /** The settings limit the encoder must respect (SETTINGS_HEADER_TABLE_SIZE, once acknowledged). */
  setAllowedSize(bytes: number): void {
    this.#allowed = bytes;
  }

  /** A block was lost: what it added to the table is unknown from now on. */
  lostBlock(): void {
    this.#unknownTail = true;
  }

  decode(b: Uint8Array): HpackResult {
    const fields: HeaderList = [];
    let incomplete = false;
    let listBytes = 0;
    let at = 0;
    const fail = (error: string): HpackResult => {
      this.#unknownTail = true; // the table may now differ from the encoder's
      return { ok: false, error };
    };
    while (at < b.length) {
      const first = b[at];
      if (first & 0x80) {
        const idx = readInt(b, at, 7);
        if (idx === undefined) return fail('truncated index');
        at = idx.next;
        if (idx.value === 0) return fail('index 0');
        const f = this.#lookup(idx.value);
        if (f === undefined) {
          if (!this.#unknownTail || idx.value > STATIC_COUNT + 65536) return fail(`index ${idx.value} is past the table`);
          incomplete = true;
          continue;
        }
        listBytes += f[0].length + f[1].length + ENTRY_OVERHEAD;
        fields.push([f[0], f[1]]);
      } else if ((first & 0xe0) === 0x20) {
        const size = readInt(b, at, 5);
        if (size === undefined) return fail('truncated table size update');
        at = size.next;
        if (size.value > this.#allowed) return fail(`table size update to ${size.value} exceeds the ${this.#allowed} allowed`);
        this.#maxSize = size.value;
        this.#evict(0);
      } else {
        const indexing = (first & 0xc0) === 0x40;
        const prefix = indexing ? 6 : 4;
        const nameIdx = readInt(b, at, prefix);
        if (nameIdx === undefined) return fail('truncated literal');
        at = nameIdx.next;
        let name: string | undefined;
        if (nameIdx.value === 0) {
          const s = readString(b, at);
          if (s === undefined) return fail('bad literal name');
          name = s.value;
          at = s.next;
        } else {
          name = this.#lookup(nameIdx.value)?.[0];
          if (name === undefined && !this.#unknownTail) return fail(`name index ${nameIdx.value} is past the table`);
        }
        const v = readString(b, at);
        if (v === undefined) return fail('bad literal value');
        at = v.next;
        if (name === undefined) {
          incomplete = true;
          if (indexing) this.#add('', v.value); // keeps later indexes right; the name is unknown
          continue;
        }
        listBytes += name.length + v.value.length + ENTRY_OVERHEAD;
        fields.push([name, v.value]);
        if (indexing) this.#add(name, v.value);
      }
      if (listBytes > this.#maxListBytes) return fail(`header list larger than ${this.#maxListBytes} bytes`);
    }
    return { ok: true, fields, incomplete };
  }

  #lookup(index: number): readonly [string, string] | undefined {
    if (index <= STATIC_COUNT) return STATIC_TABLE[index];
    return this.#entries[index - STATIC_COUNT - 1];
  }

  #add(name: string, value: string): void {
    const size = name.length + value.length + ENTRY_OVERHEAD;
    this.#evict(size);
    if (size > this.#maxSize) return; // an entry larger than the table empties it (§4.4)
    this.#entries.unshift([name, value]);
    this.#size += size;
  }

  #evict(incoming: number): void {
    while (this.#entries.length > 0 && this.#size + incoming > this.#maxSize) {
      const [n, v] = this.#entries.pop()!;
      this.#size -= n.length + v.length + ENTRY_OVERHEAD;
    }
  }
}

/** An HPACK integer with an N-bit prefix (§5.1), bounded to 2^28. */
export function readInt(b: Uint8Array, at: number, prefix: number): { value: number; next: number } | undefined {
  if (at >= b.length) return undefined;
  const mask = (1 << prefix) - 1;
  let value = b[at] & mask;
  at++;
  if (value < mask) return { value, next: at };
  for (let shift = 0; shift <= 21; shift += 7) {
    if (at >= b.length) return undefined;
    const byte = b[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: at };
  }
  return undefined;
}

function readString(b: Uint8Array, at: number): { value: string; next: number } | undefined {
  if (at >= b.length) return undefined;
  const huffman = (b[at] & 0x80) !== 0;
  const len = readInt(b, at, 7);
  if (len === undefined || len.next + len.value > b.length) return undefined;
  const end = len.next + len.value;
  const value = huffman ? huffmanDecode(b, len.next, end) : latin1.decode(b.subarray(len.next, end));
  return value === undefined ? undefined : { value, next: end };
}
