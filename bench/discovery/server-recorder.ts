// An in-process transaction source: Transactions built from what a node:http server saw of each exchange
// (request line, raw headers and body; status, headers and body written), as the agent would report an ingress
// exchange. It listens ahead of the application's own request handler and wraps the response's write/end.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { HeaderList, Transaction } from '../../src/core/transaction.ts';

function rawHeaders(req: IncomingMessage): HeaderList {
  const out: HeaderList = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return out;
}

/** Headers set with setHeader, then those given to writeHead (which Node does not keep for getHeaders). */
function responseHeaders(res: ServerResponse, written: unknown): HeaderList {
  const out: HeaderList = [];
  for (const [name, v] of Object.entries(res.getHeaders())) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push([name, String(one)]);
  }
  if (Array.isArray(written)) {
    for (let i = 0; i + 1 < written.length; i += 2) out.push([String(written[i]), String(written[i + 1])]);
  } else if (typeof written === 'object' && written !== null) {
    for (const [name, v] of Object.entries(written)) for (const one of Array.isArray(v) ? v : [v]) out.push([name, String(one)]);
  }
  return out;
}

function chunkBytes(chunk: unknown, encoding?: unknown): Buffer | undefined {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (typeof chunk === 'string') return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return Buffer.from(chunk as Uint8Array);
}

/** Calls `onTransaction` for every exchange `server` completes; returns a function that stops recording. */
export function recordServer(server: Server, onTransaction: (tx: Transaction) => void): () => void {
  let n = 0;
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const start = Date.now();
    const t0 = performance.now();
    const reqChunks: Buffer[] = [];
    const resChunks: Buffer[] = [];
    req.on('data', (c: Buffer) => reqChunks.push(c));
    let written: unknown;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      written = typeof rest[0] === 'string' ? rest[1] : rest[0];
      return writeHead(status, ...rest);
    }) as ServerResponse['writeHead'];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      const b = chunkBytes(chunk, rest[0]);
      if (b !== undefined) resChunks.push(b);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      const b = chunkBytes(chunk, rest[0]);
      if (b !== undefined) resChunks.push(b);
      return end(chunk, ...rest);
    }) as ServerResponse['end'];
    res.on('finish', () => {
      const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
      const target = req.url ?? '/';
      const q = target.indexOf('?');
      const reqBody = Buffer.concat(reqChunks);
      const resBody = Buffer.concat(resChunks);
      const duration = performance.now() - t0;
      onTransaction({
        id: `rec-${++n}`,
        connectionId: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        startTime: start,
        endTime: start + duration,
        durationMs: duration,
        direction: 'ingress',
        local: { address: req.socket.localAddress ?? '', port: req.socket.localPort ?? 0 },
        remote: { address: req.socket.remoteAddress ?? '', port: req.socket.remotePort ?? 0 },
        host: host.replace(/:\d+$/, ''),
        scheme: 'http',
        protocol: 'http1',
        request: {
          method: req.method ?? 'GET',
          url: `http://${host}${target}`,
          target,
          path: q < 0 ? target : target.slice(0, q),
          version: `HTTP/${req.httpVersion}`,
          headers: rawHeaders(req),
          body: new Uint8Array(reqBody),
          bodySize: reqBody.byteLength,
          bodyTruncated: false,
        },
        response: {
          status: res.statusCode,
          reason: res.statusMessage,
          version: `HTTP/${req.httpVersion}`,
          headers: responseHeaders(res, written),
          body: new Uint8Array(resBody),
          bodySize: resBody.byteLength,
          bodyTruncated: false,
        },
        bytesSent: resBody.byteLength,
        bytesReceived: reqBody.byteLength,
      });
    });
  };
  server.prependListener('request', listener);
  return () => server.off('request', listener);
}
