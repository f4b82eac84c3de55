// The gateway over a real server: an agent-side pulse event store (the store factory's, behind its spool) posts
// synthetic events to `cleartap serve`; they show in the transaction API with their agent. The server down and
// then up loses nothing; a retried batch is not written twice; a crafted batch loses its headers, bodies and
// unknown fields; a wrong or missing token is 401 and an oversize body 413 (as sent, and once inflated). With
// ClickHouse the events land there too; with an S3 object store the detail hands out presigned URLs that fetch
// the object's bytes from s3rver.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { INGEST_EVENTS_PATH } from '../../src/core/ingest-wire.ts';
import { startServer, type ControlPlane } from '../../src/server/index.ts';
import { createEventStore, createObjectStore, readClickHouseSettings, readS3Settings, type ArtifactRecordEvent, type ManagedEventStore } from '../../src/sinks/index.ts';
import { memoryLog, requestEvent, transactionArtifact } from '../../src/sinks/test-support.ts';
import { freePort, stopAll } from '../helpers/children.ts';
import { tempDir } from '../helpers/servers.ts';
import { eventually, startHarness, TEST_SCRYPT } from './server-fixture.ts';
import { CLICKHOUSE_PASSWORD, CLICKHOUSE_USER, clickHouseMissing, S3_BUCKET, S3_KEY, S3_SECRET, startClickHouse, startS3rver } from './storage-servers.ts';

type Harness = Awaited<ReturnType<typeof startHarness>>;
type Summary = { id: string; agentId: string | null; agentName: string | null; url: string; host: string };

/** A Request event of the gateway tests: its own id space (gw-n), a recent time, a query string to strip. */
const gatewayEvent = (n: number, minutesAgo = 5) =>
  requestEvent(n, {
    requestId: `gw-${n}`,
    connectionId: `gwc-${n}`,
    url: `https://gw.example.com/v1/items/${n}?api_key=secret-${n}&page=2`,
    host: 'gw.example.com',
    timestamp: new Date(Date.now() - minutesAgo * 60_000 + n).toISOString(),
  });

async function registerAgent(h: Harness, name: string): Promise<{ id: string; token: string }> {
  const enrollment = await h.json<{ secret: string }>('/api/v1/agents/enrollment-tokens', { method: 'POST', role: 'admin', body: { name: `enroll ${name}` } });
  const reg = await h.json<{ agent: { id: string }; token: string }>('/api/v1/agents/register', { method: 'POST', token: enrollment.body.secret, body: { name } });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  return { id: reg.body.agent.id, token: reg.body.token };
}

function pulseStore(url: string, token: string, spoolDir: string): ManagedEventStore {
  return createEventStore(
    { type: 'pulse', url, allow_insecure: true, token: { type: 'env', value: 'TEST_AGENT_TOKEN' } },
    { log: memoryLog('error').log, spoolDir, env: { TEST_AGENT_TOKEN: token }, closeTimeoutMs: 2000 },
  );
}

const post = (url: string, token: string | undefined, body: Uint8Array<ArrayBuffer> | string, headers: Record<string, string> = {}) =>
  fetch(`${url}${INGEST_EVENTS_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }), ...headers }, body });

describe('the gateway: agents post events to cleartap serve', () => {
  let h: Harness;
  let agent: { id: string; token: string };
  const root = tempDir('server-ingest');
  before(async () => {
    h = await startHarness();
    agent = await registerAgent(h, 'edge-1');
  });
  after(async () => {
    await h?.close();
    await stopAll();
  });

  const list = async (query: string) => {
    const r = await h.json<{ items: Summary[] }>(`/api/v1/transactions?limit=1000&${query}`, { role: 'viewer' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.items;
  };

  it('a pulse event store delivers gzipped batches; the transactions show with their agent, filterable, query values stripped', async () => {
    const store = pulseStore(h.url, agent.token, join(root, 'spool-1'));
    await store.verify();
    for (let n = 1; n <= 30; n++) store.submit(gatewayEvent(n));
    assert.equal(await store.whenDelivered(10_000), true);
    await store.close();
    assert.equal(store.counters()['written'], 30);
    assert.equal(store.counters()['rejected_by_server'], 0);
    const mine = await list(`agent=edge-1`);
    assert.equal(mine.length, 30);
    assert.ok(mine.every((t) => t.agentId === agent.id && t.agentName === 'edge-1'));
    assert.deepEqual(await list(`agent=${agent.id}&host=gw.example.com`).then((l) => l.length), 30);
    assert.equal(mine.find((t) => t.id === 'gw-7')?.url, 'https://gw.example.com/v1/items/7?api_key=&page=');
    // The local store's own transactions have no agent, and the filter leaves them out.
    assert.equal((await list('')).filter((t) => t.agentId === null).length, h.traffic.length);
    assert.deepEqual(await list('agent=nobody'), []);
    const detail = await h.json<{ events: Array<{ type: string; item: Record<string, unknown> }> }>('/api/v1/transactions/gw-7', { role: 'viewer' });
    assert.equal(detail.status, 200);
    assert.equal(detail.body.events[0].item.url, 'https://gw.example.com/v1/items/7?api_key=&page=');
  });

  it('the server down, then up: the spool keeps every event and delivers it once the server is back', async () => {
    const port = await freePort();
    const store = pulseStore(`http://127.0.0.1:${port}`, agent.token, join(root, 'spool-2'));
    for (let n = 101; n <= 140; n++) store.submit(gatewayEvent(n));
    await eventually(() => ((store.counters()['failed_attempts'] ?? 0) >= 2 ? true : undefined), 10_000, 'failed attempts while the server is down');
    assert.equal(await store.whenDelivered(300), false);
    const second: ControlPlane = await startServer({ dataDir: h.dataDir, host: '127.0.0.1', port, log: memoryLog('error').log, version: '0.0.0-test', scrypt: TEST_SCRYPT, pollIntervalMs: 50 });
    try {
      assert.equal(await store.whenDelivered(15_000), true);
      await store.close();
      const c = store.counters();
      assert.equal(c['written'], 40);
      assert.equal(Object.entries(c).filter(([k, v]) => k.startsWith('dropped') && v > 0).length, 0, JSON.stringify(c));
    } finally {
      await second.close();
    }
    const ids = new Set((await list('agent=edge-1')).map((t) => t.id));
    for (let n = 101; n <= 140; n++) assert.ok(ids.has(`gw-${n}`), `gw-${n}`);
  });

  it('a retried batch is answered again and written once', async () => {
    const batch = { batchId: 'retry-1', retry: false, events: [{ id: 'r-1', type: 'request', item: gatewayEvent(201).item }] };
    const first = await post(h.url, agent.token, new Uint8Array(gzipSync(JSON.stringify(batch))), { 'content-encoding': 'gzip' });
    assert.deepEqual(await first.json(), { batchId: 'retry-1', accepted: 1, rejected: 0, droppedFields: 0, duplicate: false });
    const again = await post(h.url, agent.token, JSON.stringify({ ...batch, retry: true }));
    assert.deepEqual(await again.json(), { batchId: 'retry-1', accepted: 1, rejected: 0, droppedFields: 0, duplicate: true });
    // Another batch id with the same event (a replay after a restart cut the spool differently): still one row, one event.
    const replay = await post(h.url, agent.token, JSON.stringify({ ...batch, batchId: 'retry-2', retry: true }));
    assert.equal(((await replay.json()) as { accepted: number }).accepted, 1);
    const detail = await h.json<{ events: unknown[] }>('/api/v1/transactions/gw-201', { role: 'viewer' });
    assert.equal(detail.body.events.length, 1);
  });

  it('sanitization: headers, bodies, cookies and unknown fields are dropped; unknown types and events without a time are refused', async () => {
    const base = gatewayEvent(301).item as unknown as Record<string, unknown>;
    const crafted = {
      ...base,
      headers: { authorization: 'Bearer leaked-token', cookie: 'session=leaked-cookie' },
      body: 'leaked-body',
      requestBody: 'eyJsZWFrZWQiOnRydWV9',
      authorization: 'Bearer leaked-token',
      cookies: ['session=leaked-cookie'],
      status: 'two hundred',
    };
    const batch = {
      batchId: 'crafted-1',
      events: [
        { id: 'c-1', type: 'request', item: crafted },
        { id: 'c-2', type: 'http_transaction', item: { request: { body: 'leaked-body' } } },
        { id: 'c-3', type: 'request', item: { ...base, requestId: 'gw-302', timestamp: 'yesterday' } },
        { id: 'c-4', type: 'issue', item: { meta: { connectionId: 'gwc-301', requestId: 'gw-301', secret: 'leaked-meta' }, timestamp: base.timestamp, direction: 'egress', error: 'server_error', responseBody: 'leaked-body' } },
      ],
    };
    const r = await post(h.url, agent.token, JSON.stringify(batch));
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { batchId: 'crafted-1', accepted: 2, rejected: 2, droppedFields: 8, duplicate: false });
    const detail = await h.json('/api/v1/transactions/gw-301', { role: 'admin' });
    assert.equal(detail.status, 200);
    const text = JSON.stringify(detail.body);
    for (const leaked of ['leaked-token', 'leaked-cookie', 'leaked-body', 'eyJsZWFrZWQiOnRydWV9', 'leaked-meta', 'secret-301']) assert.ok(!text.includes(leaked), `${leaked} in ${text}`);
    assert.equal(detail.body.status, null);
    assert.deepEqual(detail.body.events.map((e: { type: string }) => e.type).sort(), ['issue', 'request']);
    assert.equal((await h.json('/api/v1/transactions/gw-302', { role: 'admin' })).status, 404);
    const { ingest } = (await h.json('/readyz')).body.checks;
    assert.ok(ingest.events_rejected >= 2 && ingest.fields_dropped >= 8, JSON.stringify(ingest));
  });

  it('a missing or wrong token is 401, a user token 403, before the body is read', async () => {
    const body = JSON.stringify({ batchId: 'x', events: [] });
    for (const token of [undefined, 'ct_agt_not-a-token']) {
      const r = await post(h.url, token, body);
      assert.equal(r.status, 401);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'CT_ERR_UNAUTHENTICATED');
    }
    assert.equal((await post(h.url, h.tokens.admin, body)).status, 403);
    // The pulse store says the same in its own terms, and retries.
    const store = pulseStore(h.url, 'ct_agt_wrong', join(root, 'spool-3'));
    await assert.rejects(store.verify(), { code: 'CT_ERR_STORE_AUTH' });
    await store.close();
  });

  it('an oversize body is 413, as sent and once inflated; gzip that is not gzip is 400', async () => {
    const big = JSON.stringify({ batchId: 'big', events: [{ id: 'b', type: 'request', item: { pad: 'x'.repeat(9 << 20) } }] });
    const raw = await post(h.url, agent.token, big);
    assert.equal(raw.status, 413);
    assert.equal(((await raw.json()) as { error: { code: string } }).error.code, 'CT_ERR_PAYLOAD_TOO_LARGE');
    const bomb = new Uint8Array(gzipSync(JSON.stringify({ batchId: 'bomb', events: [{ id: 'b', type: 'request', item: { pad: '0'.repeat(40 << 20) } }] })));
    assert.ok(bomb.length < 1 << 20);
    const inflated = await post(h.url, agent.token, bomb, { 'content-encoding': 'gzip' });
    assert.equal(inflated.status, 413);
    assert.equal((await post(h.url, agent.token, 'not gzip', { 'content-encoding': 'gzip' })).status, 400);
    assert.equal((await post(h.url, agent.token, '{}', { 'content-encoding': 'br' })).status, 415);
  });

  it('objects in S3: the detail gives admins a presigned URL that fetches the bytes from the store, and viewers none', async () => {
    const s3 = await startS3rver(join(root, 's3'));
    const entry = { type: 's3', endpoint: `127.0.0.1:${s3.port}`, bucket: S3_BUCKET, insecure: true, access_key: { type: 'text', value: S3_KEY }, secret_key: { type: 'text', value: S3_SECRET } };
    const events = pulseStore(h.url, agent.token, join(root, 'spool-4'));
    const objects = createObjectStore(entry, {
      log: memoryLog('error').log,
      spoolDir: join(root, 'spool-5'),
      onArtifactStored: (item: ArtifactRecordEvent) => events.submit({ type: 'artifact_record', item }),
    });
    const artifact = transactionArtifact(401, { time: new Date(Date.now() - 60_000).toISOString() });
    const withIds = { ...artifact, meta: { ...artifact.meta, requestId: 'gw-401', connectionId: 'gwc-401' } };
    events.submit(requestEvent(401, { requestId: 'gw-401', connectionId: 'gwc-401', timestamp: withIds.meta.timestamp }));
    objects.put(withIds);
    assert.equal(await objects.whenDelivered(10_000), true);
    await objects.close();
    assert.equal(await events.whenDelivered(10_000), true);
    await events.close();

    const server = await startServer({
      dataDir: h.dataDir,
      host: '127.0.0.1',
      port: 0,
      log: memoryLog('error').log,
      version: '0.0.0-test',
      scrypt: TEST_SCRYPT,
      objectStores: [readS3Settings(entry, 'test', {})],
      presignSeconds: 60,
    });
    try {
      const detailAs = async (token: string) => {
        const r = await fetch(`${server.url}/api/v1/transactions/gw-401`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(r.status, 200);
        return ((await r.json()) as { artifacts: Array<{ type: string; digest: string; url: string | null; available: boolean }> }).artifacts;
      };
      const [link] = await detailAs(h.tokens.admin);
      assert.equal(link.type, 'http_transaction');
      assert.equal(link.digest, artifact.digest);
      assert.match(link.url ?? '', /X-Amz-Signature=/);
      assert.match(link.url ?? '', /X-Amz-Expires=60/);
      const fetched = Buffer.from(await (await fetch(link.url as string)).arrayBuffer());
      assert.deepEqual(fetched, Buffer.from(artifact.data));
      assert.equal(createHash('sha1').update(fetched).digest('hex'), artifact.digest);
      // Viewers may not see payloads (the default): no URL to the unredacted bytes.
      const [hidden] = await detailAs(h.tokens.viewer);
      assert.deepEqual({ url: hidden.url, available: hidden.available }, { url: null, available: false });
    } finally {
      await server.close();
      await s3.stop();
    }
  });

  it('with ClickHouse, accepted events land there too, with their agent as tags, once per event', { skip: clickHouseMissing() }, async () => {
    const ch = await startClickHouse(join(root, 'clickhouse'));
    const settings = readClickHouseSettings({ url: ch.url, database: 'gateway_test', username: CLICKHOUSE_USER, password: CLICKHOUSE_PASSWORD }, 'test', {});
    const server = await startServer({ dataDir: h.dataDir, host: '127.0.0.1', port: 0, log: memoryLog('error').log, version: '0.0.0-test', scrypt: TEST_SCRYPT, clickhouse: settings });
    try {
      const store = pulseStore(server.url, agent.token, join(root, 'spool-6'));
      for (let n = 501; n <= 520; n++) store.submit(gatewayEvent(n));
      assert.equal(await store.whenDelivered(15_000), true);
      await store.close();
      const batch = JSON.stringify({ batchId: 'ch-retry', retry: true, events: [{ id: 'ch-1', type: 'request', item: gatewayEvent(521).item }] });
      for (let i = 0; i < 2; i++) assert.equal((await post(server.url, agent.token, batch.replace('ch-retry', `ch-retry-${i}`))).status, 200);
      const count = (where: string) => ch.query(`SELECT count() FROM gateway_test.events WHERE ${where} FORMAT TSV`).then(Number);
      assert.equal(await count("has(tags, 'cleartap.agent:edge-1')"), 21);
      assert.equal(await count(`has(tags, 'cleartap.agent_id:${agent.id}') AND transaction_id = 'gw-521'`), 1);
      assert.equal(await count("url LIKE '%secret-%'"), 0);
      // ClickHouse down: the gateway answers 503 and the agent keeps the batch.
      await ch.stop('SIGKILL');
      const down = await post(server.url, agent.token, JSON.stringify({ batchId: 'ch-down', events: [{ id: 'ch-2', type: 'request', item: gatewayEvent(522).item }] }));
      assert.equal(down.status, 503);
    } finally {
      await server.close();
      await ch.stop();
    }
  });
});
