import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseH2loadLog, parseH2loadSummary, percentile } from './h2load.ts';

// Captured from h2load 1.52.0 (--h1 -c16 --rps 125 -D 2 --warm-up-time=1): the elapsed time includes the
// warm-up, the req/s does not.
const SUMMARY = `finished in 3.00s, 2000.00 req/s, 2.44MB/s
requests: 4000 total, 4001 started, 4000 done, 3998 succeeded, 1 failed, 1 errored, 0 timeout
status codes: 4000 2xx, 0 3xx, 0 4xx, 0 5xx
`;

describe('h2load parsing', () => {
  it('summary: req/s as printed (main phase only), succeeded, failed + errored', () => {
    assert.deepEqual(parseH2loadSummary(SUMMARY), { reqPerSec: 2000, succeeded: 3998, failed: 2 });
    assert.throws(() => parseH2loadSummary('starting benchmark...\n'), /no summary/);
  });

  it('log: per-request durations and non-2xx statuses', () => {
    const log = parseH2loadLog('1795459764815362\t200\t6256\n1795459764815801\t503\t5861\n1795459764816184\t200\t84\n');
    assert.deepEqual([...log.durationsUs], [6256, 5861, 84]);
    assert.equal(log.non2xx, 1);
  });

  it('nearest-rank percentiles', () => {
    const samples = Float64Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    assert.equal(percentile(samples, 0.5), 50);
    assert.equal(percentile(samples, 0.99), 99);
    assert.equal(percentile(samples, 1), 100);
    assert.equal(percentile(Float64Array.of(7), 0.99), 7);
    assert.ok(Number.isNaN(percentile(new Float64Array(0), 0.5)));
    assert.equal(samples[0], 100, 'the input is not sorted in place');
  });
});
