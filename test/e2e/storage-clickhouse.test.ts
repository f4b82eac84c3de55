// The clickhouse event store against a real clickhouse-server (Debian's 18.16) on loopback, over HTTP: it
// creates its database and table, rows land with typed columns, queries by host and status find them, a retried
// batch is not written twice, and a wrong password is a clear error.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClickHouseBackend, readClickHouseSettings } from '../../src/sinks/clickhouse/index.ts';
import { createEventStore } from '../../src/sinks/index.ts';
import { memoryLog, requestEvent } from '../../src/sinks/test-support.ts';
import { stopAll } from '../helpers/children.ts';
import { tempDir } from '../helpers/servers.ts';
import { CLICKHOUSE_PASSWORD, CLICKHOUSE_USER, clickHouseMissing, startClickHouse, type ClickHouseServer } from './storage-servers.ts';

describe('clickhouse event store (clickhouse-server on 127.0.0.1)', { skip: clickHouseMissing() }, () => {
  const root = tempDir('storage-clickhouse');
  let ch: ClickHouseServer;
  before(async () => {
    ch = await startClickHouse(join(root, 'clickhouse'));
  });
  after(async () => {
    await ch?.stop();
    await stopAll();
    rmSync(root, { recursive: true, force: true });
  });

  const entry = (overrides: Record<string, unknown> = {}) => ({
    type: 'clickhouse',
    url: ch.url,
    database: 'cleartap_test',
    table: 'events',
    username: { type: 'text', value: CLICKHOUSE_USER },
    password: { type: 'env', value: 'TEST_CH_PASSWORD' },
    flush_interval: '50ms',
    ...overrides,
  });
  const env = { TEST_CH_PASSWORD: CLICKHOUSE_PASSWORD };

  it('creates its table on first use; rows land and queries by host and status find them', async () => {
    const store = createEventStore(entry(), { log: memoryLog().log, spoolDir: join(root, 'spool-rows'), env });
    await store.verify();
    const hosts = ['api.example.com', 'auth.example.org'];
    for (let n = 0; n < 40; n++) store.submit(requestEvent(n, { host: hosts[n % 2], status: n % 5 === 0 ? 503 : 200 }));
    assert.equal(await store.whenDelivered(15_000), true);
    await store.close();
    assert.equal(store.counters().written, 40);

    const columns = await ch.query("SELECT name, type FROM system.columns WHERE database = 'cleartap_test' AND table = 'events' AND name IN ('status', 'timestamp', 'tags') ORDER BY name FORMAT TSV");
    assert.equal(columns, 'status\tUInt16\ntags\tArray(String)\ntimestamp\tDateTime\n');
    const count = (where: string) => ch.query(`SELECT count() FROM cleartap_test.events WHERE ${where} FORMAT TSV`).then(Number);
    assert.equal(await count('1'), 40);
    assert.equal(await count("host = 'auth.example.org'"), 20);
    assert.equal(await count('status >= 500'), 8);
    assert.equal(await count("host = 'api.example.com' AND status = 503"), 4);
    const row = JSON.parse(await ch.query("SELECT transaction_id, method, path, duration_ms, tags, event FROM cleartap_test.events WHERE transaction_id = 'tx-7' FORMAT JSONEachRow"));
    assert.deepEqual({ ...row, event: JSON.parse(row.event).url }, { transaction_id: 'tx-7', method: 'GET', path: '/v1/items/7', duration_ms: 12, tags: ['env:test'], event: 'https://auth.example.org/v1/items/7' });
  });

  it('a batch that may have landed already is not written twice', async () => {
    const backend = createClickHouseBackend(readClickHouseSettings(entry({ table: 'retries' }), 'test', env));
    const batch = [0, 1, 2].map((n) => ({ id: `retry-${n}`, event: requestEvent(n) }));
    await backend.write(batch.slice(0, 2), false);
    await backend.write(batch, true);
    await backend.close();
    assert.equal(await ch.query('SELECT count(), uniqExact(event_id) FROM cleartap_test.retries FORMAT TSV'), '3\t3\n');
  });

  it('a wrong password is CT_ERR_STORE_AUTH naming the user', async () => {
    const store = createEventStore(entry({ password: 'wrong' }), { log: memoryLog().log, spoolDir: join(root, 'spool-auth'), env, closeTimeoutMs: 100 });
    await assert.rejects(store.verify(), (err: Error & { code?: string }) => err.code === 'CT_ERR_STORE_AUTH' && err.message.includes(`user ${CLICKHOUSE_USER}`));
    await store.close();
  });
});
