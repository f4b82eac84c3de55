import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestEvent } from '../test-support.ts';
import { readClickHouseSettings } from './clickhouse-config.ts';
import { createStatements, eventRow, stringLiteral } from './event-table.ts';

describe('ClickHouse event table', () => {
  it('creates the database unless it is "default", then the table; TTL only when asked', () => {
    const [db, table] = createStatements({ database: 'cleartap', table: 'events', ttlMs: undefined });
    assert.equal(db, 'CREATE DATABASE IF NOT EXISTS `cleartap`');
    assert.match(table, /^CREATE TABLE IF NOT EXISTS `cleartap`\.`events` \(/);
    assert.match(table, /status UInt16/);
    assert.match(table, /ENGINE = ReplacingMergeTree\(\)/);
    assert.doesNotMatch(table, /TTL/);
    assert.equal(createStatements({ database: 'default', table: 't', ttlMs: 30 * 86_400_000 }).length, 1);
    assert.match(createStatements({ database: 'default', table: 't', ttlMs: 30 * 86_400_000 })[0], /TTL timestamp \+ INTERVAL 30 DAY$/);
    assert.match(createStatements({ database: 'default', table: 't', ttlMs: 90 * 60_000 })[0], /INTERVAL 5400 SECOND$/);
  });

  it('a Request event becomes typed columns plus the whole event as JSON', () => {
    const event = requestEvent(7, { host: 'API.example.com', status: 503, authTokenType: 'bearer', authTokenHash: 'ab' });
    const row = eventRow({ id: 'sp-7', event });
    assert.equal(row.event_id, 'sp-7');
    assert.equal(row.event_type, 'request');
    assert.equal(row.host, 'api.example.com');
    assert.equal(row.status, 503);
    assert.equal(row.transaction_id, 'tx-7');
    assert.equal(row.timestamp, Date.UTC(2026, 0, 1, 0, 0, 7) / 1000);
    assert.equal(row.auth_token_type, 'bearer');
    assert.deepEqual(JSON.parse(row.event), event.item);
  });

  it('issues, artifact records and DNS lookups fill their own columns', () => {
    const meta = { connectionId: 'c', requestId: 'r' };
    const issue = eventRow({ id: 'i', event: { type: 'issue', item: { meta, tags: [], timestamp: '2026-01-01T00:00:00Z', direction: 'ingress', error: 'server_error', url: 'https://h/x', path: '/x', method: 'GET', status: 500, triggerConditions: [], triggerReasons: [] } } });
    assert.equal(issue.error, 'server_error');
    assert.equal(issue.transaction_id, 'r');
    const record = eventRow({ id: 'a', event: { type: 'artifact_record', item: { meta, timestamp: '2026-01-01T00:00:00Z', type: 'http_transaction', digest: 'd', url: 'http://s3/b/d' } } });
    assert.equal(record.digest, 'd');
    assert.equal(record.artifact_type, 'http_transaction');
    const dns = eventRow({ id: 'd', event: { type: 'dns', item: { timestamp: '2026-01-01T00:00:00Z', name: 'API.example.com', type: 'A', rcode: 'NOERROR', answers: ['192.0.2.1'] } } });
    assert.deepEqual([dns.event_type, dns.host, dns.error, dns.transaction_id], ['dns', 'api.example.com', 'NOERROR', '']);
  });

  it('string literals escape quotes and backslashes', () => {
    assert.equal(stringLiteral("a'b\\c"), "'a\\'b\\\\c'");
  });

  it('settings: defaults, secrets, and names that cannot be injected', () => {
    const s = readClickHouseSettings({ password: { type: 'env', value: 'CH_PW' } }, 'x', { CH_PW: 'pw' });
    assert.deepEqual(
      { url: s.url, database: s.database, table: s.table, username: s.username, password: s.password, batch: s.batchSize, flush: s.flushIntervalMs },
      { url: 'http://localhost:8123', database: 'cleartap', table: 'events', username: 'default', password: 'pw', batch: 5000, flush: 1000 },
    );
    assert.throws(() => readClickHouseSettings({ table: 'events; DROP TABLE x' }, 'x', {}), { code: 'CT_ERR_CONFIG' });
    assert.throws(() => readClickHouseSettings({ url: 'tcp://h:9000' }, 'x', {}), { code: 'CT_ERR_CONFIG' });
    assert.throws(() => readClickHouseSettings({ batch_size: 0 }, 'x', {}), { code: 'CT_ERR_CONFIG' });
  });
});
