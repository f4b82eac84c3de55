// A large, realistic-looking capture for the read benchmark: many concurrent keep-alive connections to a few
// API servers, requests with typical headers, JSON responses of a few hundred bytes to a few KiB (some chunked,
// some spanning several segments), ACKs, handshakes and closes — written to disk in chunks, never held whole.
import { closeSync, openSync, writeSync } from 'node:fs';
import { LinkType } from '../../src/capture/pcap/index.ts';
import { frame, ipPacket, type Endpoint } from '../../src/capture/pcap/fixtures/frames.ts';
import { TcpFlag } from '../../src/capture/pcap/index.ts';
import { SeededRandom } from '../../src/core/fixtures/seeded-random.ts';

export interface SyntheticOptions {
  transactions: number;
  /** Connections open at once (their packets interleave). */
  concurrency: number;
  /** Exchanges per connection before it closes. */
  perConnection: number;
  seed: number;
  /**
   * json: API-style JSON bodies of 0.1–2 KiB (tshark also dissects the JSON); text: 1 KiB text/plain bodies,
   * like the nginx benchmark behind tshark's 17–18k transactions/s anchor in kernel-notes.md.
   */
  bodies: 'json' | 'text';
}

export interface SyntheticResult {
  transactions: number;
  packets: number;
  bytes: number;
  /** Responses by status, to compare with what each reader reports. */
  statuses: Record<number, number>;
}

const enc = new TextEncoder();
const { syn: SYN, ack: ACK, psh: PSH, fin: FIN } = TcpFlag;
const MSS = 1448;
const PATHS = ['/api/v1/users/{id}', '/api/v1/orders/{id}/items', '/api/v2/products?page={id}', '/health', '/api/v1/search?q=item{id}'];
const STATUSES = [200, 200, 200, 200, 200, 201, 204, 304, 404, 500];

interface Conn {
  client: Endpoint;
  server: Endpoint;
  cSeq: number;
  sSeq: number;
  left: number;
  state: 'new' | 'open';
}

class ChunkedWriter {
  private readonly fd: number;
  private buf = new Uint8Array(8 << 20);
  private view = new DataView(this.buf.buffer);
  private at = 0;
  bytes = 0;
  packets = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
    const h = new DataView(new ArrayBuffer(24));
    h.setUint32(0, 0xa1b2c3d4, true);
    h.setUint16(4, 2, true);
    h.setUint16(6, 4, true);
    h.setUint32(16, 262144, true);
    h.setUint32(20, LinkType.ethernet, true);
    this.write(new Uint8Array(h.buffer));
  }

  packet(tsUs: number, data: Uint8Array): void {
    if (this.at + 16 + data.length > this.buf.length) this.flush();
    const v = this.view;
    v.setUint32(this.at, Math.floor(tsUs / 1e6), true);
    v.setUint32(this.at + 4, tsUs % 1e6, true);
    v.setUint32(this.at + 8, data.length, true);
    v.setUint32(this.at + 12, data.length, true);
    this.buf.set(data, this.at + 16);
    this.at += 16 + data.length;
    this.packets++;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private write(b: Uint8Array): void {
    writeSync(this.fd, b);
    this.bytes += b.length;
  }

  private flush(): void {
    this.write(this.buf.subarray(0, this.at));
    this.at = 0;
  }
}

const TEXT_BODY = 'x'.repeat(1024);

function response(r: SeededRandom, status: number, bodies: SyntheticOptions['bodies']): Uint8Array {
  let body = TEXT_BODY;
  if (bodies === 'json') {
    const items = r.int(1, 40);
    body = '[';
    for (let i = 0; i < items; i++) body += `${i ? ',' : ''}{"id":${r.int(1, 1e6)},"name":"item-${r.string('abcdefghij', 8)}","price":${r.int(1, 9999) / 100}}`;
    body += ']';
  }
  if (status === 204 || status === 304) body = '';
  const type = bodies === 'json' ? 'application/json' : 'text/plain';
  const common = `HTTP/1.1 ${status} X\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nServer: nginx/1.25.3\r\nContent-Type: ${type}\r\nX-Request-Id: ${r.string('0123456789abcdef', 16)}\r\n`;
  if (body && r.chance(0.2)) {
    const half = body.length >> 1;
    const chunk = (s: string) => `${s.length.toString(16)}\r\n${s}\r\n`;
    return enc.encode(`${common}Transfer-Encoding: chunked\r\n\r\n${chunk(body.slice(0, half))}${chunk(body.slice(half))}0\r\n\r\n`);
  }
  return enc.encode(`${common}Content-Length: ${body.length}\r\n\r\n${body}`);
}

function request(r: SeededRandom, host: string): Uint8Array {
  const path = r.pick(PATHS).replace('{id}', String(r.int(1, 99999)));
  const post = r.chance(0.15);
  const body = post ? `{"name":"${r.string('abcdefghij', 12)}","qty":${r.int(1, 9)}}` : '';
  return enc.encode(
    `${post ? 'POST' : 'GET'} ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: bench-client/1.0\r\nAccept: application/json\r\n` +
      `Authorization: Bearer ${r.string('abcdefghijklmnopqrstuvwxyz0123456789', 32)}\r\n` +
      (post ? `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n` : '') +
      `\r\n${body}`,
  );
}

/** Writes the capture to `path` (Ethernet, microsecond pcap) and says what is in it. */
export function writeSyntheticPcap(path: string, o: SyntheticOptions): SyntheticResult {
  const r = new SeededRandom(o.seed);
  const w = new ChunkedWriter(path);
  const statuses: Record<number, number> = {};
  let tsUs = 1_700_000_000_000_000;
  // Linux's ephemeral range: lower client ports collide with ports tshark gives to other dissectors (10288 is
  // BEEP's), and it would not read those connections as HTTP at all.
  let clientPort = 32768;
  let started = 0;
  let done = 0;
  const send = (c: Conn, fromClient: boolean, flags: number, payload?: Uint8Array) => {
    const [src, dst] = fromClient ? [c.client, c.server] : [c.server, c.client];
    const seq = fromClient ? c.cSeq : c.sSeq;
    const ack = fromClient ? c.sSeq : c.cSeq;
    w.packet((tsUs += r.int(1, 40)), frame(LinkType.ethernet, ipPacket({ src, dst, seq, ack, flags, payload })));
  };
  const data = (c: Conn, fromClient: boolean, bytes: Uint8Array) => {
    // tshark 4.0 calls a chunked response malformed when its final CRLF arrives alone in the last segment;
    // senders write the last chunk whole, so the segments here end no less than 8 bytes from the message end.
    const tail = bytes.length % MSS;
    const mss = tail > 0 && tail < 8 && bytes.length > MSS ? MSS - 8 : MSS;
    for (let at = 0; at < bytes.length; at += mss) {
      const part = bytes.subarray(at, Math.min(at + mss, bytes.length));
      send(c, fromClient, ACK | PSH, part);
      if (fromClient) c.cSeq = (c.cSeq + part.length) >>> 0;
      else c.sSeq = (c.sSeq + part.length) >>> 0;
    }
    send(c, !fromClient, ACK);
  };
  const newConn = (): Conn => {
    if (clientPort > 60999) clientPort = 32768;
    const server = { ip: `198.51.100.${r.int(1, 4)}`, port: r.pick([80, 8080, 8088]) };
    const count = Math.min(o.perConnection, o.transactions - started);
    started += count;
    return { client: { ip: `192.0.2.${r.int(1, 250)}`, port: clientPort++ }, server, cSeq: r.int(0, 0xffffffff), sSeq: r.int(0, 0xffffffff), left: count, state: 'new' };
  };
  const conns: Conn[] = [];
  while (done < o.transactions) {
    while (conns.length < o.concurrency && started < o.transactions) conns.push(newConn());
    const i = r.int(0, conns.length - 1);
    const c = conns[i];
    if (c.state === 'new') {
      send(c, true, SYN);
      c.cSeq = (c.cSeq + 1) >>> 0;
      send(c, false, SYN | ACK);
      c.sSeq = (c.sSeq + 1) >>> 0;
      send(c, true, ACK);
      c.state = 'open';
      continue;
    }
    const status = r.pick(STATUSES);
    statuses[status] = (statuses[status] ?? 0) + 1;
    data(c, true, request(r, `${c.server.ip}:${c.server.port}`));
    data(c, false, response(r, status, o.bodies));
    done++;
    if (--c.left === 0) {
      send(c, true, FIN | ACK);
      c.cSeq = (c.cSeq + 1) >>> 0;
      send(c, false, FIN | ACK);
      c.sSeq = (c.sSeq + 1) >>> 0;
      send(c, true, ACK);
      conns.splice(i, 1);
    }
  }
  w.close();
  return { transactions: done, packets: w.packets, bytes: w.bytes, statuses };
}
