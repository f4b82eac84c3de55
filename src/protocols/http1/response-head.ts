// Response heads (RFC 9112 §4): HTTP-version SP 3DIGIT SP [reason-phrase], then field lines.
import type { ParseResult } from '../contract.ts';
import {
  contentEnd, HTAB, invalid, latin1View, locateHead, LF,
  NEED_MORE, NEED_MORE_RESULT, parseFieldLines, SP, startLineAt, versionAt,
  type Invalid,
} from './head-lines.ts';
import { DEFAULT_HTTP1_LIMITS, type HeadLimits, type ResponseHead } from './types.ts';

/** Parses one response head from the front of `buf`; `consumed` (= headerBytes) ends where the body starts. */
export function parseResponseHead(
  buf: Uint8Array,
  limits: HeadLimits = DEFAULT_HTTP1_LIMITS,
): ParseResult<ResponseHead> {
  const end = locateHead(buf, 0, buf.length, limits.maxHeaderBytes);
  if (end === NEED_MORE) return NEED_MORE_RESULT;
  if (end < 0) return invalid('head exceeds maxHeaderBytes', limits.maxHeaderBytes);
  const head = readResponseHead(buf, 0, end);
  return 'kind' in head ? head : { kind: 'ok', frame: head, consumed: end };
}

function digit(b: number): number {
  const d = b - 0x30;
  return d >= 0 && d <= 9 ? d : -1;
}

/** Parses the complete head in [from, end), as located by locateHead. */
export function readResponseHead(buf: Uint8Array, from: number, end: number): ResponseHead | Invalid {
  const start = startLineAt(buf, from, end);
  const lf = buf.indexOf(LF, start);
  const ce = contentEnd(buf, start, lf);
  const version = versionAt(buf, start, ce);
  if (version === null) return invalid('unsupported or malformed HTTP version', start);
  let i = start + 8;
  if (i === ce || buf[i] !== SP) return invalid('expected space after version', i);
  i++;
  const d0 = i < ce ? digit(buf[i]) : -1;
  const d1 = i + 1 < ce ? digit(buf[i + 1]) : -1;
  const d2 = i + 2 < ce ? digit(buf[i + 2]) : -1;
  if (d0 < 1 || d1 < 0 || d2 < 0) return invalid('status code is not three digits', i);
  const status = d0 * 100 + d1 * 10 + d2;
  i += 3;
  // The reason phrase and even its leading space may be missing; servers do send "HTTP/1.1 200\r\n".
  let reasonStart = ce;
  if (i < ce) {
    if (buf[i] !== SP) return invalid('expected space after status code', i);
    reasonStart = i + 1;
    for (let k = reasonStart; k < ce; k++) {
      const b = buf[k];
      if (b < SP && b !== HTAB) return invalid('control byte in reason phrase', k);
    }
  }
  const view = latin1View(buf);
  const headers = parseFieldLines(buf, view, lf + 1, end);
  if (!Array.isArray(headers)) return headers;
  return {
    version,
    status,
    reason: reasonStart < ce ? view.latin1Slice(reasonStart, ce) : '',
    headers,
    headerBytes: end - from,
  };
}
