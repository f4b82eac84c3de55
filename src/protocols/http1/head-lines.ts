// Byte-level pieces shared by the request head, response head and chunked-trailer parsers: finding where a
// head ends, and turning field lines into a HeaderList. Strings are decoded once per field through a Buffer view
// (latin1, so every byte maps to one char and nothing is lost), never built char by char.
import type { HeaderList } from '../../core/transaction.ts';
import type { ParseResult } from '../contract.ts';
import { commonFieldName } from './field-names.ts';
import type { HttpVersion } from './types.ts';

export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;
export const HTAB = 0x09;
const COLON = 0x3a;

export type Invalid = Extract<ParseResult<never>, { kind: 'invalid' }>;

/** needMore carries no data, so one frozen value serves every parser. */
export const NEED_MORE_RESULT: ParseResult<never> = Object.freeze({ kind: 'needMore' });

export function invalid(reason: string, at: number): Invalid {
  return { kind: 'invalid', reason, at };
}

/** RFC 9110 §5.6.2 tchar: the only bytes allowed in methods and field names. */
const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") {
  TCHAR[c.charCodeAt(0)] = 1;
}

export function isTchar(byte: number): boolean {
  return TCHAR[byte] === 1;
}

/**
 * A Buffer over the same memory, for its native latin1 decoder; no bytes are copied. latin1Slice is what
 * toString('latin1', …) calls after its encoding lookup (undici calls it directly too); it is not in @types/node.
 */
export interface Latin1View extends Buffer {
  latin1Slice(start: number, end: number): string;
}

export function latin1View(buf: Uint8Array): Latin1View {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength) as Latin1View;
}

/**
 * Where the start line begins, skipping the empty lines RFC 9112 §2.2 says to ignore before a message
 * (clients send a stray CRLF after a body). -1 while everything in [from, len) is blank so far.
 */
export function startLineAt(buf: Uint8Array, from: number, len: number): number {
  let p = from;
  while (p < len) {
    const b = buf[p];
    if (b === LF) p++;
    else if (b === CR && p + 1 < len && buf[p + 1] === LF) p += 2;
    else if (b === CR && p + 1 === len) return -1;
    else return p;
  }
  return -1;
}

/**
 * Offset just past the empty line that ends a head, or -1. Hops from LF to LF with the native indexOf and
 * accepts both CRLF CRLF and bare-LF endings. `scanFrom` must not lie before the start line (see startLineAt);
 * a caller resuming after more bytes arrive may pass len - 2 of the previous attempt.
 */
export function findHeadEnd(buf: Uint8Array, scanFrom: number, len: number): number {
  let i = scanFrom;
  for (;;) {
    const j = buf.indexOf(LF, i);
    if (j < 0 || j >= len) return -1;
    if (j + 1 < len) {
      const next = buf[j + 1];
      if (next === LF) return j + 2;
      if (next === CR && j + 2 < len && buf[j + 2] === LF) return j + 3;
    }
    i = j + 1;
  }
}

/** End of the line's content: the LF at `lf`, or the CR just before it. */
export function contentEnd(buf: Uint8Array, from: number, lf: number): number {
  return lf > from && buf[lf - 1] === CR ? lf - 1 : lf;
}

/**
 * Field lines from `pos` up to and including the empty line that ends before `end`. Lenient where real
 * parsers are (bare LF, obs-fold joined with one space, DEL and obs-text in values), strict where smuggling
 * lives: no whitespace before the colon, no control bytes in names or values.
 */
export function parseFieldLines(buf: Uint8Array, view: Latin1View, pos: number, end: number): HeaderList | Invalid {
  const headers: HeaderList = [];
  let p = pos;
  while (p < end) {
    const lf = buf.indexOf(LF, p);
    if (lf < 0 || lf >= end) return invalid('field line without line ending', p);
    const ce = contentEnd(buf, p, lf);
    if (ce === p) return headers; // the empty line
    const first = buf[p];
    if (first === SP || first === HTAB) {
      // obs-fold (RFC 9112 §5.2): a continuation of the previous value.
      if (headers.length === 0) return invalid('continuation line before any field', p);
      const folded = parseValue(buf, view, p, ce);
      if (typeof folded !== 'string') return folded;
      const last = headers[headers.length - 1];
      if (folded.length > 0) last[1] = last[1].length > 0 ? `${last[1]} ${folded}` : folded;
      p = lf + 1;
      continue;
    }
    let i = p;
    while (i < ce && TCHAR[buf[i]] === 1) i++;
    if (i === p) return invalid('empty or invalid field name', p);
    if (i === ce || buf[i] !== COLON) return invalid('invalid byte in field name', i);
    const value = parseValue(buf, view, i + 1, ce);
    if (typeof value !== 'string') return value;
    headers.push([commonFieldName(buf, p, i) ?? view.latin1Slice(p, i), value]);
    p = lf + 1;
  }
  return invalid('head ends without an empty line', end);
}

function parseValue(buf: Uint8Array, view: Latin1View, from: number, to: number): string | Invalid {
  let s = from;
  while (s < to && (buf[s] === SP || buf[s] === HTAB)) s++;
  let e = to;
  while (e > s && (buf[e - 1] === SP || buf[e - 1] === HTAB)) e--;
  for (let k = s; k < e; k++) {
    const b = buf[k];
    if (b < SP && b !== HTAB) return invalid('control byte in field value', k);
  }
  return e > s ? view.latin1Slice(s, e) : '';
}

/** `HTTP/1.0` or `HTTP/1.1` at `at` (exactly 8 bytes), else null. Returns shared constants: no decoding. */
export function versionAt(buf: Uint8Array, at: number, end: number): HttpVersion | null {
  if (end - at < 8) return null;
  if (buf[at] !== 0x48 || buf[at + 1] !== 0x54 || buf[at + 2] !== 0x54 || buf[at + 3] !== 0x50) return null;
  if (buf[at + 4] !== 0x2f || buf[at + 5] !== 0x31 || buf[at + 6] !== 0x2e) return null;
  const minor = buf[at + 7];
  if (minor === 0x31) return 'HTTP/1.1';
  if (minor === 0x30) return 'HTTP/1.0';
  return null;
}

export const NEED_MORE = -1;
export const TOO_LARGE = -2;

/**
 * Locates a head at `from`: its end offset, or NEED_MORE, or TOO_LARGE when no complete head fits within
 * maxHeaderBytes. The limit applies to the whole head, so the verdict does not depend on how bytes were split;
 * the search never looks past the limit, so a large body behind a head costs nothing here.
 */
export function locateHead(buf: Uint8Array, from: number, len: number, maxHeaderBytes: number): number {
  const limit = Math.min(len, from + maxHeaderBytes);
  const start = startLineAt(buf, from, limit);
  const end = start < 0 ? -1 : findHeadEnd(buf, start, limit);
  if (end < 0) return len - from >= maxHeaderBytes ? TOO_LARGE : NEED_MORE;
  return end;
}
