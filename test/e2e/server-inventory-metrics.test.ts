// The inventory routes over the documents the agent's LiveDiscovery wrote (each served document passes a real
// OpenAPI validator, as JSON and as YAML), drift against an uploaded spec, and the metrics checked number by
// number against the traffic the store was filled with.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { parse } from 'yaml';
import { StoreConnection } from '../../src/server/store/store-connection.ts';
import { queryMetrics } from '../../src/server/store/metrics-query.ts';
import { memoryLog } from '../../src/sinks/test-support.ts';
import { CONTAINER_A, startHarness, type Harness, type TrafficSpec } from './server-fixture.ts';

/** percentile_cont: the value at rank (n-1)·p/100, interpolated between its neighbours. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const pos = ((v.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  return v[lo] + (pos - lo) * ((v[lo + 1] ?? v[lo]) - v[lo]);
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);

function expectedPoint(specs: TrafficSpec[], bucketMs: number) {
  const d = specs.map((s) => s.durationMs);
  const errors = specs.filter((s) => s.status >= 500).length;
  return {
    requests: specs.length,
    rate: round(specs.length / (bucketMs / 1000)),
    errors,
    clientErrors: specs.filter((s) => s.status >= 400 && s.status < 500).length,
    errorRate: specs.length === 0 ? 0 : round(errors / specs.length),
    bytesSent: specs.reduce((a, s) => a + s.bytesSent, 0),
    bytesReceived: specs.reduce((a, s) => a + s.bytesReceived, 0),
    latencyMs: {
      p50: round(percentile(d, 50)),
      p95: round(percentile(d, 95)),
      p99: round(percentile(d, 99)),
      avg: d.length === 0 ? null : round(d.reduce((a, x) => a + x, 0) / d.length),
      max: d.length === 0 ? null : Math.max(...d),
    },
  };
}

const SPEC = `openapi: 3.1.0
info: { title: shop, version: '1' }
servers: [{ url: 'https://api.example.com' }]
paths:
  /v1/items/{id}:
    get:
      parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
      responses:
        '200': { description: an item }
    delete:
      parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
      responses:
        '204': { description: gone }
`;

describe('inventory and metrics API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('lists the servers and endpoints the agent inferred, with ids that name their documents', async () => {
    const servers = await h.json('/api/v1/inventory/servers', { role: 'viewer' });
    assert.equal(servers.status, 200);
    const byId = Object.fromEntries(servers.body.items.map((s: { id: string }) => [s.id, s]));
    assert.deepEqual(Object.keys(byId).sort(), ['api.example.com', 'auth.example.org', 'shop.internal']);
    assert.equal(byId['api.example.com'].server, 'https://api.example.com');
    assert.equal(byId['api.example.com'].calls, 16);
    assert.equal(byId['api.example.com'].endpoints, 2);
    assert.equal(servers.body.counters.transactions, 24);

    const endpoints = (await h.json('/api/v1/inventory/endpoints', { role: 'viewer' })).body.items as Array<Record<string, any>>;
    const keys = endpoints.map((e) => `${e.method} ${e.serverId} ${e.path}`).sort();
    assert.equal(keys.length, 4);
    assert.match(keys[0], /^GET api\.example\.com \/v1\/items\/\{\w+\}$/);
    assert.deepEqual(keys.slice(1), ['GET shop.internal /health', 'POST api.example.com /v1/orders', 'POST auth.example.org /oauth/token']);
    const items = endpoints.find((e) => e.path.startsWith('/v1/items')) as Record<string, any>;
    assert.equal(items.calls, 12);
    assert.deepEqual(items.statuses, { 200: 10, 503: 2 });
    assert.deepEqual(items.auth, ['bearerAuth'], 'called with a bearer token');
    assert.deepEqual(items.sensitive, ['pii:email']);

    const filtered = (await h.json('/api/v1/inventory/endpoints?serverId=api.example.com&method=post', { role: 'viewer' })).body.items;
    assert.deepEqual(filtered.map((e: { path: string }) => e.path), ['/v1/orders']);
    assert.equal((await h.json('/api/v1/inventory/endpoints?q=ORDER', { role: 'viewer' })).body.items.length, 1);
    assert.equal((await h.json('/api/v1/inventory/endpoints?sensitive=pii:email', { role: 'viewer' })).body.items.length, 1);
  });

  it('serves each server\'s OpenAPI document as JSON and YAML (both valid OpenAPI 3.1), inline or as a download', async () => {
    const json = await h.call('/api/v1/inventory/servers/api.example.com/openapi.json', { role: 'viewer' });
    assert.equal(json.status, 200);
    assert.equal(json.headers.get('content-disposition'), null);
    const doc = await json.json();
    const result = await validate(structuredClone(doc));
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
    assert.deepEqual(doc.servers, [{ url: 'https://api.example.com' }]);
    assert.ok(Object.keys(doc.paths).includes('/v1/orders'));

    const yaml = await h.call('/api/v1/inventory/servers/api.example.com/openapi.yaml?download=true', { role: 'viewer' });
    assert.equal(yaml.status, 200);
    assert.match(yaml.headers.get('content-type') ?? '', /^application\/yaml/);
    assert.equal(yaml.headers.get('content-disposition'), 'attachment; filename="api.example.com.openapi.yaml"');
    const fromYaml = parse(await yaml.text());
    assert.deepEqual(fromYaml, doc);
    const yamlResult = await validate(fromYaml);
    assert.ok(yamlResult.valid, yamlResult.valid ? '' : compileErrors(yamlResult));
    const download = await h.call('/api/v1/inventory/servers/shop.internal/openapi.json?download=true', { role: 'viewer' });
    assert.equal(download.headers.get('content-disposition'), 'attachment; filename="shop.internal.openapi.json"');

    const missing = await h.json('/api/v1/inventory/servers/nowhere.example/openapi.json', { role: 'viewer' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'CT_ERR_NOT_FOUND');
  });

  it('reports drift against an uploaded spec: shadow, zombie, undocumented status codes and parameters', async () => {
    const r = await h.json('/api/v1/inventory/drift', { method: 'POST', role: 'viewer', body: { spec: SPEC, name: 'shop.yaml', serverIds: ['api.example.com'] } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const d = r.body;
    assert.equal(d.spec, 'shop.yaml');
    assert.deepEqual(d.shadow.map((e: { method: string; path: string }) => `${e.method} ${e.path}`), ['POST /v1/orders']);
    assert.deepEqual(d.zombie, [{ method: 'DELETE', path: '/v1/items/{id}' }]);
    assert.deepEqual(d.undocumentedStatusCodes.map((e: { status: string; calls: number }) => [e.status, e.calls]), [['503', 2]]);
    assert.ok(d.undocumentedParameters.some((p: { name: string; in: string }) => p.name === 'expand' && p.in === 'query'), JSON.stringify(d.undocumentedParameters));
    assert.equal(d.summary.shadow, 1);
    assert.equal(d.summary.zombie, 1);
    // Every server: the other servers' endpoints are shadow too.
    const all = await h.json('/api/v1/inventory/drift', { method: 'POST', role: 'viewer', body: { spec: SPEC } });
    assert.equal(all.body.summary.shadow, 4 - 1);

    const broken = await h.json('/api/v1/inventory/drift', { method: 'POST', role: 'viewer', body: { spec: 'openapi: 3.1.0\npaths: [unclosed', name: 'bad.yaml' } });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.error.code, 'CT_ERR_SPEC_INVALID');
    assert.match(broken.body.error.message, /^bad\.yaml:2:\d+: not valid YAML/);
    const swagger = await h.json('/api/v1/inventory/drift', { method: 'POST', role: 'viewer', body: { spec: '{"swagger": "2.0", "paths": {}}' } });
    assert.equal(swagger.body.error.code, 'CT_ERR_SPEC_INVALID');
    const unknown = await h.json('/api/v1/inventory/drift', { method: 'POST', role: 'viewer', body: { spec: SPEC, serverIds: ['nowhere'] } });
    assert.equal(unknown.status, 404);
  });

  const range = () => `since=${new Date(h.base).toISOString()}&until=${new Date(h.base + 180_000).toISOString()}`;
  const inMinute = (m: number) => (s: TrafficSpec) => s.at >= m * 60_000 && s.at < (m + 1) * 60_000;

  it('computes rate, errors, bytes and latency percentiles per bucket, matching the traffic', async () => {
    const r = await h.json(`/api/v1/metrics?${range()}&bucket=1m`, { role: 'viewer' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.bucketMs, 60_000);
    assert.equal(r.body.groups, 1);
    const [series] = r.body.series;
    assert.equal(series.key, '');
    assert.deepEqual(series.points.map((p: { time: string }) => p.time), [0, 1, 2].map((m) => new Date(h.base + m * 60_000).toISOString()));
    for (const m of [0, 1, 2]) {
      const { time: _t, ...point } = series.points[m];
      assert.deepEqual(point, expectedPoint(h.traffic.filter(inMinute(m)), 60_000), `minute ${m}`);
    }
    assert.deepEqual(series.total, expectedPoint(h.traffic, 180_000));
  });

  it('groups by host, endpoint, process, container and status class; keeps the top N; honours the filters', async () => {
    const grouped = async (query: string) => (await h.json(`/api/v1/metrics?${range()}&bucket=1m&${query}`, { role: 'viewer' })).body;
    const hosts = await grouped('groupBy=host');
    assert.deepEqual(hosts.series.map((s: { key: string; total: { requests: number } }) => [s.key, s.total.requests]), [['api.example.com', 16], ['shop.internal', 5], ['auth.example.org', 3]]);
    const api = hosts.series[0];
    assert.deepEqual(api.total, expectedPoint(h.traffic.filter((s) => s.host === 'api.example.com'), 180_000));
    assert.deepEqual(
      api.points.map((p: { requests: number }) => p.requests),
      [0, 1, 2].map((m) => h.traffic.filter((s) => s.host === 'api.example.com' && inMinute(m)(s)).length),
    );

    const endpoints = await grouped('groupBy=endpoint');
    const items = endpoints.series.find((s: { key: string }) => s.key.startsWith('GET api.example.com /v1/items/'));
    assert.match(items.key, /^GET api\.example\.com \/v1\/items\/\{\w+\}$/, 'raw paths are folded into the inventory\'s template');
    assert.deepEqual(items.total, expectedPoint(h.traffic.filter((s) => s.path.startsWith('/v1/items/')), 180_000));
    assert.equal(endpoints.groups, 4);

    const processes = await grouped('groupBy=process&top=2');
    assert.equal(processes.groups, 4);
    assert.deepEqual(processes.series.map((s: { key: string }) => s.key), ['/usr/bin/curl', '/usr/sbin/nginx']);

    const containers = await grouped('groupBy=container');
    assert.deepEqual(containers.series.find((s: { key: string }) => s.key === CONTAINER_A).total.requests, 4);
    assert.equal(containers.series.find((s: { key: string }) => s.key === '').total.requests, 17);

    const statuses = await grouped('groupBy=status&host=api.example.com');
    assert.deepEqual(Object.fromEntries(statuses.series.map((s: { key: string; total: { requests: number } }) => [s.key, s.total.requests])), { '2xx': 13, '5xx': 2, '4xx': 1 });

    const posts = await grouped('method=POST&groupBy=none');
    assert.deepEqual(posts.series[0].total, expectedPoint(h.traffic.filter((s) => s.method === 'POST'), 180_000));
    const nothing = await grouped('host=nowhere.example');
    assert.deepEqual([nothing.groups, nothing.series], [0, []]);
  });

  it('the window-function percentiles (for a SQLite without percentile()) equal the built-in ones', () => {
    const conn = new StoreConnection(h.dataDir, join(h.dataDir, 'server'), memoryLog('warn').log);
    try {
      const req = { filter: { sinceMs: h.base, untilMs: h.base + 180_000 }, bucketMs: 60_000, groupBy: 'host' as const, top: 10 };
      const fallback = queryMetrics(conn, req, new Map(), { nativePercentile: false });
      assert.deepEqual(fallback, queryMetrics(conn, req, new Map(), { nativePercentile: true }));
      assert.deepEqual(fallback.series[0].total.latencyMs, expectedPoint(h.traffic.filter((s) => s.host === 'api.example.com'), 1).latencyMs);
    } finally {
      conn.close();
    }
  });

  it('refuses ranges with too many buckets, and bad sizes, naming the field', async () => {
    for (const [query, field] of [
      ['since=7d&bucket=1s', 'querystring.bucket'],
      ['bucket=0s', 'querystring.bucket'],
      ['bucket=fast', 'querystring.bucket'],
      ['groupBy=planet', 'querystring.groupBy'],
      ['top=0', 'querystring.top'],
      ['since=1h&until=2h', 'querystring.until'],
      ['since=2026-02-30T00:00:00Z', 'querystring.since'],
      ['until=2026-13-01', 'querystring.until'],
    ]) {
      const r = await h.json(`/api/v1/metrics?${query}`, { role: 'viewer' });
      assert.equal(r.status, 400, query);
      assert.equal(r.body.error.code, 'CT_ERR_VALIDATION', query);
      assert.equal(r.body.error.details[0].field, field, `${query}: ${JSON.stringify(r.body)}`);
    }
  });
});
