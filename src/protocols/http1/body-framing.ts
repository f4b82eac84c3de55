// How long a message body is (RFC 9112 §6.3), decided from the head alone (plus the request method for
// responses). Names are compared by length first, then case-insensitively without allocating (undici's habit).
import type { HeaderList } from '../../core/transaction.ts';
import type { RequestHead, ResponseHead } from './types.ts';

export type BodyFraming =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** The body runs until the sender closes the connection (responses only). */
  | { kind: 'close' }
  /** The connection switches protocols after this head: nothing more is HTTP/1. */
  | { kind: 'upgrade' }
  | { kind: 'invalid'; reason: string };

const NONE: BodyFraming = Object.freeze({ kind: 'none' });
const CHUNKED: BodyFraming = Object.freeze({ kind: 'chunked' });
const CLOSE: BodyFraming = Object.freeze({ kind: 'close' });
const UPGRADE: BodyFraming = Object.freeze({ kind: 'upgrade' });

/** `name` equals `lower` (all lowercase letters, digits and '-') ignoring ASCII case. */
export function nameIs(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    // Names are tchar-only, so OR-ing 0x20 folds exactly the letters and leaves '-' and digits alone.
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** `value[from, to)` equals `lower` ignoring ASCII case. */
function sliceIs(value: string, from: number, to: number, lower: string): boolean {
  if (to - from !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if ((value.charCodeAt(from + i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Walks the elements of a comma-separated field value (RFC 9110 §5.6.1): [start, end) of each, OWS trimmed. */
class ListElements {
  start = 0;
  end = 0;
  private readonly value: string;
  private next = 0;

  constructor(value: string) {
    this.value = value;
  }

  /** Moves to the next element, which may be empty ("a,,b"); false after the last. */
  advance(): boolean {
    const v = this.value;
    if (this.next > v.length) return false;
    let e = v.indexOf(',', this.next);
    if (e < 0) e = v.length;
    let a = this.next;
    let b = e;
    while (a < b && isOws(v.charCodeAt(a))) a++;
    while (b > a && isOws(v.charCodeAt(b - 1))) b--;
    this.start = a;
    this.end = b;
    this.next = e + 1;
    return true;
  }
}

export function hasHeader(headers: HeaderList, name: string): boolean {
  for (const [n] of headers) if (nameIs(n, name)) return true;
  return false;
}

const MAX_SAFE_DIGITS = 15; // 10^15 < 2^53: any value with more digits is rejected, not rounded.

/**
 * The Content-Length all CL fields agree on; -1 when there is none; NaN when one is malformed or they
 * disagree (RFC 9112 §6.3 item 5: a recipient must treat that as unrecoverable). "42, 42" is accepted.
 */
export function contentLength(headers: HeaderList): number {
  let length = -1;
  for (const [n, v] of headers) {
    if (!nameIs(n, 'content-length')) continue;
    const list = new ListElements(v);
    while (list.advance()) {
      const { start, end } = list;
      if (end === start || end - start > MAX_SAFE_DIGITS) return NaN;
      let value = 0;
      for (let i = start; i < end; i++) {
        const d = v.charCodeAt(i) - 0x30;
        if (d < 0 || d > 9) return NaN;
        value = value * 10 + d;
      }
      if (length >= 0 && value !== length) return NaN;
      length = value;
    }
  }
  return length;
}

/**
 * -1: no Transfer-Encoding; 1: chunked is the final coding; 0: present but chunked is not last. Codings
 * accumulate across repeated fields, so only the last non-empty element of all of them counts.
 */
function chunkedFinal(headers: HeaderList): -1 | 0 | 1 {
  let result: -1 | 0 | 1 = -1;
  for (const [n, v] of headers) {
    if (!nameIs(n, 'transfer-encoding')) continue;
    if (result === -1) result = 0; // even an empty value says "this message is transfer-coded"
    const list = new ListElements(v);
    while (list.advance()) {
      let end = list.end;
      const semi = v.indexOf(';', list.start);
      if (semi >= 0 && semi < end) end = semi; // a coding's parameters do not change its name
      while (end > list.start && isOws(v.charCodeAt(end - 1))) end--;
      if (end > list.start) result = sliceIs(v, list.start, end, 'chunked') ? 1 : 0;
    }
  }
  return result;
}

/** Shared tail of both rules: Transfer-Encoding wins over Content-Length (§6.3 item 3). */
function lengthFraming(headers: HeaderList, isRequest: boolean): BodyFraming {
  const te = chunkedFinal(headers);
  if (te === 1) return CHUNKED;
  if (te === 0) return isRequest ? { kind: 'invalid', reason: 'request transfer-coding is not chunked' } : CLOSE;
  const cl = contentLength(headers);
  if (Number.isNaN(cl)) return { kind: 'invalid', reason: 'invalid or conflicting Content-Length' };
  if (cl > 0) return { kind: 'length', length: cl };
  if (cl === 0) return NONE;
  return isRequest ? NONE : CLOSE; // §6.3 items 6 and 8
}

export function requestFraming(head: RequestHead): BodyFraming {
  return lengthFraming(head.headers, true);
}

/**
 * `requestMethod` is the method of the request this response answers, or null when unknown (an orphan is
 * framed as if it answered a GET). 1xx other than 101 have no body and are followed by the real response.
 */
export function responseFraming(head: ResponseHead, requestMethod: string | null): BodyFraming {
  const status = head.status;
  if (status === 101) return UPGRADE;
  if (requestMethod === 'CONNECT' && status >= 200 && status < 300) return UPGRADE;
  if (status < 200 || status === 204 || status === 304 || requestMethod === 'HEAD') return NONE;
  return lengthFraming(head.headers, false);
}

/**
 * A request after which the client may stop speaking HTTP/1: CONNECT, or one asking to Upgrade. Bytes after it
 * are held until the response says whether the switch happened.
 */
export function mayUpgrade(head: RequestHead): boolean {
  return head.method === 'CONNECT' || hasHeader(head.headers, 'upgrade');
}
