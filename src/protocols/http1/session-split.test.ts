// Pixie's split-at-arbitrary-points discipline: however the capture cuts the bytes, the exchanges and the
// counters must be exactly those of unsplit pushes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everySplit, feedSteps } from './fixtures/feed.ts';
import { bytes, concat, CONVERSATIONS, GET_SIMPLE, RESP_200_CL } from './fixtures/messages.ts';
import { Http1Session } from './session.ts';

describe('every conversation, split at every byte offset', () => {
  for (const c of CONVERSATIONS) {
    test(c.name, () => {
      const reference = feedSteps(c.steps, { end: c.end });
      assert.ok(reference.exchanges.length > 0);
      assert.equal(reference.stats.invalid, 0);
      assert.equal(reference.stats.droppedMessages, 0);
      let runs = 0;
      for (const { label, cut } of everySplit(c.steps)) {
        const r = feedSteps(c.steps, { cut, end: c.end });
        assert.deepStrictEqual(r, reference, label);
        runs++;
      }
      assert.ok(runs > c.steps.length);
    });
  }
});

describe('large heads split into many pushes', () => {
  const cookie = 'k'.repeat(40_000);
  const big = bytes(`GET /big HTTP/1.1\r\nHost: example.com\r\nCookie: ${cookie}\r\nX-After: 1\r\n\r\n`);

  for (const size of [1, 7, 997, 4096, 16_384]) {
    test(`a ${big.length}-byte head in ${size}-byte pushes`, () => {
      const s = new Http1Session();
      const stream = concat(big, GET_SIMPLE);
      for (let i = 0; i < stream.length; i += size) s.push('request', stream.subarray(i, i + size), 1);
      s.push('response', concat(RESP_200_CL, RESP_200_CL), 2);
      const ex = s.take();
      assert.deepEqual(ex.map((e) => e.request.head.target), ['/big', '/index.html']);
      assert.equal(ex[0].request.head.headers[1][1], cookie);
      assert.equal(ex[0].request.wireBytes, big.length);
      assert.equal(s.stats.skippedBytes, 0);
    });
  }
});
