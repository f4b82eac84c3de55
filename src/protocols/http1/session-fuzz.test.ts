// Seeded property tests. (a) Random valid conversations, cut at random points and interleaved in any causal
// order, must come back field for field (heads, bodies, trailers, sizes, times). (b) Garbage and corrupted
// streams must never throw, must keep the invariants, and must show up in the counters.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StreamRole } from '../contract.ts';
import { ScribbledPusher } from './fixtures/feed.ts';
import { expectedMessage, generateConversation, type GeneratedConversation } from './fixtures/message-generator.ts';
import { bytes, concat } from './fixtures/messages.ts';
import { SeededRandom } from '../../core/fixtures/seeded-random.ts';
import { Http1Session } from './session.ts';
import { DEFAULT_HTTP1_LIMITS, type Http1Exchange, type Http1Limits } from './types.ts';

interface Push {
  role: StreamRole;
  from: number;
  to: number;
  tsNs: number;
}

function pieces(rng: SeededRandom, length: number): Array<[number, number]> {
  const mode = rng.int(0, 9);
  const cuts = mode === 0 ? [] : mode === 1 ? rng.cuts(length, length) : rng.cuts(length, rng.int(1, 40));
  const out: Array<[number, number]> = [];
  let from = 0;
  for (const c of [...cuts, length]) {
    out.push([from, c]);
    from = c;
  }
  return out.filter(([a, b]) => b > a);
}

/**
 * Cuts both streams and interleaves the pieces at random, with one rule a real capture obeys: a response piece
 * comes after the first byte of every request it (partly) answers. tsNs is the push's position.
 */
function schedule(rng: SeededRandom, conv: GeneratedConversation): Push[] {
  const req = pieces(rng, conv.request.length);
  const res = pieces(rng, conv.response.length);
  const needRequestBytes = (responseEnd: number): number => {
    let need = 0;
    for (const e of conv.exchanges) if (e.responseStart < responseEnd) need = e.request.start + 1;
    return need;
  };
  const pushes: Push[] = [];
  let i = 0;
  let j = 0;
  let requestBytes = 0;
  while (i < req.length || j < res.length) {
    const canRes = j < res.length && needRequestBytes(res[j][1]) <= requestBytes;
    if (canRes && (i >= req.length || rng.chance(0.5))) {
      pushes.push({ role: 'response', from: res[j][0], to: res[j][1], tsNs: pushes.length + 1 });
      j++;
    } else {
      pushes.push({ role: 'request', from: req[i][0], to: req[i][1], tsNs: pushes.length + 1 });
      requestBytes = req[i][1];
      i++;
    }
  }
  return pushes;
}

function tsLookup(pushes: Push[], role: StreamRole): (offset: number) => number {
  const mine = pushes.filter((p) => p.role === role);
  return (offset) => {
    const p = mine.find((x) => offset >= x.from && offset < x.to);
    if (!p) throw new Error(`no push holds ${role} byte ${offset}`);
    return p.tsNs;
  };
}

function checkInvariants(exchanges: Http1Exchange[], limits: Http1Limits): void {
  for (const e of exchanges) {
    for (const m of [e.request, e.response]) {
      if (!m) continue;
      assert.ok(m.body.length <= limits.maxBodyBytes);
      assert.ok(m.body.length <= m.bodySize);
      assert.equal(m.bodyTruncated || m.body.length === m.bodySize, true);
      assert.ok(m.wireBytes >= (m.head as { headerBytes: number }).headerBytes);
      assert.ok(m.firstByteNs <= m.lastByteNs);
    }
  }
}

describe('property: random valid conversations round-trip exactly', () => {
  for (let seed = 1; seed <= 300; seed++) {
    test(`seed ${seed}`, () => {
      const rng = new SeededRandom(seed);
      const conv = generateConversation(rng, rng.int(1, 8));
      const limits: Http1Limits = {
        ...DEFAULT_HTTP1_LIMITS,
        maxBodyBytes: rng.pick([0, 100, 4096, DEFAULT_HTTP1_LIMITS.maxBodyBytes]),
      };
      const pushes = schedule(rng, conv);
      const session = new Http1Session(limits);
      const pusher = new ScribbledPusher(session);
      const got: Http1Exchange[] = [];
      for (const p of pushes) {
        const stream = p.role === 'request' ? conv.request : conv.response;
        pusher.push(p.role, stream.subarray(p.from, p.to), p.tsNs);
        got.push(...session.take());
      }
      const reqTs = tsLookup(pushes, 'request');
      const resTs = tsLookup(pushes, 'response');
      const expected = conv.exchanges.map((e): Http1Exchange => {
        const x: Http1Exchange = {
          request: expectedMessage(e.request, reqTs, limits.maxBodyBytes),
          response: expectedMessage(e.response, resTs, limits.maxBodyBytes),
        };
        if (e.informational.length > 0) x.informational = e.informational;
        return x;
      });
      assert.deepStrictEqual(got, expected);
      const informational = conv.exchanges.reduce((n, e) => n + e.informational.length, 0);
      assert.deepStrictEqual(session.stats, {
        messages: 2 * conv.exchanges.length + informational, invalid: 0, gapBytes: 0, resyncs: 0,
        orphanResponses: 0, droppedMessages: 0, skippedBytes: 0, unansweredRequests: 0,
      });
      session.end('request', pushes.length + 1);
      session.end('response', pushes.length + 1);
      assert.deepStrictEqual(session.take(), []);
      assert.equal(session.state, 'active');
    });
  }
});

/** Feeds `bytes` to one role in random pieces with random gaps; returns what came out. Must not throw. */
function feedChaos(rng: SeededRandom, session: Http1Session, role: StreamRole, data: Uint8Array, ts: number): void {
  for (const [a, b] of pieces(rng, data.length)) {
    if (rng.chance(0.05)) session.gap(role, rng.int(0, 50), ts);
    session.push(role, data.subarray(a, b), ts);
  }
}

function mutate(rng: SeededRandom, data: Uint8Array): Uint8Array {
  const out = Array.from(data);
  const n = rng.int(1, 8);
  for (let k = 0; k < n && out.length > 0; k++) {
    const at = rng.int(0, out.length - 1);
    const op = rng.int(0, 2);
    if (op === 0) out[at] = rng.int(0, 255);
    else if (op === 1) out.splice(at, rng.int(1, 20));
    else out.splice(at, 0, ...rng.bytes(rng.int(1, 20)));
  }
  return Uint8Array.from(out);
}

describe('fuzz: garbage and corrupted streams', () => {
  for (let seed = 1; seed <= 200; seed++) {
    test(`seed ${seed}`, () => {
      const rng = new SeededRandom(seed * 7919);
      const limits: Http1Limits = {
        maxHeaderBytes: rng.pick([256, 4096, 65536]),
        maxBodyBytes: rng.pick([0, 64, 1 << 20]),
        maxPendingExchanges: rng.pick([1, 4, 128]),
      };
      const session = new Http1Session(limits);
      const conv = generateConversation(rng, rng.int(1, 6));
      const kind = rng.int(0, 2);
      let request: Uint8Array;
      let response: Uint8Array;
      if (kind === 0) {
        request = rng.bytes(rng.int(1, 3000));
        response = rng.bytes(rng.int(1, 3000));
      } else if (kind === 1) {
        request = mutate(rng, conv.request);
        response = mutate(rng, conv.response);
      } else {
        // Valid bytes with garbage spliced in between messages.
        request = concat(conv.request, rng.bytes(rng.int(1, 200)), conv.request);
        response = concat(rng.bytes(rng.int(1, 200)), conv.response);
      }
      assert.doesNotThrow(() => {
        feedChaos(rng, session, 'request', request, 1);
        feedChaos(rng, session, 'response', response, 2);
        if (rng.chance(0.5)) session.flush();
        session.end('request', 3);
        session.end('response', 3);
      });
      const exchanges = session.take();
      checkInvariants(exchanges, limits);
      const s = session.stats;
      for (const v of Object.values(s)) assert.ok(Number.isInteger(v) && v >= 0);
      assert.ok(['active', 'failed', 'upgraded'].includes(session.state));
      if (kind === 0) assert.ok(s.skippedBytes + s.invalid > 0, 'garbage shows up in the counters');
    });
  }
});

describe('targeted corruption is always counted', () => {
  type Stats = Http1Session['stats'];
  /** Rewrites the request stream (or returns null when the corruption does not apply to it). */
  const replaceOrNull = (t: string, pattern: RegExp, by: string) => (pattern.test(t) ? t.replace(pattern, by) : null);
  const corruptions: Array<[string, (t: string) => string | null, (s: Stats) => boolean]> = [
    ['a NUL in a method', (t) => t.replace(/^(\r\n)?([A-Z]+) /, '$1$2\0 '), (s) => s.invalid >= 1 && s.droppedMessages >= 1],
    ['a letter in a Content-Length', (t) => replaceOrNull(t, /(content-length:[ \t]*)\d/i, '$1x'), (s) => s.invalid >= 1],
    // The first chunk-size line: after the Transfer-Encoding line, any further fields and the empty line.
    ['a bad chunk size', (t) => replaceOrNull(t, /(chunked\r?\n(?:[^\n]*\n)*?\r?\n)[0-9a-fA-F]+/, '$1zz'), (s) => s.invalid >= 1],
  ];
  for (const [name, corrupt, counted] of corruptions) {
    test(name, () => {
      let tried = 0;
      for (let seed = 1; tried < 40 && seed < 2000; seed++) {
        const rng = new SeededRandom(seed);
        const conv = generateConversation(rng, rng.int(1, 5));
        const original = Buffer.from(conv.request).toString('latin1');
        const changed = corrupt(original);
        if (changed === null || changed === original) continue;
        tried++;
        const session = new Http1Session();
        session.push('request', bytes(changed), 1);
        session.push('response', conv.response, 2);
        session.end('request', 3);
        session.end('response', 3);
        session.take();
        assert.ok(counted(session.stats), `seed ${seed}: ${JSON.stringify(session.stats)}`);
      }
      assert.ok(tried > 0);
    });
  }

  test('a gap inside a head drops the message and counts it', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const rng = new SeededRandom(seed);
      const conv = generateConversation(rng, rng.int(2, 5));
      const victim = conv.exchanges[rng.int(0, conv.exchanges.length - 1)].request;
      const at = victim.start + rng.int(1, victim.head.headerBytes - 2);
      const session = new Http1Session();
      session.push('request', conv.request.subarray(0, at), 1);
      session.gap('request', 1, 1);
      session.push('request', conv.request.subarray(at + 1), 1);
      session.end('request', 2);
      session.end('response', 2);
      const s = session.stats;
      assert.ok(s.droppedMessages >= 1 || victim.head.headerBytes - (at - victim.start) <= 2, `seed ${seed}`);
      assert.equal(s.gapBytes, 1);
    }
  });
});
