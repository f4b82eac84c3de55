// Nothing lost, nothing doubled: N transactions go to a real S3-compatible server (objects) and a real
// ClickHouse (events) while both are stopped and restarted in the middle of the run, and again across a kill -9
// of the agent; exactly N objects and N events arrive. Capture (put/submit) never waits for a store.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { createEventStore, createObjectStore } from '../../src/sinks/index.ts';
import { memoryLog, requestEvent, transactionArtifact } from '../../src/sinks/test-support.ts';
import { start, stopAll } from '../helpers/children.ts';
import { tempDir } from '../helpers/servers.ts';
import {
  CLICKHOUSE_PASSWORD, CLICKHOUSE_USER, clickHouseMissing, S3_BUCKET, S3_KEY, S3_SECRET, startClickHouse, startS3rver,
  type ClickHouseServer, type S3Server,
} from './storage-servers.ts';

const AGENT = fileURLToPath(new URL('./storage-agent.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stores down, restarted, and the agent killed: exactly N arrive', { skip: clickHouseMissing() }, () => {
  const root = tempDir('storage-faults');
  let s3: S3Server;
  let ch: ClickHouseServer;
  before(async () => {
    [s3, ch] = await Promise.all([startS3rver(join(root, 's3')), startClickHouse(join(root, 'clickhouse'))]);
  });
  after(async () => {
    await Promise.all([s3?.stop(), ch?.stop()]);
    await stopAll();
    rmSync(root, { recursive: true, force: true });
  });

  const objectEntry = () => ({
    type: 's3', endpoint: `127.0.0.1:${s3.port}`, bucket: S3_BUCKET, insecure: true,
    access_key: { type: 'text', value: S3_KEY }, secret_key: { type: 'text', value: S3_SECRET },
  });
  const eventEntry = (table: string, extra: Record<string, unknown> = {}) => ({
    type: 'clickhouse', url: ch.url, database: 'faults', table,
    username: { type: 'text', value: CLICKHOUSE_USER }, password: { type: 'text', value: CLICKHOUSE_PASSWORD }, flush_interval: '20ms', ...extra,
  });

  async function bucketKeys(): Promise<Set<string>> {
    const client = new S3Client({ endpoint: `http://127.0.0.1:${s3.port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: S3_KEY, secretAccessKey: S3_SECRET } });
    const keys = new Set<string>();
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: S3_BUCKET, ContinuationToken: token }));
      for (const o of page.Contents ?? []) keys.add(o.Key!);
      token = page.NextContinuationToken;
    } while (token !== undefined);
    client.destroy();
    return keys;
  }

  async function assertExactly(n: number, first: number, table: string, keysBefore: Set<string>): Promise<void> {
    const keys = await bucketKeys();
    const expected = Array.from({ length: n }, (_, i) => transactionArtifact(first + i).digest);
    assert.equal(keys.size - keysBefore.size, n, 'objects in the bucket');
    for (const d of expected) assert.ok(keys.has(d), `object ${d}`);
    const counts = await ch.query(`SELECT count(), uniqExact(event_id), uniqExact(transaction_id) FROM faults.${table} FORMAT TSV`);
    assert.equal(counts, `${n}\t${n}\t${n}\n`, 'events: rows, distinct ids, distinct transactions');
  }

  it('both servers stopped and restarted in the middle of a run', async () => {
    const N = 300;
    const FIRST = 1000;
    const keysBefore = await bucketKeys();
    const log = memoryLog().log;
    const backoff = { spoolDir: join(root, 'spool-inprocess'), log };
    const objects = createObjectStore(objectEntry(), backoff);
    const events = createEventStore(eventEntry('restart'), backoff);
    let slowestPut = 0;
    let outage: Promise<void> | undefined;
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      objects.put(transactionArtifact(FIRST + i));
      events.submit(requestEvent(FIRST + i));
      slowestPut = Math.max(slowestPut, performance.now() - t0);
      // A third of the way in, both stores go down for a second while capture goes on.
      // ClickHouse crashes (a graceful stop would go on serving open keep-alive connections for seconds).
      if (i === N / 3) outage = Promise.all([s3.stop(), ch.stop('SIGKILL')]).then(() => sleep(1000)).then(() => Promise.all([s3.start(), ch.start()])).then(() => {});
      await sleep(5);
    }
    await outage;
    assert.equal(await objects.whenDelivered(60_000), true);
    assert.equal(await events.whenDelivered(60_000), true);
    await Promise.all([objects.close(), events.close()]);
    const o = objects.counters();
    const e = events.counters();
    assert.ok(o.failed_attempts > 0 && e.failed_attempts > 0, `both stores were seen down: ${JSON.stringify({ o, e })}`);
    assert.deepEqual([o.spooled, o.written, e.spooled, e.written], [N, N, N, N]);
    for (const c of [o, e]) assert.equal(Object.entries(c).filter(([k, v]) => k.startsWith('dropped_') && v !== 0).length, 0);
    assert.ok(slowestPut < 50, `put/submit never waited for a store (slowest ${slowestPut.toFixed(1)} ms)`);
    await assertExactly(N, FIRST, 'restart', keysBefore);
  });

  it('kill -9 of the agent while it delivers, restarted while the stores are down', async () => {
    const N = 300;
    const FIRST = 5000;
    const keysBefore = await bucketKeys();
    const settings = (first: number, count: number) =>
      JSON.stringify({ spoolDir: join(root, 'spool-kill'), objectStore: objectEntry(), eventStore: eventEntry('killed', { batch_size: 10 }), first, count });
    const facts = (out: string) => out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, { objects: number; events: number }>);

    // Run 1: S3 is down, so every object waits in the spool; events trickle into ClickHouse ten at a time.
    await s3.stop();
    const first = start(process.execPath, [AGENT, settings(FIRST, N)]);
    const killedAt = await (async () => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const seen = facts(first.stdout());
        const written = seen.filter((f) => f.written !== undefined).at(-1)?.written;
        if (seen.some((f) => f.spooled !== undefined) && written !== undefined && written.events >= 60) {
          first.child.kill('SIGKILL');
          return written;
        }
        if (first.child.exitCode !== null || Date.now() > deadline) throw new Error(`agent run 1: ${first.stderr()}`);
        await sleep(5);
      }
    })();
    await first.exited;
    assert.equal(first.child.signalCode, 'SIGKILL');
    assert.ok(killedAt.events < N, 'killed in the middle of the delivery');

    // Run 2 starts with both stores down; they come back a second later.
    await ch.stop('SIGKILL');
    const second = start(process.execPath, [AGENT, settings(FIRST + N, 0)]);
    await sleep(1000);
    await Promise.all([s3.start(), ch.start()]);
    const code = await second.exited;
    assert.equal(code, 0, second.stderr());
    const done = facts(second.stdout()).find((f) => f.done !== undefined)?.done as unknown as { delivered: boolean[] };
    assert.deepEqual(done.delivered, [true, true]);
    await assertExactly(N, FIRST, 'killed', keysBefore);
  });
});
