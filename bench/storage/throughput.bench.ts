// Storage throughput: how fast transactions go through each store, and what put()/submit() cost capture.
//
//   $NODE bench/storage/throughput.bench.ts [--count 20000] [--size 1024] [--stores spool,local,s3,clickhouse] [--json FILE]
//
// - spool: the durable spool alone: appends/s (the capture-side cost), time until on disk, reads+commits/s.
// - local, s3, clickhouse: `count` transactions put as fast as the loop can (each one http_transaction object of
//   about `size` bytes and/or one Request event), then the time until the store has all of them. The spool takes
//   the backlog, so put() is measured apart from delivery; tx/s is count / (put start → all delivered).
//   local = object store and event store together; s3 = objects only (s3rver in a child process);
//   clickhouse = events only (Debian's clickhouse-server 18.16, HTTP interface). s3-direct: the same objects PUT
//   straight with the SDK (16 at a time, no spool), the server's own ceiling.
// Servers run on 127.0.0.1 on the same 2-vCPU machine as the agent, so each figure includes their cost too.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { createEventStore, createObjectStore, type Artifact, type ManagedEventStore, type ManagedObjectStore } from '../../src/sinks/index.ts';
import { Spool } from '../../src/sinks/spool/index.ts';
import { requestEvent } from '../../src/sinks/test-support.ts';
import { freePort, start, stopAll, waitForPort } from '../../test/helpers/children.ts';
import { CLICKHOUSE_PASSWORD, CLICKHOUSE_USER, clickHouseMissing, S3_BUCKET, S3_KEY, S3_SECRET, startClickHouse } from '../../test/e2e/storage-servers.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    size: { type: 'string', default: '1024' },
    stores: { type: 'string', default: 'spool,local,s3,clickhouse' },
    json: { type: 'string' },
  },
});
const COUNT = Number(values.count);
const SIZE = Number(values.size);
const STORES = values.stores.split(',');
const log = pino({ level: 'warn' }, pino.destination(2));
const root = mkdtempSync(join(tmpdir(), 'cleartap-bench-storage-'));
const results: Record<string, Record<string, number>> = {};

function artifact(n: number): Artifact {
  const record = {
    metadata: { process_id: String(1000 + (n % 50)), process_exe: '/usr/bin/curl', bytes_sent: 120, bytes_received: 900, request_id: `tx-${n}`, connection_id: `c-${n >> 3}` },
    request: { method: 'GET', url: `https://api.example.com/v1/items/${n}`, authority: 'api.example.com', path: `/v1/items/${n}`, headers: { 'x-pad': '' } },
    response: { status: n % 17 === 0 ? 503 : 200, content_type: 'application/json' },
    transaction_time: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
    duration_ms: 12,
    direction: 'egress-external',
  };
  record.request.headers['x-pad'] = 'p'.repeat(Math.max(0, SIZE - JSON.stringify(record).length));
  const data = Buffer.from(JSON.stringify(record));
  return {
    type: 'http_transaction',
    data,
    contentType: 'application/json',
    get digest() {
      return createHash('sha1').update(data).digest('hex');
    },
    meta: { connectionId: `c-${n >> 3}`, requestId: `tx-${n}`, url: record.request.url, timestamp: record.transaction_time },
  };
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

async function benchSpool(): Promise<void> {
  const spool = new Spool({ dir: join(root, 'spool'), maxBytes: 2 * COUNT * (SIZE + 64), policy: 'drop-oldest', fsync: 'interval', name: 'bench', log });
  const payloads = Array.from({ length: 1024 }, (_, i) => artifact(i).data);
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) spool.append(payloads[i & 1023]);
  const t1 = performance.now();
  await spool.flushed();
  const t2 = performance.now();
  let read = 0;
  while (read < COUNT) {
    const frames = await spool.read(1000, 4 << 20);
    read += frames.length;
    spool.commit(frames[frames.length - 1].seq + 1);
  }
  const t3 = performance.now();
  await spool.close();
  results.spool = {
    appends_per_s: rate(COUNT, t1 - t0),
    append_us: Math.round(((t1 - t0) / COUNT) * 100_000) / 100,
    to_disk_mb_per_s: Math.round((COUNT * SIZE) / 1048.576 / (t2 - t0)),
    reads_per_s: rate(COUNT, t3 - t2),
  };
}

// Made before the clock starts, so that put_us is what the store costs capture and nothing else.
const ARTIFACTS = Array.from({ length: COUNT }, (_, i) => artifact(i));
const EVENTS = Array.from({ length: COUNT }, (_, i) => requestEvent(i));

function percentile(sorted: Float64Array, p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] * 1000) / 1000;
}

async function drive(name: string, objects: ManagedObjectStore | undefined, events: ManagedEventStore | undefined): Promise<void> {
  const took = new Float64Array(COUNT);
  const t0 = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const p0 = performance.now();
    objects?.put(ARTIFACTS[i]);
    events?.submit(EVENTS[i]);
    took[i] = performance.now() - p0;
  }
  const t1 = performance.now();
  const delivered = await Promise.all([objects?.whenDelivered(600_000), events?.whenDelivered(600_000)]);
  const t2 = performance.now();
  if (delivered.some((d) => d === false)) throw new Error(`${name}: not delivered within 10 minutes`);
  await Promise.all([objects?.close(), events?.close()]);
  took.sort();
  results[name] = {
    tx_per_s: rate(COUNT, t2 - t0),
    put_us: Math.round(((t1 - t0) / COUNT) * 100_000) / 100,
    put_p99_ms: percentile(took, 0.99),
    put_max_ms: percentile(took, 1),
    written: (objects?.counters().written ?? 0) + (events?.counters().written ?? 0),
  };
}

async function benchLocal(): Promise<void> {
  const deps = { log, dataDir: join(root, 'local') };
  await drive('local', createObjectStore({ type: 'local' }, deps), createEventStore({ type: 'local' }, deps));
}

async function benchS3(): Promise<void> {
  const port = await freePort();
  const dir = join(root, 's3rver');
  const script = `import S3rver from 's3rver'; await new S3rver({ address: '127.0.0.1', port: ${port}, silent: true, directory: ${JSON.stringify(dir)}, configureBuckets: [{ name: ${JSON.stringify(S3_BUCKET)} }] }).run();`;
  start(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
  await waitForPort(port);
  const entry = { type: 's3', endpoint: `127.0.0.1:${port}`, bucket: S3_BUCKET, insecure: true, access_key: S3_KEY, secret_key: S3_SECRET };
  await drive('s3', createObjectStore(entry, { log, spoolDir: join(root, 'spool-s3') }), undefined);
  // The server's own ceiling: the same objects PUT straight with the SDK, 16 at a time, no spool.
  const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: S3_KEY, secretAccessKey: S3_SECRET } });
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < COUNT; i = next++) await client.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `direct-${i}`, Body: ARTIFACTS[i].data }));
    }),
  );
  results['s3-direct'] = { tx_per_s: rate(COUNT, performance.now() - t0) };
  process.stdout.write(`${'s3-direct'.padEnd(10)} ${JSON.stringify(results['s3-direct'])}\n`);
  client.destroy();
}

async function benchClickHouse(): Promise<void> {
  const missing = clickHouseMissing();
  if (missing !== undefined) {
    process.stderr.write(`clickhouse: skipped: ${missing}\n`);
    return;
  }
  const ch = await startClickHouse(join(root, 'clickhouse'));
  try {
    const entry = { type: 'clickhouse', url: ch.url, username: CLICKHOUSE_USER, password: CLICKHOUSE_PASSWORD };
    await drive('clickhouse', undefined, createEventStore(entry, { log, spoolDir: join(root, 'spool-ch') }));
  } finally {
    await ch.stop('SIGKILL');
  }
}

const BENCHES: Record<string, () => Promise<void>> = { spool: benchSpool, local: benchLocal, s3: benchS3, clickhouse: benchClickHouse };
try {
  for (const name of STORES) {
    const bench = BENCHES[name];
    if (bench === undefined) throw new Error(`unknown store ${name}; one of ${Object.keys(BENCHES).join(', ')}`);
    await bench();
    if (results[name] !== undefined) process.stdout.write(`${name.padEnd(10)} ${JSON.stringify(results[name])}\n`);
  }
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ count: COUNT, size: SIZE, node: process.version, results }, null, 2));
} finally {
  await stopAll();
  rmSync(root, { recursive: true, force: true });
}
