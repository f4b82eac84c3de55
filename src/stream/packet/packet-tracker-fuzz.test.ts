// Random segments straight into the tracker (any flags, any sequence numbers, HTTP fragments or noise, cut
// payloads), and a flood of connections that never fill their holes: nothing throws, and the table, the
// out-of-order queues and the heap stay within their bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { newTcpSegment, TcpFlag, type TcpSegment } from '../../capture/pcap/index.ts';
import { SeededRandom } from '../../core/fixtures/seeded-random.ts';
import { PacketTracker } from './packet-tracker.ts';

const enc = new TextEncoder();
const PIECES = [
  'GET /a HTTP/1.1\r\nHost: h\r\n\r\n', 'POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.1 101 Switching\r\nUpgrade: x\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', 'HTTP/1.0 204 No\r\n\r\n',
].map((s) => enc.encode(s));

function endpoint(seg: TcpSegment, r: SeededRandom, side: 'src' | 'dst', v6: boolean): void {
  const w = v6 ? [0x20010db8, 0, 0, r.int(1, 3)] : [0, 0, 0xffff, 0xc0000200 + r.int(1, 3)];
  if (side === 'src') [seg.src0, seg.src1, seg.src2, seg.src3, seg.srcPort] = [...w, r.pick([80, 40000, 40001])];
  else [seg.dst0, seg.dst1, seg.dst2, seg.dst3, seg.dstPort] = [...w, r.pick([80, 40000, 40001])];
}

test('random segments never throw; the tracker stays within its limits', () => {
  const { syn, ack, fin, rst, psh } = TcpFlag;
  for (let seed = 1; seed <= 30; seed++) {
    const r = new SeededRandom(seed);
    const limits = { maxQueuedBytesPerDirection: 4096, maxQueuedSegmentsPerDirection: 16, maxQueuedBytesTotal: 16384 };
    const tracker = new PacketTracker((ns) => ns / 1e6, { maxConnections: 8, idleNs: 1e9, reassembly: limits });
    const seg = newTcpSegment();
    const bases = [r.int(0, 2 ** 32 - 1), r.int(0, 2 ** 32 - 1)];
    let t = 0;
    for (let i = 0; i < 5000; i++) {
      const v6 = r.chance(0.3);
      seg.family = v6 ? 6 : 4;
      endpoint(seg, r, 'src', v6);
      endpoint(seg, r, 'dst', v6);
      seg.flags = r.chance(0.1) ? syn | (r.chance(0.5) ? ack : 0) : ack | (r.chance(0.05) ? fin : 0) | (r.chance(0.02) ? rst : 0) | psh;
      seg.seq = r.chance(0.8) ? (r.pick(bases) + r.int(-3000, 60000)) >>> 0 : r.int(0, 2 ** 32 - 1);
      seg.ack = r.chance(0.8) ? (r.pick(bases) + r.int(-3000, 60000)) >>> 0 : r.int(0, 2 ** 32 - 1);
      const piece = r.chance(0.8) ? r.pick(PIECES) : r.bytes(r.int(0, 300));
      const from = r.int(0, piece.length);
      const to = r.int(from, piece.length);
      seg.bytes = piece;
      seg.payloadOffset = from;
      seg.payloadLength = r.chance(0.9) ? to - from : to - from + r.int(1, 100);
      seg.payloadCaptured = r.chance(0.9) ? to - from : r.int(0, to - from);
      seg.tsNs = t += r.int(0, 50e6);
      tracker.onSegment(seg);
      tracker.drain();
      const s = tracker.status();
      assert.ok(s.openConnections <= 8 && s.queuedBytes <= limits.maxQueuedBytesTotal && s.queuedBytes >= 0, `seed ${seed} step ${i}: ${JSON.stringify(s)}`);
    }
    tracker.finishAll();
    tracker.drain();
    assert.equal(tracker.status().queuedBytes, 0, `seed ${seed}`);
  }
});

test('a flood of connections with unfilled holes and endless heads: table, queues and heap stay bounded', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const maxQueued = 1 << 20;
  const tracker = new PacketTracker((ns) => ns / 1e6, { maxConnections: 1000, reassembly: { maxQueuedBytesPerDirection: 64 << 10, maxQueuedSegmentsPerDirection: 64, maxQueuedBytesTotal: maxQueued } });
  const seg = newTcpSegment();
  const head = enc.encode(`GET /${'a'.repeat(900)} HTTP/1.1\r\nX-Long: ${'b'.repeat(100)}`); // never ends
  const hole = new Uint8Array(1400).fill(0x41);
  const heapAt = (): number => {
    gc();
    return process.memoryUsage().heapUsed;
  };
  let before = 0;
  for (let i = 0; i < 50_000; i++) {
    if (i === 5_000) before = heapAt();
    seg.family = 4;
    [seg.src0, seg.src1, seg.src2, seg.src3, seg.srcPort] = [0, 0, 0xffff, 0x0a000000 + (i >> 12), 1024 + (i & 0xfff)];
    [seg.dst0, seg.dst1, seg.dst2, seg.dst3, seg.dstPort] = [0, 0, 0xffff, 0xc6336401, 80];
    seg.tsNs = i * 1000;
    seg.flags = TcpFlag.ack | TcpFlag.psh;
    seg.seq = 1000;
    seg.bytes = head;
    seg.payloadOffset = 0;
    seg.payloadCaptured = seg.payloadLength = head.length;
    tracker.onSegment(seg);
    seg.seq = 1000 + head.length + 5000; // ahead of a hole that never fills
    seg.bytes = hole;
    seg.payloadCaptured = seg.payloadLength = hole.length;
    tracker.onSegment(seg);
    tracker.drain();
  }
  const s = tracker.status();
  assert.ok(s.openConnections <= 1000);
  assert.ok(s.queuedBytes <= maxQueued);
  assert.ok(s.connections.connectionsEvicted >= 49_000);
  assert.ok(s.reassembly.queueOverflows > 0);
  const grown = heapAt() - before;
  assert.ok(grown < 32 << 20, `heap grew ${grown >> 20} MiB over 45,000 more connections`);
});
