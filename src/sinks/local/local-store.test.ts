import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DatabaseSync } from 'node:sqlite';
import { decodeArtifact, encodeArtifact } from '../record-codecs.ts';
import { createSpooledEventStore, createSpooledObjectStore } from '../spooled-store.ts';
import { memoryLog, requestEvent, tempDir, transactionArtifact } from '../test-support.ts';
import { createLocalEventBackend, createLocalObjectBackend } from './local-backends.ts';
import { objectPath } from './object-files.ts';
import { LocalStoreReader } from './query.ts';
import { DEFAULT_RETENTION, enforceRetention } from './retention.ts';
import { openDatabase } from './database.ts';

function localStores(dir: string) {
  const log = memoryLog().log;
  const spool = (name: string) => ({ dir: join(dir, 'spool', name), maxBytes: 1 << 24, policy: 'drop-oldest' as const, fsync: 'never' as const });
  const objects = createSpooledObjectStore(createLocalObjectBackend({ dir, retention: DEFAULT_RETENTION, log }), { name: 'object_store.local', log, spool: spool('objects') });
  const events = createSpooledEventStore(createLocalEventBackend({ dir, retention: DEFAULT_RETENTION, log }), { name: 'event_store.local', log, spool: spool('events') });
  return { objects, events };
}

async function fill(dir: string) {
  const { objects, events } = localStores(dir);
  const cases = [
    { n: 1, host: 'api.example.com', status: 200, exe: '/usr/bin/curl' },
    { n: 2, host: 'api.example.com', status: 503, exe: '/usr/bin/python3' },
    { n: 3, host: 'auth.example.org', status: 404, exe: '/usr/bin/curl' },
    { n: 4, host: 'cdn.example.com', status: 201, exe: '/usr/sbin/nginx' },
  ];
  for (const c of cases) {
    objects.put(transactionArtifact(c.n, c));
    events.submit(requestEvent(c.n, { host: c.host, status: c.status }));
  }
  assert.equal(await objects.whenDelivered(5000), true);
  assert.equal(await events.whenDelivered(5000), true);
  await Promise.all([objects.close(), events.close()]);
  return { objects, events };
}

describe('local store', () => {
  it('keeps objects in gzip packs and events in SQLite, and lists transactions newest first', async (t) => {
    const dir = tempDir(t);
    const { objects, events } = await fill(dir);
    assert.equal(objects.counters().written, 4);
    assert.equal(events.counters().written, 4);
    const artifact = transactionArtifact(2, { host: 'api.example.com', status: 503, exe: '/usr/bin/python3' });
    // A pack is gzip members back to back: zcat prints every object.
    const packs = readdirSync(join(dir, 'objects', 'packs'));
    assert.equal(packs.length, 1);
    const all4 = gunzipSync(readFileSync(join(dir, 'objects', 'packs', packs[0])));
    assert.ok(all4.includes(Buffer.from(artifact.data)));
    const reader = LocalStoreReader.open(dir);
    t.after(() => reader.close());
    const all = reader.list();
    assert.deepEqual(all.map((r) => r.id), ['tx-4', 'tx-3', 'tx-2', 'tx-1']);
    assert.equal(all[2].processExe, '/usr/bin/python3');
    assert.equal(all[2].processId, 1002);
    assert.equal(all[2].method, 'GET');
    assert.equal(all[2].status, 503);
  });

  it('filters by host (exact or glob), status (code, class, range), process (path, name, pid), time and limit', async (t) => {
    const dir = tempDir(t);
    await fill(dir);
    const reader = LocalStoreReader.open(dir);
    t.after(() => reader.close());
    const ids = (f: Parameters<LocalStoreReader['list']>[0]) => reader.list(f).map((r) => r.id);
    assert.deepEqual(ids({ host: 'api.example.com' }), ['tx-2', 'tx-1']);
    assert.deepEqual(ids({ host: '*.example.com' }), ['tx-4', 'tx-2', 'tx-1']);
    assert.deepEqual(ids({ status: '5xx' }), ['tx-2']);
    assert.deepEqual(ids({ status: '400-499,503' }), ['tx-3', 'tx-2']);
    assert.deepEqual(ids({ status: '201' }), ['tx-4']);
    assert.deepEqual(ids({ process: 'curl' }), ['tx-3', 'tx-1']);
    assert.deepEqual(ids({ process: '/usr/sbin/nginx' }), ['tx-4']);
    assert.deepEqual(ids({ process: '1002' }), ['tx-2']);
    assert.deepEqual(ids({ sinceMs: Date.UTC(2026, 0, 1, 0, 0, 2), untilMs: Date.UTC(2026, 0, 1, 0, 0, 4) }), ['tx-3', 'tx-2']);
    assert.deepEqual(ids({ limit: 1 }), ['tx-4']);
    assert.deepEqual(ids({ host: 'api.example.com', status: '2xx', process: 'curl' }), ['tx-1']);
    assert.throws(() => reader.list({ status: 'teapot' }), { code: 'CT_ERR_USAGE' });
  });

  it('shows one transaction, by id or unique prefix, with its events and its object', async (t) => {
    const dir = tempDir(t);
    await fill(dir);
    const reader = LocalStoreReader.open(dir);
    t.after(() => reader.close());
    const tx = reader.show('tx-3');
    assert.ok(tx);
    assert.equal(tx.host, 'auth.example.org');
    assert.equal(tx.events.length, 1);
    assert.equal(tx.events[0].type, 'request');
    assert.equal(tx.objects.length, 1);
    assert.equal(tx.objects[0].type, 'http_transaction');
    assert.equal(JSON.parse(String(tx.objects[0].data)).request.authority, 'auth.example.org');
    assert.equal(reader.show('tx-9'), undefined);
    assert.throws(() => reader.show('tx-'), { code: 'CT_ERR_USAGE' });
  });

  it('writing the same spool records again changes nothing (replay after a crash)', async (t) => {
    const dir = tempDir(t);
    const log = memoryLog().log;
    const objects = createLocalObjectBackend({ dir, retention: DEFAULT_RETENTION, log });
    const events = createLocalEventBackend({ dir, retention: DEFAULT_RETENTION, log });
    const artifact = decodeArtifact('s-1', encodeArtifact(transactionArtifact(1)));
    const event = { id: 's-2', event: requestEvent(1) };
    for (let i = 0; i < 2; i++) {
      await objects.write([artifact], i > 0);
      await events.write([event], i > 0);
    }
    await objects.close();
    await events.close();
    const db = openDatabase(dir);
    t.after(() => db.close());
    for (const table of ['transactions', 'events', 'objects', 'artifacts']) {
      assert.equal((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n, 1, table);
    }
  });

  it('retention removes what is older than max_age, then the oldest while over max_size', async (t) => {
    const dir = tempDir(t);
    await fill(dir);
    const db = openDatabase(dir);
    t.after(() => db.close());
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    // Transactions are at seconds 1 to 4; at 3.5 s a max_age of 1.4 s keeps those from 2.1 s on: 3 and 4.
    const byAge = await enforceRetention(db, dir, { maxAgeMs: 1400, maxBytes: 1 << 30 }, Date.UTC(2026, 0, 1, 0, 0, 3, 500));
    assert.deepEqual(byAge, { transactions: 2, events: 2, objects: 2, packs: 0 });
    assert.equal(count('transactions'), 2);
    const packDir = join(dir, 'objects', 'packs');
    const [pack] = readdirSync(packDir);
    const bySize = await enforceRetention(db, dir, { maxAgeMs: 1e12, maxBytes: 1 }, Date.UTC(2026, 0, 1));
    assert.ok(bySize.transactions >= 2);
    assert.equal(count('transactions'), 0);
    assert.equal(count('objects'), 0);
    // A pack nothing points into goes, but not while a writer may still append to it (modified lately).
    assert.equal(bySize.packs, 0);
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(join(packDir, pack), old, old);
    assert.equal((await enforceRetention(db, dir, { maxAgeMs: 1e12, maxBytes: 1 })).packs, 1);
    assert.deepEqual(readdirSync(packDir), []);
  });

  it('a payload seen again in the pack being written is stored once; one from an older pack is stored again', async (t) => {
    const dir = tempDir(t);
    const log = memoryLog().log;
    const objects = createLocalObjectBackend({ dir, retention: DEFAULT_RETENTION, log });
    const first = decodeArtifact('s-1', encodeArtifact(transactionArtifact(1)));
    await objects.write([first, { ...first, id: 's-2' }], false);
    await objects.write([{ ...first, id: 's-3' }], false);
    await objects.close();
    const db = openDatabase(dir);
    t.after(() => db.close());
    const size = (db.prepare('SELECT block_size AS n FROM objects').get() as { n: number }).n;
    assert.equal(statSync(join(dir, 'objects', 'packs', readdirSync(join(dir, 'objects', 'packs'))[0])).size, size);
    // After a restart the writer starts a new pack: the payload is written there too, and its row follows it.
    const again = createLocalObjectBackend({ dir, retention: DEFAULT_RETENTION, log });
    await again.write([{ ...first, id: 's-4' }], false);
    await again.close();
    const packs = readdirSync(join(dir, 'objects', 'packs')).sort();
    assert.equal(packs.length, 2);
    assert.equal((db.prepare('SELECT pack FROM objects').get() as { pack: string }).pack, packs[1].replace(/\.gz$/, ''));
    const reader = LocalStoreReader.open(dir);
    t.after(() => reader.close());
    assert.deepEqual(reader.show('tx-1')?.objects[0].data, Buffer.from(first.data));
  });

  it('reads and retires the object files of a store written before packs', async (t) => {
    const dir = tempDir(t);
    const artifact = transactionArtifact(1);
    // The schema as it was: objects without pack columns, each object a gzip file of its own.
    const legacy = new DatabaseSync(join(dir, 'cleartap.db'));
    legacy.exec(`CREATE TABLE objects (digest TEXT PRIMARY KEY, content_type TEXT NOT NULL, size INTEGER NOT NULL, stored_size INTEGER NOT NULL, time_ms INTEGER NOT NULL);
      CREATE TABLE artifacts (transaction_id TEXT NOT NULL, type TEXT NOT NULL, digest TEXT NOT NULL, time_ms INTEGER NOT NULL, PRIMARY KEY (transaction_id, type, digest));`);
    const time = Date.UTC(2026, 0, 1, 0, 0, 1);
    legacy.prepare('INSERT INTO objects VALUES (?, ?, ?, ?, ?)').run(artifact.digest, artifact.contentType, artifact.data.byteLength, 10, time);
    legacy.prepare('INSERT INTO artifacts VALUES (?, ?, ?, ?)').run('tx-1', 'http_transaction', artifact.digest, time);
    legacy.close();
    mkdirSync(join(dir, 'objects', artifact.digest.slice(0, 2)), { recursive: true });
    writeFileSync(objectPath(dir, artifact.digest), gzipSync(artifact.data));
    const db = openDatabase(dir); // adds the pack columns
    t.after(() => db.close());
    db.prepare("INSERT INTO transactions (id, time_ms) VALUES ('tx-1', ?)").run(time);
    const reader = LocalStoreReader.open(dir);
    t.after(() => reader.close());
    assert.deepEqual(reader.show('tx-1')?.objects[0].data, Buffer.from(artifact.data));
    await enforceRetention(db, dir, { maxAgeMs: 1000, maxBytes: 1 << 30 }, time + 5000);
    assert.equal(existsSync(objectPath(dir, artifact.digest)), false);
  });
});
