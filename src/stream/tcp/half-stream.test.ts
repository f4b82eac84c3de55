import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../core/fixtures/seeded-random.ts';
import { HalfStream, type HalfStreamSink } from './half-stream.ts';
import { DEFAULT_REASSEMBLY_LIMITS, newReassemblyCounters, type ReassemblyLimits } from './reassembly-counters.ts';

/** Records the stream as text, gaps as `<n>`, and checks offsets are contiguous. */
class Recorder implements HalfStreamSink {
  out = '';
  next = 0;
  data(_dir: number, offset: number, bytes: Uint8Array): void {
    assert.equal(offset, this.next);
    this.out += new TextDecoder().decode(bytes);
    this.next += bytes.length;
  }
  gap(_dir: number, offset: number, length: number): void {
    assert.equal(offset, this.next);
    this.out += `<${length}>`;
    this.next += length;
  }
}

function setup(limits: Partial<ReassemblyLimits> = {}, budgetMax = 1 << 30) {
  const rec = new Recorder();
  const counters = newReassemblyCounters();
  const budget = { used: 0, max: budgetMax };
  const half = new HalfStream(0, rec, counters, { ...DEFAULT_REASSEMBLY_LIMITS, ...limits }, budget);
  const enc = new TextEncoder();
  const seg = (seq: number, text: string, o: { syn?: boolean; fin?: boolean; cut?: number } = {}) => {
    const b = enc.encode(text);
    const captured = o.cut ?? b.length;
    half.segment(seq >>> 0, !!o.syn, !!o.fin, b, 0, captured, b.length, 0);
  };
  return { rec, counters, budget, half, seg };
}

test('in order after a SYN: bytes start after the ISN', () => {
  const { rec, half, seg } = setup();
  seg(100, '', { syn: true });
  seg(101, 'hello ');
  seg(107, 'world', { fin: true });
  assert.equal(rec.out, 'hello world');
  assert.equal(half.ended, true);
  assert.equal(half.isn, 100);
});

test('out of order, duplicated and overlapping segments come out once, in order', () => {
  const { rec, counters, seg } = setup();
  seg(0, '', { syn: true });
  seg(7, 'world');
  seg(7, 'world');
  seg(4, 'lo wor');
  seg(1, 'hel');
  seg(1, 'hel');
  assert.equal(rec.out, 'hello world');
  assert.equal(counters.outOfOrderSegments, 2);
  assert.equal(counters.retransmittedBytes, 5 + 3 + 3);
});

test('sequence numbers wrap around 2^32', () => {
  const { rec, seg } = setup();
  seg(0xfffffffd, '', { syn: true });
  seg(0xfffffffe, 'ab');
  seg(2, 'ef');
  seg(0, 'cd');
  seg(4, 'gh', { fin: true });
  assert.equal(rec.out, 'abcdefgh');
});

test('a hole the peer acknowledged is lost: a gap of its length, then what waited behind it', () => {
  const { rec, counters, half, seg } = setup();
  seg(0, '', { syn: true });
  seg(1, 'aaaa');
  seg(9, 'cccc');
  assert.equal(rec.out, 'aaaa');
  half.peerAck(13, 0);
  assert.equal(rec.out, 'aaaa<4>cccc');
  half.peerAck(17, 0); // and a lost tail with nothing queued
  assert.equal(rec.out, 'aaaa<4>cccc<4>');
  seg(5, 'bbbb'); // the retransmission after the fact is old news
  assert.deepEqual([counters.gaps, counters.gapBytes, counters.retransmittedBytes], [2, 8, 4]);
});

test('an acknowledgement at or behind the next byte, or absurdly far, is not a loss', () => {
  const { rec, half, seg } = setup();
  seg(0, '', { syn: true });
  seg(1, 'ab');
  half.peerAck(3, 0);
  half.peerAck(2, 0);
  half.peerAck(3 + 2 ** 31, 0);
  assert.equal(rec.out, 'ab');
});

test('a full queue gives up the oldest hole early (per direction and overall)', () => {
  for (const [limits, budget] of [[{ maxQueuedSegmentsPerDirection: 2 }, 1 << 30], [{ maxQueuedBytesPerDirection: 6 }, 1 << 30], [{}, 6]] as const) {
    const { rec, counters, budget: b, seg } = setup(limits, budget);
    seg(0, '', { syn: true });
    seg(3, 'bb'); // hole at 1..2
    seg(7, 'dd'); // hole at 5..6
    seg(11, 'ffff'); // no room: the first hole is given up
    assert.match(rec.out, /^<2>bb/);
    assert.ok(counters.queueOverflows >= 1);
    seg(5, 'cc');
    seg(9, 'ee');
    assert.ok(rec.out.endsWith('ffff') || rec.out.endsWith('ee'), rec.out);
    assert.ok(b.used <= budget);
  }
});

test('a payload cut by the snap length: the captured part, then a gap for the rest', () => {
  const { rec, seg } = setup();
  seg(0, '', { syn: true });
  seg(7, 'XXXXXX', { cut: 2 }); // queued with its lost tail
  seg(1, 'abcdef', { cut: 3 });
  seg(13, 'zz');
  assert.equal(rec.out, 'abc<3>XX<4>zz');
});

test('a FIN ahead of a hole waits for it; bytes after the FIN are counted, not delivered', () => {
  const { rec, counters, half, seg } = setup();
  seg(0, '', { syn: true });
  seg(4, 'def', { fin: true });
  assert.equal(half.ended, false);
  seg(1, 'abc');
  assert.equal(half.ended, true);
  seg(8, 'junk');
  seg(4, 'def', { fin: true });
  assert.equal(rec.out, 'abcdef');
  assert.deepEqual([counters.afterFinBytes, counters.retransmittedBytes], [4, 3]);
});

test('a stream joined late starts at its first segment with data; flush gives up every hole', () => {
  const { rec, half, seg, budget } = setup();
  half.segment(500, false, false, new Uint8Array(0), 0, 0, 0, 0); // a bare ACK does not anchor the stream
  seg(1000, 'abc');
  seg(1010, 'xyz');
  seg(1020, 'end');
  half.flush(0);
  assert.equal(rec.out, 'abc<7>xyz<7>end');
  assert.equal(budget.used, 0);
});

test('segments far outside the window are foreign, not a 2 GB gap', () => {
  const { rec, counters, seg } = setup();
  seg(0, '', { syn: true });
  seg(1, 'ok');
  seg(0x80000000, 'far');
  assert.equal(rec.out, 'ok');
  assert.equal(counters.outOfWindow, 1);
});

test('any order and repetition of the same segments gives the same stream (seeded)', () => {
  const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
  for (let seed = 1; seed <= 200; seed++) {
    const r = new SeededRandom(seed);
    const isn = r.int(0, 0xffffffff);
    const cuts = [0, ...r.cuts(text.length, r.int(1, 30)), text.length];
    const segs: Array<[number, string]> = [];
    for (let i = 0; i + 1 < cuts.length; i++) {
      // Overlapping retransmissions: a segment sometimes reaches back into the previous one.
      const from = i > 0 && r.chance(0.2) ? Math.max(0, cuts[i] - r.int(1, 5)) : cuts[i];
      segs.push([from, text.slice(from, cuts[i + 1])]);
      if (r.chance(0.2)) segs.push([cuts[i], text.slice(cuts[i], cuts[i + 1])]);
    }
    for (let i = segs.length - 1; i > 0; i--) {
      const j = r.int(0, i);
      [segs[i], segs[j]] = [segs[j], segs[i]];
    }
    const { rec, seg, budget } = setup();
    seg(isn, '', { syn: true });
    for (const [off, part] of segs) seg(isn + 1 + off, part);
    assert.equal(rec.out, text, `seed ${seed}`);
    assert.equal(budget.used, 0, `seed ${seed}`);
  }
});
