import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalStoreReader } from './local/index.ts';
import { createEventStore, createObjectStore } from './store-factory.ts';
import { createEventStores, createObjectStores, localStoreDir } from './store-list.ts';
import type { Artifact, EventStore, ObjectStore, StoreEvent } from '../core/stores.ts';
import { memoryLog, requestEvent, tempDir, transactionArtifact } from './test-support.ts';

function recordingStdout() {
  const put: Artifact[] = [];
  const submitted: StoreEvent[] = [];
  const objects: ObjectStore & { counters(): { printed: number } } = {
    put: (a) => void put.push(a),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    counters: () => ({ printed: put.length }),
  };
  const events: EventStore = { submit: (e) => void submitted.push(e), flush: () => Promise.resolve(), close: () => Promise.resolve() };
  return { put, submitted, objects, events };
}

describe('store factory', () => {
  const log = memoryLog().log;

  it("Qtap's store types that cleartap does not implement fail at load with CT_ERR_CONFIG naming them", () => {
    for (const type of ['qpoint', 'otel']) {
      assert.throws(() => createObjectStore({ type, url: 'https://x' }, { log }), (err: Error & { code?: string }) => err.code === 'CT_ERR_CONFIG' && err.message.includes(type) && err.message.includes('does not implement'));
    }
    for (const type of ['pulse-streaming', 'pulse-legacy', 'axiom', 'otel']) {
      assert.throws(() => createEventStore({ type }, { log }), (err: Error & { code?: string }) => err.code === 'CT_ERR_CONFIG' && err.message.includes(type));
    }
    assert.throws(() => createObjectStore({ type: 'ftp' }, { log }), (err: Error & { code?: string }) => err.code === 'CT_ERR_CONFIG' && err.message.includes('unknown'));
    assert.throws(() => createEventStore({}, { log, where: 'services.event_stores[2]' }), (err: Error) => err.message.startsWith('services.event_stores[2]: type is required'));
  });

  it('stdout uses the writer it is given; disabled takes everything and keeps nothing', async () => {
    const rec = recordingStdout();
    const objects = createObjectStore({ type: 'stdout' }, { log, stdout: () => rec.objects });
    objects.put(transactionArtifact(1));
    assert.equal(rec.put.length, 1);
    assert.deepEqual(objects.counters(), { printed: 1 });
    const disabled = createEventStore({ type: 'disabled' }, { log });
    disabled.submit(requestEvent(1));
    assert.deepEqual(disabled.counters(), { discarded: 1 });
    assert.equal(await disabled.whenDelivered(10), true);
    await Promise.all([objects.close(), disabled.close()]);
  });

  it('local: the data directory and its spools default under dataDir, and what is put can be queried', async (t) => {
    const data = tempDir(t);
    const objects = createObjectStore({ type: 'local' }, { log, dataDir: data });
    const events = createEventStore({ type: 'local', retention: { max_age: '30d', max_size: '2GiB' } }, { log, dataDir: data });
    objects.put(transactionArtifact(1, { status: 500 }));
    events.submit(requestEvent(1, { status: 500 }));
    assert.equal(await objects.whenDelivered(5000), true);
    assert.equal(await events.whenDelivered(5000), true);
    assert.equal(objects.counters().written, 1);
    await Promise.all([objects.close(), events.close()]);
    assert.ok(existsSync(join(data, 'spool', 'objects-local', 'id')));
    assert.ok(existsSync(join(data, 'spool', 'events-local', 'id')));
    const reader = LocalStoreReader.open(data);
    t.after(() => reader.close());
    assert.deepEqual(reader.list({ status: '5xx' }).map((r) => r.id), ['tx-1']);
  });

  it('the spool of an entry takes its own dir, size, policy and fsync; bad values are CT_ERR_CONFIG', async (t) => {
    const data = tempDir(t);
    const spoolDir = join(data, 'my-spool');
    const store = createObjectStore({ type: 'local', path: join(data, 'store'), spool: { dir: spoolDir, max_size: '1MiB', when_full: 'drop-newest', fsync: 'always' } }, { log, dataDir: data });
    await store.close();
    assert.ok(existsSync(join(spoolDir, 'id')));
    assert.throws(() => createObjectStore({ type: 'local', spool: { when_full: 'drop-random' } }, { log, dataDir: data }), { code: 'CT_ERR_CONFIG' });
    assert.throws(() => createEventStore({ type: 'local', retention: { max_age: 'forever' } }, { log, dataDir: data }), { code: 'CT_ERR_CONFIG' });
  });

  it('a list sends to every entry (the default: stdout and local), and an empty list is disabled', async (t) => {
    const data = tempDir(t);
    const rec = recordingStdout();
    const objects = createObjectStores([{ type: 'stdout' }, { type: 'local' }], { log, dataDir: data, stdout: () => rec.objects });
    objects.put(transactionArtifact(2));
    assert.equal(rec.put.length, 1);
    assert.equal(await objects.whenDelivered(5000), true);
    assert.equal(objects.counters()['object_store.local.written'], 1);
    assert.equal(objects.counters()['object_store.stdout.printed'], 1);
    await objects.close();
    const none = createEventStores([], { log });
    assert.equal(none.name, 'event_store.disabled');
  });

  it('when a later entry fails, the stores built before it are closed (their spools can be opened again)', async (t) => {
    const data = tempDir(t);
    assert.throws(() => createObjectStores([{ type: 'local' }, { type: 's3' }], { log, dataDir: data }), { code: 'CT_ERR_CONFIG' });
    await new Promise((r) => setTimeout(r, 50));
    const again = createObjectStore({ type: 'local' }, { log, dataDir: data });
    await again.close();
  });

  it('two stores cannot share one spool directory; entries of one list get their own by default', async (t) => {
    const data = tempDir(t);
    const first = createEventStore({ type: 'local' }, { log, dataDir: data });
    t.after(() => first.close());
    assert.throws(() => createEventStore({ type: 'local' }, { log, dataDir: data }), (err: Error & { code?: string }) => err.code === 'CT_ERR_CONFIG' && err.message.includes('already used'));
    const two = createObjectStores([{ type: 'local', path: join(data, 'a') }, { type: 'local', path: join(data, 'b') }], { log, dataDir: data });
    await two.close();
    assert.ok(existsSync(join(data, 'spool', 'objects-local', 'id')));
    assert.ok(existsSync(join(data, 'spool', 'objects-local-1', 'id')));
  });

  it('localStoreDir: the path of the first local entry, else the default', () => {
    assert.equal(localStoreDir({ object_stores: [{ type: 'stdout' }, { type: 'local', path: '/srv/ct' }], event_stores: [] }), '/srv/ct');
    assert.equal(localStoreDir({ object_stores: [], event_stores: [{ type: 'local' }] }), '/var/lib/cleartap');
    assert.equal(localStoreDir({ object_stores: [{ type: 's3' }], event_stores: [] }, '/data'), '/data');
  });
});
