import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createRateLimitedLog } from './rate-limited-log.ts';
import { memoryLogger } from './test-support.ts';

it('logs a key at most once per interval, then says how many were held back', () => {
  const { log, lines } = memoryLogger('info');
  let now = 0;
  const logError = createRateLimitedLog(log, 'error', 1000, () => now);
  logError('a', { plugin: 'p' }, 'failed');
  logError('a', { plugin: 'p' }, 'failed');
  logError('b', { plugin: 'q' }, 'failed');
  now = 999;
  logError('a', { plugin: 'p' }, 'failed');
  now = 1000;
  logError('a', { plugin: 'p' }, 'failed');
  assert.deepEqual(lines, [
    { level: 50, plugin: 'p', msg: 'failed' },
    { level: 50, plugin: 'q', msg: 'failed' },
    { level: 50, plugin: 'p', suppressed: 2, msg: 'failed' },
  ]);
});
