// An HTTP/2 exchange (one stream) plus what the tracker knows of its connection → the Transaction record.
// gRPC calls also get their service, method, status and message counts.
import type { Transaction } from '../core/transaction.ts';
import { grpcMessages, grpcMethod, grpcStatus, isGrpc } from '../protocols/grpc/index.ts';
import type { Http2Exchange } from '../protocols/http2/index.ts';
import { addConnectionFacts, header, hostOnly, pathOf, type ConnectionFacts } from './http1-transaction.ts';

export function http2Transaction(ex: Http2Exchange, c: ConnectionFacts): Transaction {
  const req = ex.request;
  const res = ex.response;
  const scheme = req.pseudo.scheme === 'http' || req.pseudo.scheme === 'https' ? req.pseudo.scheme : c.tlsLibrary ? 'https' : 'http';
  let authority = req.pseudo.authority ?? header(req.headers, 'host');
  const server = c.sendsRequests ? c.remote : c.local ?? c.remote;
  if (authority === undefined && server) authority = server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
  authority ??= 'unknown';
  const target = req.pseudo.path ?? (req.pseudo.method === 'CONNECT' ? '' : '/');
  const start = c.wallMs(req.firstByteNs);
  const end = c.wallMs(res ? res.lastByteNs : req.lastByteNs);
  const reqWire = req.wireBytes;
  const resWire = res ? res.wireBytes : 0;
  const tx: Transaction = {
    id: c.id,
    connectionId: c.connectionId,
    startTime: start,
    endTime: end,
    durationMs: Math.max(0, end - start),
    direction: c.direction,
    host: hostOnly(authority),
    scheme,
    protocol: 'http2',
    request: {
      method: req.pseudo.method ?? '',
      url: `${scheme}://${authority}${target}`,
      target,
      path: pathOf(target),
      version: 'HTTP/2',
      headers: req.headers,
      body: req.body,
      bodySize: req.bodySize,
      bodyTruncated: req.bodyTruncated,
    },
    bytesSent: c.sendsRequests ? reqWire : resWire,
    bytesReceived: c.sendsRequests ? resWire : reqWire,
  };
  if (req.trailers) tx.request.trailers = req.trailers;
  addConnectionFacts(tx, c);
  if (res) {
    tx.response = {
      status: res.pseudo.status ?? 0,
      reason: '',
      version: 'HTTP/2',
      headers: res.headers,
      body: res.body,
      bodySize: res.bodySize,
      bodyTruncated: res.bodyTruncated,
    };
    if (res.trailers) tx.response.trailers = res.trailers;
  }
  if (ex.reset) tx.streamReset = { by: ex.reset.by === 'request' ? 'client' : 'server', error: ex.reset.errorName };
  if (ex.headersIncomplete) tx.headersIncomplete = true;
  const gap = req.gapBytes + (res ? res.gapBytes : 0);
  if (gap > 0) tx.gapBytes = gap;
  if (!req.complete || !res || !res.complete) tx.incomplete = true;
  const method = isGrpc(header(req.headers, 'content-type')) ? grpcMethod(req.pseudo.path) : undefined;
  if (method) {
    // Trailers-only responses carry the status in the headers.
    const status = grpcStatus(res?.trailers) ?? grpcStatus(res?.headers);
    tx.grpc = {
      ...method,
      ...(status === undefined ? {} : { status: status.code, statusName: status.name, ...(status.message === undefined ? {} : { message: status.message }) }),
      requestMessages: grpcMessages(req.body, req.bodyTruncated).messages.length,
      responseMessages: res ? grpcMessages(res.body, res.bodyTruncated).messages.length : 0,
    };
  }
  return tx;
}
