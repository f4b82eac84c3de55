import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../../capture/pcap/index.ts';
import { interleave, TcpConversation, toFrames, type TimedSegment } from '../../capture/pcap/fixtures/tcp-conversation.ts';
import { replay, summary } from './fixtures/replay.ts';

const client = { ip: '192.0.2.10', port: 51000 };
const server = { ip: '198.51.100.20', port: 8080 };

const req = (path: string) => `GET ${path} HTTP/1.1\r\nHost: api.example\r\nUser-Agent: t\r\n\r\n`;
const res = (status: number, body: string) => `HTTP/1.1 ${status} X\r\nContent-Length: ${body.length}\r\nContent-Type: text/plain\r\n\r\n${body}`;

function conversation(o: { clientIsn?: number; serverIsn?: number; mss?: number; n?: number; from?: typeof client; to?: typeof server; startNs?: bigint } = {}) {
  const c = new TcpConversation(o.from ?? client, o.to ?? server, { mss: o.mss ?? 1460, clientIsn: o.clientIsn, serverIsn: o.serverIsn, startNs: o.startNs }).handshake();
  for (let i = 1; i <= (o.n ?? 3); i++) c.exchange(req(`/items/${i}`), res(i === 2 ? 404 : 200, `body-${i}-`.repeat(40)));
  return c.close();
}

const clean = ['GET /items/1 -> 200', 'GET /items/2 -> 404', 'GET /items/3 -> 200'];

test('a clean keep-alive connection: every exchange, reported from the server side', () => {
  const c = conversation();
  const { transactions: txs, tracker } = replay(toFrames(c.segments, LinkType.ethernet), LinkType.ethernet);
  assert.deepEqual(summary(txs), clean);
  const t = txs[0];
  assert.equal(t.direction, 'ingress');
  assert.deepEqual(t.local, { address: '198.51.100.20', port: 8080 });
  assert.deepEqual(t.remote, { address: '192.0.2.10', port: 51000 });
  assert.equal(t.request.url, 'http://api.example/items/1');
  assert.equal(t.startTime, Number(c.segments[3].tsNs / 1_000_000n));
  assert.equal(t.response?.bodySize, 'body-1-'.length * 40);
  assert.equal(t.gapBytes, undefined);
  const s = tracker.status();
  assert.deepEqual([s.connections.connectionsOpened, s.connections.connectionsClosed, s.openConnections, s.connections.segmentsWithoutConnection], [1, 1, 0, 1]);
});

test('reordered and duplicated segments within each direction give the same transactions', () => {
  const c = conversation({ mss: 50 });
  const segs = [...c.segments];
  // Swap neighbours of the same direction and repeat some, as a lossy network with retransmissions would.
  for (let i = 4; i + 3 < segs.length; i += 5) {
    if (segs[i].src === segs[i + 2].src) [segs[i], segs[i + 2]] = [segs[i + 2], segs[i]];
    segs.splice(i + 1, 0, segs[i]);
  }
  const { transactions, tracker } = replay(toFrames(segs, LinkType.ethernet), LinkType.ethernet);
  assert.deepEqual(summary(transactions), clean);
  const r = tracker.status().reassembly;
  assert.ok(r.outOfOrderSegments > 0 && r.retransmittedBytes > 0, JSON.stringify(r));
  assert.equal(r.gapBytes, 0);
});

test('sequence numbers wrapping in the middle of a message', () => {
  const c = conversation({ clientIsn: 0xffffff00, serverIsn: 0xfffffff0, mss: 64 });
  assert.deepEqual(summary(replay(toFrames(c.segments, LinkType.raw), LinkType.raw).transactions), clean);
});

test('a lost body segment: the exchange is kept with its gap counted; a lost request head: that exchange is skipped, the next ones parse', () => {
  const c = conversation({ mss: 100 });
  const bodySeg = c.segments.findIndex((s) => s.src === server && new TextDecoder().decode(s.payload ?? new Uint8Array()).startsWith('body-1-'));
  const lostBody = c.segments.filter((_, i) => i !== bodySeg);
  const a = replay(toFrames(lostBody, LinkType.ethernet), LinkType.ethernet);
  assert.deepEqual(summary(a.transactions), clean);
  assert.equal(a.transactions[0].gapBytes, 100);
  assert.equal(a.tracker.status().reassembly.gapBytes, 100);

  const headSeg = c.segments.findIndex((s) => s.src === client && new TextDecoder().decode(s.payload ?? new Uint8Array()).startsWith('GET /items/2'));
  const b = replay(toFrames(c.segments.filter((_, i) => i !== headSeg), LinkType.ethernet), LinkType.ethernet);
  assert.deepEqual(summary(b.transactions), ['GET /items/1 -> 200', 'GET /items/3 -> 200']);
  assert.ok(b.tracker.status().parser.orphanResponses >= 1);
});

test('a lost head end before a body without a newline: the next response is found at its segment start', () => {
  const c = new TcpConversation(client, server, { mss: 60 }).handshake();
  for (let i = 0; i < 4; i++) c.exchange(req(`/r/${i}`), res(200, `json${i}`.repeat(40)));
  const segs = c.close().segments;
  const text = (s: TimedSegment) => new TextDecoder().decode(s.payload ?? new Uint8Array());
  const lost = segs.findIndex((s) => s.src === server && text(s).includes('\r\n\r\njson1'));
  const { transactions, tracker } = replay(toFrames(segs.filter((_, i) => i !== lost), LinkType.raw), LinkType.raw);
  assert.deepEqual(summary(transactions), ['GET /r/0 -> 200', 'GET /r/1 -> -', 'GET /r/2 -> 200', 'GET /r/3 -> 200']);
  assert.equal(tracker.status().parser.resyncs, 1);
});

test('a connection joined in the middle: what follows the first message start is parsed', () => {
  const c = conversation({ mss: 60 });
  const firstReq3 = c.segments.findIndex((s) => new TextDecoder().decode(s.payload ?? new Uint8Array()).startsWith('GET /items/2'));
  const { transactions } = replay(toFrames(c.segments.slice(firstReq3 - 3), LinkType.ethernet), LinkType.ethernet);
  assert.deepEqual(summary(transactions), ['GET /items/2 -> 404', 'GET /items/3 -> 200']);
});

test('RST ends the connection; a request without its response is reported unanswered', () => {
  const c = new TcpConversation(client, server).handshake().exchange(req('/a'), res(200, 'ok')).send('client', req('/b')).reset('server');
  const { transactions, tracker } = replay(toFrames(c.segments, LinkType.ethernet), LinkType.ethernet);
  assert.deepEqual(summary(transactions), ['GET /a -> 200', 'GET /b -> -']);
  const s = tracker.status().connections;
  assert.deepEqual([s.connectionsReset, s.unanswered], [1, 1]);
});

test('IPv6 with VLAN tags on SLL2, and on plain Ethernet with QinQ', () => {
  const c = conversation({ from: { ip: '2001:db8::10', port: 40000 }, to: { ip: '2001:db8::20', port: 80 } });
  for (const [link, vlans] of [[LinkType.linuxSll2, [7]], [LinkType.ethernet, [100, 200]]] as const) {
    const txs = replay(toFrames(c.segments, link, { vlans: [...vlans] }), link).transactions;
    assert.deepEqual(summary(txs), clean);
    assert.deepEqual(txs[0].local, { address: '2001:db8::20', port: 80 });
  }
});

test('a new SYN on a tuple in use starts a new connection', () => {
  const first = conversation({ n: 1 });
  const again = new TcpConversation(client, server, { clientIsn: 777777, startNs: first.segments.at(-1)!.tsNs + 1000n }).handshake().exchange(req('/again'), res(201, 'x'));
  // The first connection's last FIN/ACK is lost, so it is still open when the tuple is reused.
  const segs = [...first.segments.slice(0, -2), ...again.segments];
  const { transactions, tracker } = replay(toFrames(segs, LinkType.raw), LinkType.raw);
  assert.deepEqual(summary(transactions), ['GET /items/1 -> 200', 'GET /again -> 201']);
  assert.equal(tracker.status().connections.connectionsReused, 1);
});

test('idle connections expire by packet time; a full table evicts the idlest', () => {
  const a = conversation({ n: 1, from: { ip: '192.0.2.1', port: 1000 } }).segments.slice(0, -3); // never closed
  const late = new TcpConversation({ ip: '192.0.2.2', port: 2000 }, server, { startNs: a[0].tsNs + 10_000_000_000n }).handshake().exchange(req('/late'), res(200, 'x')).close().segments;
  const r = replay(toFrames(interleave(a, late), LinkType.raw), LinkType.raw, { idleNs: 5e9 });
  assert.deepEqual(summary(r.transactions), ['GET /items/1 -> 200', 'GET /late -> 200']);
  assert.equal(r.tracker.status().connections.connectionsExpired, 1);

  const many: TimedSegment[][] = [];
  for (let i = 0; i < 5; i++) many.push(conversation({ n: 1, from: { ip: '192.0.2.1', port: 3000 + i }, startNs: 1_700_000_000_000_000_000n + BigInt(i) * 1000n }).segments);
  const e = replay(toFrames(interleave(...many), LinkType.raw), LinkType.raw, { maxConnections: 2 });
  assert.ok(e.tracker.status().connections.connectionsEvicted >= 3);
  assert.ok(e.tracker.status().openConnections <= 2);
});

test('port forwarding through NAT: the view with the port the app listens on is reported, once', () => {
  const outer = conversation({ to: { ip: '203.0.113.5', port: 8080 }, clientIsn: 4242, serverIsn: 9191 });
  const inner = conversation({ from: { ip: '10.0.0.1', port: 51000 }, to: { ip: '10.0.0.2', port: 80 }, clientIsn: 4242, serverIsn: 9191, startNs: outer.segments[0].tsNs + 10_000n });
  const { transactions, tracker } = replay(toFrames(interleave(outer.segments, inner.segments), LinkType.linuxSll2), LinkType.linuxSll2);
  assert.deepEqual(summary(transactions), clean);
  assert.ok(transactions.every((t) => t.local?.port === 80));
  assert.equal(tracker.status().connections.natDuplicateConnections, 1);

  // The same ISNs seconds apart are two connections of a stack that does not randomise them: both reported.
  const later = conversation({ from: { ip: '10.0.0.1', port: 51000 }, to: { ip: '10.0.0.2', port: 80 }, clientIsn: 4242, serverIsn: 9191, startNs: outer.segments[0].tsNs + 5_000_000_000n });
  const both = replay(toFrames(interleave(outer.segments, later.segments), LinkType.linuxSll2), LinkType.linuxSll2);
  assert.equal(both.transactions.length, 6);
  assert.equal(both.tracker.status().connections.natDuplicateConnections, 0);
});

test('connections that are not HTTP/1 stop being reassembled; an upgrade stops parsing after the 101', () => {
  const tls = new TcpConversation(client, { ip: server.ip, port: 443 }).handshake();
  for (let i = 0; i < 60; i++) tls.send('client', new Uint8Array(1400).fill(0x17)).send('server', new Uint8Array(1400).fill(0x17));
  const ws = new TcpConversation({ ip: client.ip, port: 52000 }, server).handshake()
    .exchange('GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')
    .send('server', 'GET /not-http HTTP/1.1\r\n\r\n').close();
  const { transactions, tracker } = replay(toFrames(interleave(tls.close().segments, ws.segments), LinkType.raw), LinkType.raw);
  assert.deepEqual(summary(transactions), ['GET /ws -> 101']);
  assert.equal(transactions[0].upgraded, true);
  const s = tracker.status();
  assert.ok(s.notHttpBytes > 64 * 1024 && s.connections.unparsedBytes > 0, JSON.stringify(s));
});
