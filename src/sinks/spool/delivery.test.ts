import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CleartapError } from '../../core/errors.ts';
import { memoryLog, tempDir } from '../test-support.ts';
import { backoffDelay } from './backoff.ts';
import { Delivery, type DeliveryTarget, type SpoolRecord } from './delivery.ts';
import { Spool } from './spool.ts';

const FAST = { initialMs: 5, maxMs: 20 };

function setup(dir: string, target: DeliveryTarget, log = memoryLog().log) {
  const spool = new Spool({ dir, maxBytes: 1 << 20, policy: 'drop-oldest', fsync: 'never', name: 'test', log });
  const delivery = new Delivery({ spool, target, name: 'test', log, maxBatchRecords: 4, backoff: FAST });
  delivery.start();
  return { spool, delivery };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const text = (r: SpoolRecord) => Buffer.from(r.payload).toString();

describe('Delivery', () => {
  it('delivers every record in order, in batches, and commits them', async (t) => {
    const got: string[] = [];
    const { spool, delivery } = setup(tempDir(t), { write: async (rs) => void got.push(...rs.map(text)) });
    for (let i = 0; i < 10; i++) spool.append(Buffer.from(`r${i}`));
    await until(() => delivery.idle() && got.length === 10);
    assert.deepEqual(got, Array.from({ length: 10 }, (_, i) => `r${i}`));
    assert.equal(delivery.counters().written, 10);
    await delivery.stop(Date.now() + 100);
    await spool.close();
  });

  it('retries a failing store with backoff, says the retry may repeat records, and logs the outage and its end', async (t) => {
    const { log, lines } = memoryLog();
    let failures = 3;
    const seen: boolean[] = [];
    const got: string[] = [];
    const { spool, delivery } = setup(tempDir(t), {
      write: async (rs, maybe) => {
        seen.push(maybe);
        if (failures-- > 0) throw new CleartapError('CT_ERR_STORE', 'connection refused');
        got.push(...rs.map(text));
      },
    }, log);
    spool.append(Buffer.from('a'));
    spool.append(Buffer.from('b'));
    await until(() => got.length === 2);
    assert.deepEqual(seen, [false, true, true, true]);
    const c = delivery.counters();
    assert.equal(c.failed_attempts, 3);
    assert.equal(c.retried, 6);
    assert.equal(c.up, 1);
    assert.ok(lines.some((l) => String(l.msg).includes('store unavailable') && l.code === 'CT_ERR_STORE'));
    assert.ok(lines.some((l) => String(l.msg).includes('store is back')));
    await delivery.stop(Date.now() + 100);
    await spool.close();
  });

  it('drops only the record a store refuses for good, and counts it', async (t) => {
    const got: string[] = [];
    const { spool, delivery } = setup(tempDir(t), {
      write: async (rs) => {
        if (rs.some((r) => text(r) === 'bad')) throw new CleartapError('CT_ERR_STORE_REJECTED', 'cannot parse');
        got.push(...rs.map(text));
      },
    });
    for (const s of ['a', 'bad', 'c']) spool.append(Buffer.from(s));
    await until(() => delivery.idle());
    assert.deepEqual(got, ['a', 'c']);
    assert.equal(delivery.counters().dropped_rejected, 1);
    await delivery.stop(Date.now() + 100);
    await spool.close();
  });

  it('stop() ends the wait of a store that is down; the records stay for the next start, flagged as maybe delivered', async (t) => {
    const dir = tempDir(t);
    const first = setup(dir, { write: () => Promise.reject(new Error('down')) });
    first.spool.append(Buffer.from('kept'));
    await until(() => first.delivery.counters().failed_attempts > 0);
    await first.delivery.stop(Date.now() + 1000);
    await first.spool.close();

    const flags: boolean[] = [];
    const got: string[] = [];
    const second = setup(dir, { write: async (rs, maybe) => void (flags.push(maybe), got.push(...rs.map(text))) });
    await until(() => got.length === 1);
    assert.deepEqual(got, ['kept']);
    assert.deepEqual(flags, [true]);
    await second.delivery.stop(Date.now() + 100);
    await second.spool.close();
  });

  it('backoff doubles up to its cap, with jitter between half and all of it', () => {
    const opts = { initialMs: 100, maxMs: 1000 };
    assert.equal(backoffDelay(0, opts, () => 1), 100);
    assert.equal(backoffDelay(3, opts, () => 1), 800);
    assert.equal(backoffDelay(10, opts, () => 1), 1000);
    assert.equal(backoffDelay(10, opts, () => 0), 500);
  });
});
