// Request heads (RFC 9112 §3): method SP request-target SP HTTP-version, then field lines.
import type { ParseResult } from '../contract.ts';
import {
  contentEnd, invalid, isTchar, latin1View, locateHead, LF,
  NEED_MORE, NEED_MORE_RESULT, parseFieldLines, SP, startLineAt, versionAt,
  type Invalid,
} from './head-lines.ts';
import { DEFAULT_HTTP1_LIMITS, type HeadLimits, type RequestHead } from './types.ts';

/**
 * Parses one request head from the front of `buf`. `consumed` (= headerBytes) covers any leading empty lines
 * and the empty line that ends the head; the body, if any, starts right after it.
 */
export function parseRequestHead(buf: Uint8Array, limits: HeadLimits = DEFAULT_HTTP1_LIMITS): ParseResult<RequestHead> {
  const end = locateHead(buf, 0, buf.length, limits.maxHeaderBytes);
  if (end === NEED_MORE) return NEED_MORE_RESULT;
  if (end < 0) return invalid('head exceeds maxHeaderBytes', limits.maxHeaderBytes);
  const head = readRequestHead(buf, 0, end);
  return 'kind' in head ? head : { kind: 'ok', frame: head, consumed: end };
}

/** Parses the complete head in [from, end), as located by locateHead. */
export function readRequestHead(buf: Uint8Array, from: number, end: number): RequestHead | Invalid {
  const start = startLineAt(buf, from, end);
  const lf = buf.indexOf(LF, start);
  const ce = contentEnd(buf, start, lf);
  let i = start;
  while (i < ce && isTchar(buf[i])) i++;
  if (i === start) return invalid('invalid method', start);
  if (i === ce || buf[i] !== SP) return invalid('invalid byte in method', i);
  const methodEnd = i++;
  const targetStart = i;
  // Any visible byte, obs-text included (lenient like llhttp); CTLs, DEL and whitespace end it.
  while (i < ce && buf[i] > SP && buf[i] !== 0x7f) i++;
  if (i === targetStart) return invalid('empty request-target', i);
  if (i === ce || buf[i] !== SP) return invalid('invalid byte in request-target', i);
  const targetEnd = i++;
  const version = versionAt(buf, i, ce);
  if (version === null || i + 8 !== ce) return invalid('unsupported or malformed HTTP version', i);
  const view = latin1View(buf);
  const headers = parseFieldLines(buf, view, lf + 1, end);
  if (!Array.isArray(headers)) return headers;
  return {
    method: view.latin1Slice(start, methodEnd),
    target: view.latin1Slice(targetStart, targetEnd),
    version,
    headers,
    headerBytes: end - from,
  };
}
