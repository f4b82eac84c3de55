// h2c by HTTP/1.1 Upgrade (RFC 7540 §3.2): the request that asked for the switch is stream 1 of the HTTP/2
// connection that follows, and its response arrives as HTTP/2. This turns that HTTP/1 exchange into the
// request HTTP/2 parsing starts from.
import type { Http1Exchange } from '../protocols/http1/index.ts';
import type { Http2Message } from '../protocols/http2/index.ts';

/** Fields that only concern the HTTP/1.1 hop and the switch itself. */
const HOP_BY_HOP = new Set(['connection', 'upgrade', 'http2-settings', 'host', 'keep-alive', 'transfer-encoding']);

/** True when the exchange switched to h2c (a 101 whose Upgrade is h2c). */
export function switchedToH2c(ex: Http1Exchange): boolean {
  if (!ex.upgraded || ex.response?.head.status !== 101) return false;
  return ex.response.head.headers.some(([n, v]) => n.toLowerCase() === 'upgrade' && v.trim().toLowerCase() === 'h2c');
}

export function upgradedRequest(ex: Http1Exchange): Http2Message {
  const req = ex.request;
  const host = req.head.headers.find(([n]) => n.toLowerCase() === 'host')?.[1];
  return {
    headers: req.head.headers.filter(([n]) => !HOP_BY_HOP.has(n.toLowerCase())).map(([n, v]) => [n.toLowerCase(), v]),
    pseudo: { method: req.head.method, scheme: 'http', path: req.head.target, ...(host === undefined ? {} : { authority: host }) },
    body: req.body,
    bodySize: req.bodySize,
    bodyTruncated: req.bodyTruncated,
    wireBytes: req.wireBytes,
    firstByteNs: req.firstByteNs,
    lastByteNs: req.lastByteNs,
    gapBytes: req.gapBytes,
    complete: true,
  };
}
