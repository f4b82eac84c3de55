import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuSeconds, parseCpuTicks, parsePeakRssKiB, peakRssKiB, statField } from './proc-stats.ts';

describe('/proc parsing', () => {
  it('utime + stime, even when comm holds spaces and parentheses', () => {
    const stat = '4242 (my (odd) comm) S 1 4242 4242 0 -1 4194560 1400 0 0 0 250 75 0 0 20 0 11 0 9000 0 0';
    assert.equal(parseCpuTicks(stat), 325);
    assert.equal(statField(stat, 3), 'S');
    assert.equal(statField(stat, 5), '4242');
  });

  it('VmHWM in KiB', () => {
    assert.equal(parsePeakRssKiB('Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t   51234 kB\nVmRSS:\t 50000 kB\n'), 51234);
    assert.throws(() => parsePeakRssKiB('Name:\tkthreadd\n'));
  });

  it('reads this process', () => {
    assert.ok(cpuSeconds(process.pid) > 0);
    assert.ok(peakRssKiB(process.pid) > 1024);
  });
});
