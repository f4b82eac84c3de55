// Test-only: real HTTP/2 connections between Node's own http2 client and server on 127.0.0.1, through a relay
// that records each direction's bytes, so that tests feed the parser what real peers sent.
import * as http2 from 'node:http2';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface Recording {
  request: Buffer;
  response: Buffer;
}

export interface RecordedCall {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

/** Runs `drive` with a connected client session; returns what crossed the relay in each direction. */
export async function recordHttp2(
  handler: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  drive: (client: http2.ClientHttp2Session) => Promise<void>,
): Promise<Recording> {
  const server = http2.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const serverPort = (server.address() as AddressInfo).port;
  const up: Buffer[] = [];
  const down: Buffer[] = [];
  const sockets: Socket[] = [];
  const relay = createServer((client) => {
    const target = connect(serverPort, '127.0.0.1');
    sockets.push(client, target);
    client.on('data', (d) => {
      up.push(d);
      target.write(d);
    });
    target.on('data', (d) => {
      down.push(d);
      client.write(d);
    });
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const relayPort = (relay.address() as AddressInfo).port;
  const session = http2.connect(`http://127.0.0.1:${relayPort}`);
  try {
    await drive(session);
  } finally {
    await new Promise<void>((resolve) => session.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => relay.close(resolve));
    await new Promise((resolve) => server.close(resolve));
  }
  return { request: Buffer.concat(up), response: Buffer.concat(down) };
}

/** One request on a session: its status, headers, body and trailers as the client saw them. */
export function call(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: Buffer,
): Promise<{ status: number; body: Buffer; trailers: http2.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers, { endStream: body === undefined });
    const chunks: Buffer[] = [];
    let status = 0;
    let trailers: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => resolve({ status, body: Buffer.concat(chunks), trailers }));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
  });
}
