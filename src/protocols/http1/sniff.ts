// Recognizing the first bytes of an HTTP/1.x message: used by the connection tracker to pick a protocol and
// by the session to find the next message start after it lost sync.
import type { StreamRole } from '../contract.ts';
import { LF } from './head-lines.ts';

/**
 * Methods that start a request when resyncing or sniffing: RFC 9110's, PATCH, WebDAV (RFC 4918, 3253, 3744,
 * 4791, 5323, 5842) and PURGE (caches). The head parser itself accepts any token as a method.
 */
const METHODS = [
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'REPORT', 'MKCALENDAR',
  'MKACTIVITY', 'CHECKOUT', 'MERGE', 'ACL', 'BIND', 'UNBIND', 'REBIND', 'PURGE',
] as const;

const METHOD_BYTES: Uint8Array[] = METHODS.map((m) => Uint8Array.from(`${m} `, (c) => c.charCodeAt(0)));
/** First bytes of any method: most non-request bytes are rejected with one table lookup. */
const METHOD_FIRST = new Uint8Array(256);
for (const m of METHOD_BYTES) METHOD_FIRST[m[0]] = 1;
const HTTP_PREFIX = Uint8Array.from('HTTP/1.', (c) => c.charCodeAt(0));

export const StartMatch = { no: 0, yes: 1, maybe: 2 } as const;
export type StartMatch = (typeof StartMatch)[keyof typeof StartMatch];

/** Bytes in [at, len) against `pattern`: yes when it is a prefix of them, maybe when they are a prefix of it. */
function matchPrefix(buf: Uint8Array, at: number, len: number, pattern: Uint8Array): StartMatch {
  const n = Math.min(len - at, pattern.length);
  for (let k = 0; k < n; k++) if (buf[at + k] !== pattern[k]) return StartMatch.no;
  return n === pattern.length ? StartMatch.yes : StartMatch.maybe;
}

/**
 * Whether a message of `role` starts at `at`: a known method + SP for requests, "HTTP/1." for responses.
 * `maybe` when the bytes end before that can be decided (they are a prefix of a match).
 */
export function matchMessageStart(buf: Uint8Array, at: number, len: number, role: StreamRole): StartMatch {
  if (at >= len) return StartMatch.maybe;
  if (role === 'response') return matchPrefix(buf, at, len, HTTP_PREFIX);
  if (METHOD_FIRST[buf[at]] !== 1) return StartMatch.no;
  let result: StartMatch = StartMatch.no;
  for (const m of METHOD_BYTES) {
    const r = matchPrefix(buf, at, len, m);
    if (r === StartMatch.yes) return r;
    if (r === StartMatch.maybe) result = r;
  }
  return result;
}

/**
 * The first offset in [pos, len) that starts a line (follows an LF, or is `pos` itself when `atLineStart`) and
 * where a message of `role` starts or may start (matchMessageStart yes or maybe); -1 when there is none.
 * The resync scan: it hops from LF to LF with the native indexOf and rejects most lines on their first byte.
 */
export function findMessageStart(
  buf: Uint8Array,
  pos: number,
  len: number,
  role: StreamRole,
  atLineStart: boolean,
): number {
  let p = pos;
  if (!atLineStart) {
    const lf = buf.indexOf(LF, p);
    if (lf < 0 || lf >= len) return -1;
    p = lf + 1;
  }
  while (p < len) {
    if (matchMessageStart(buf, p, len, role) !== StartMatch.no) return p;
    const lf = buf.indexOf(LF, p);
    if (lf < 0 || lf >= len) return -1;
    p = lf + 1;
  }
  return -1;
}

/**
 * The role of a stream from its first bytes, or null. Null also when the bytes are too short to decide but
 * could still become a match ("GE", "HTTP/"): the caller keeps the bytes and asks again once more arrive.
 */
export function sniffHttp1(bytes: Uint8Array): StreamRole | null {
  if (matchMessageStart(bytes, 0, bytes.length, 'response') === StartMatch.yes) return 'response';
  if (matchMessageStart(bytes, 0, bytes.length, 'request') === StartMatch.yes) return 'request';
  return null;
}
