import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveCapabilities, missingCapabilities } from './preflight.ts';

test('root capabilities need nothing more', () => {
  assert.deepEqual(missingCapabilities(effectiveCapabilities('Name:\tx\nCapEff:\t000001fffeffffff\n')), []);
});

test('an unprivileged process is told every capability it lacks', () => {
  assert.deepEqual(missingCapabilities(effectiveCapabilities('CapEff:\t0000000000000000\n')), ['CAP_BPF', 'CAP_PERFMON', 'CAP_SYS_ADMIN']);
});

test('a status without CapEff counts as no capabilities', () => {
  assert.equal(effectiveCapabilities('Name:\tx\n'), 0n);
});
