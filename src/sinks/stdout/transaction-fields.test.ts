import { test } from 'node:test';
import assert from 'node:assert/strict';
import { transactionTime } from './transaction-fields.ts';
import { getJsonTx } from './fixtures.ts';

test('transaction_time matches Date#toISOString for any millisecond, in any order', () => {
  const tx = getJsonTx();
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 5000; i++) {
    // Bursts within one second, jumps across seconds and days, and fractional milliseconds.
    tx.startTime = 1.7e12 + Math.floor(rand() * 3) * 86_400_000 + Math.floor(rand() * 2000) + rand();
    assert.equal(transactionTime(tx), new Date(Math.floor(tx.startTime)).toISOString());
  }
  tx.startTime = 0;
  assert.equal(transactionTime(tx), undefined);
});
