import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDurationUs, parseWrkOutput } from './wrk.ts';

// Captured from wrk 4.1.0 on this machine kind.
const WRK_OK = `Running 1s test @ https://127.0.0.1:35867/1k
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   305.12us  497.54us   7.26ms   96.34%
    Req/Sec    64.72k    20.97k   92.51k    70.00%
  Latency Distribution
     50%  195.00us
     75%  301.00us
     90%  339.00us
     99%    3.26ms
  64259 requests in 1.00s, 78.32MB read
Requests/sec:  64131.57
Transfer/sec:     78.16MB
`;

const WRK_ERRORS = `Running 1s test @ https://127.0.0.1:35867/missing
  1 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   180.83us  137.51us   6.41ms   98.28%
    Req/Sec    89.31k     5.76k   97.57k    63.64%
  Latency Distribution
     50%  165.00us
     75%  183.00us
     90%  221.00us
     99%    1.02s
  97352 requests in 1.10m, 28.60MB read
  Socket errors: connect 0, read 3, write 0, timeout 2
  Non-2xx or 3xx responses: 97352
Requests/sec:  88514.21
Transfer/sec:     26.00MB
`;

describe('wrk report parsing', () => {
  it('reads requests, duration, req/s and the 50%/99% latencies', () => {
    assert.deepEqual(parseWrkOutput(WRK_OK), {
      requests: 64259,
      seconds: 1,
      reqPerSec: 64131.57,
      p50Us: 195,
      p99Us: 3260,
      errors: 0,
    });
  });

  it('counts socket errors and non-2xx responses; converts s and m', () => {
    const r = parseWrkOutput(WRK_ERRORS);
    assert.equal(r.errors, 97352 + 5);
    assert.equal(r.p99Us, 1.02e6);
    assert.ok(Math.abs(r.seconds - 66) < 1e-9);
  });

  it('a report without a latency distribution is an error that quotes it', () => {
    assert.throws(() => parseWrkOutput(WRK_OK.replace(/^\s+99%.*$/m, '')), /no 99% latency:\nRunning 1s test/);
  });

  it('duration units', () => {
    assert.equal(parseDurationUs('274.00us'), 274);
    assert.equal(parseDurationUs('1.5ms'), 1500);
    assert.equal(parseDurationUs('2.00s'), 2e6);
    assert.equal(parseDurationUs('1.00m'), 60e6);
    assert.throws(() => parseDurationUs('12 parsecs'));
  });
});
