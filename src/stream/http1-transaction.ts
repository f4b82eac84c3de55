// An HTTP/1 exchange plus what the tracker knows of its connection → the Transaction record.
import type { Http1Exchange } from '../protocols/http1/index.ts';
import type { Direction, HeaderList, NetEndpoint, ProcessContext, TlsLibrary, Transaction } from '../core/transaction.ts';

export interface ConnectionFacts {
  id: string;
  connectionId: string;
  direction: Direction;
  /** The bytes this process sends are requests (it is the client). */
  sendsRequests: boolean;
  local?: NetEndpoint;
  remote?: NetEndpoint;
  tlsLibrary?: TlsLibrary;
  /** The server name of the connection's TLS ClientHello. */
  sni?: string;
  /** The name a DNS lookup of this process's host gave the remote address (egress). */
  dnsName?: string | undefined;
  process?: ProcessContext;
  /** CLOCK_MONOTONIC ns → Unix ms. */
  wallMs(tsNs: number): number;
}

export function header(headers: HeaderList, lowerName: string): string | undefined {
  for (const [name, value] of headers) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return value;
  }
  return undefined;
}

/** "host:port" or "[v6]:port" → the host part. */
export function hostOnly(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end > 0 ? authority.slice(1, end) : authority;
  }
  const colon = authority.indexOf(':');
  return colon >= 0 && authority.indexOf(':', colon + 1) < 0 ? authority.slice(0, colon) : authority;
}

export function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q >= 0 ? target.slice(0, q) : target;
}

/** What the connection says about every transaction on it: addresses, TLS, DNS name, process. */
export function addConnectionFacts(tx: Transaction, c: ConnectionFacts): void {
  if (c.local) tx.local = c.local;
  if (c.remote) tx.remote = c.remote;
  if (c.tlsLibrary) tx.tlsLibrary = c.tlsLibrary;
  if (c.sni !== undefined) tx.tls = { sni: c.sni };
  if (c.dnsName !== undefined) tx.dnsName = c.dnsName;
  if (c.process) tx.process = c.process;
}

export function toTransaction(ex: Http1Exchange, c: ConnectionFacts): Transaction {
  const req = ex.request;
  const res = ex.response;
  const scheme = c.tlsLibrary ? 'https' : 'http';
  const hostHeader = header(req.head.headers, 'host');
  const remote = c.remote;
  let authority = hostHeader;
  if (!authority && remote) {
    // The server's address: for an ingress transaction that is our local end.
    const server = c.sendsRequests ? remote : c.local ?? remote;
    authority = server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
  }
  authority ??= 'unknown';
  const target = req.head.target;
  let url: string;
  let path: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    url = target; // absolute form (proxy requests)
    try {
      path = new URL(target).pathname;
    } catch {
      path = target;
    }
  } else {
    url = req.head.method === 'CONNECT' || target === '*' ? `${scheme}://${authority}` : `${scheme}://${authority}${target}`;
    path = req.head.method === 'CONNECT' ? '' : pathOf(target);
  }
  const start = c.wallMs(req.firstByteNs);
  const end = c.wallMs(res ? res.lastByteNs : req.lastByteNs);
  const reqWire = req.wireBytes;
  const resWire = res ? res.wireBytes : 0;
  const gap = req.gapBytes + (res ? res.gapBytes : 0);

  const tx: Transaction = {
    id: c.id,
    connectionId: c.connectionId,
    startTime: start,
    endTime: end,
    durationMs: Math.max(0, end - start),
    direction: c.direction,
    host: hostOnly(authority),
    scheme,
    protocol: 'http1',
    request: {
      method: req.head.method,
      url,
      target,
      path,
      version: req.head.version,
      headers: req.head.headers,
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
      status: res.head.status,
      reason: res.head.reason,
      version: res.head.version,
      headers: res.head.headers,
      body: res.body,
      bodySize: res.bodySize,
      bodyTruncated: res.bodyTruncated,
    };
    if (res.trailers) tx.response.trailers = res.trailers;
  }
  if (ex.upgraded) tx.upgraded = true;
  if (gap > 0) tx.gapBytes = gap;
  if (!req.complete || (res && !res.complete)) tx.incomplete = true;
  return tx;
}
