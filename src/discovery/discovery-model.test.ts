import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryModel } from './discovery-model.ts';
import { makeTx } from './fixtures/transactions.ts';
import { openApiDocument } from './openapi-document.ts';

test('servers are told apart by scheme, host and port (default ports dropped)', () => {
  const m = new DiscoveryModel();
  m.add(makeTx('GET', 'https://a.example:443/x'));
  m.add(makeTx('GET', 'https://a.example/x'));
  m.add(makeTx('GET', 'http://a.example:8080/x'));
  m.add(makeTx('GET', 'https://B.example/x'));
  assert.deepEqual(m.serverOrigins(), ['http://a.example:8080', 'https://a.example', 'https://b.example']);
  const snap = m.snapshot((o) => o.startsWith('https://a.'));
  assert.equal(snap.servers.length, 1);
  assert.equal(snap.servers[0].endpoints[0].aggregate.calls, 2);
  assert.equal(snap.servers[0].authority, 'a.example');
});

test('static assets and CORS preflights are counted and skipped', () => {
  const m = new DiscoveryModel();
  assert.equal(m.add(makeTx('GET', 'https://a.example/static/app.js')), false);
  assert.equal(m.add(makeTx('GET', 'https://a.example/favicon.ico?v=2')), false);
  assert.equal(m.add(makeTx('OPTIONS', 'https://a.example/api', { headers: [['Access-Control-Request-Method', 'POST']] })), false);
  assert.equal(m.add(makeTx('OPTIONS', 'https://a.example/api')), true);
  assert.equal(m.counters.skippedStaticAssets, 2);
  assert.equal(m.counters.skippedCorsPreflights, 1);
  assert.equal(m.counters.transactions, 1);
});

test('servers past the limit are counted and dropped', () => {
  const m = new DiscoveryModel({ maxServers: 2 });
  for (const h of ['a', 'b', 'c', 'c']) m.add(makeTx('GET', `https://${h}.example/`));
  assert.equal(m.size().servers, 2);
  assert.equal(m.counters.droppedServerLimit, 2);
});

test('live use: snapshots are independent of the model and of each other', () => {
  const m = new DiscoveryModel();
  m.add(makeTx('GET', 'https://a.example/items/1', { response: { id: 1 } }));
  const first = m.snapshot();
  first.servers[0].endpoints[0].aggregate.calls = 999;
  m.add(makeTx('GET', 'https://a.example/items/2', { response: { id: 2, name: 'x' } }));
  const second = m.snapshot();
  const ep = second.servers[0].endpoints[0];
  assert.equal(ep.aggregate.calls, 2);
  assert.equal(ep.aggregate.responses.get(200)?.bodies.get('application/json')?.schema.object?.props.size, 2);
  assert.equal(first.servers[0].endpoints[0].aggregate.responses.get(200)?.bodies.get('application/json')?.schema.object?.props.size, 1);
});

test('memory grows with endpoints, not transactions', () => {
  const m = new DiscoveryModel();
  for (let i = 0; i < 20000; i++) {
    m.add(makeTx('GET', `https://a.example/v1/users/${i}/orders/${i * 7}?page=${i % 50}`, { response: { id: i, email: `u${i}@mail.example`, at: new Date(i * 1000).toISOString() } }));
  }
  assert.deepEqual(m.size(), { servers: 1, routeNodes: 6 });
  const [ep] = m.snapshot().servers[0].endpoints;
  assert.equal(ep.path, '/v1/users/{userId}/orders/{orderId}');
  assert.equal(ep.aggregate.calls, 20000);
  assert.ok(JSON.stringify([...(ep.aggregate.responses.get(200)?.bodies.values() ?? [])].map((b) => b.schema)).length < 2000);
});

test('bodies cut short by the capture limit are counted, their media type still documented', () => {
  const m = new DiscoveryModel();
  const tx = makeTx('POST', 'https://a.example/upload', { body: { a: 1 } });
  tx.request.body = tx.request.body.subarray(0, 4);
  tx.request.bodyTruncated = true;
  m.add(tx);
  assert.equal(m.counters.bodiesTruncated, 1);
  const agg = m.snapshot().servers[0].endpoints[0].aggregate;
  assert.deepEqual([...agg.requestBodies.keys()], ['application/json']);
  assert.equal(agg.requestBodies.get('application/json')?.unparsed, 1);
});

test('bodies not kept by the capture level: media type known, no schema', () => {
  const m = new DiscoveryModel();
  const tx = makeTx('GET', 'https://a.example/x', { response: { a: 1 } });
  if (tx.response !== undefined) tx.response.body = new Uint8Array(0);
  m.add(tx);
  const stats = m.snapshot().servers[0].endpoints[0].aggregate.responses.get(200)?.bodies.get('application/json');
  assert.equal(stats?.absent, 1);
  assert.equal(stats?.parsed, 0);
});

test('request bodies the server refused do not make fields optional; alone, they are still published', () => {
  const m = new DiscoveryModel();
  for (let i = 0; i < 10; i++) m.add(makeTx('POST', 'https://a.example/users', { body: { name: `n${i}`, email: `e${i}@mail.example` }, status: 201, response: { id: i } }));
  m.add(makeTx('POST', 'https://a.example/users', { body: { name: 'no email' }, status: 422, response: { error: 'invalid' } }));
  m.add(makeTx('POST', 'https://a.example/users', { body: { name: 'x', email: 'x@mail.example', extra: true }, noResponse: true }));
  m.add(makeTx('POST', 'https://a.example/imports', { body: { rows: [] }, status: 400 }));
  const doc = openApiDocument(m.snapshot().servers[0]) as Record<string, any>;
  const users = doc.paths['/users'].post.requestBody.content['application/json'];
  assert.deepEqual(users.schema.required, ['email', 'name']);
  assert.equal(users.schema.properties.extra, undefined);
  assert.equal(users.example.name, 'n0');
  assert.deepEqual(doc.paths['/imports'].post.requestBody.content['application/json'].schema, { type: 'object', properties: { rows: { type: 'array', items: {} } }, required: ['rows'] });
});

test('paths deeper than the trie follows are cut and counted', () => {
  const m = new DiscoveryModel();
  m.add(makeTx('GET', `https://a.example/${Array.from({ length: 40 }, (_, i) => `s${String.fromCharCode(97 + (i % 26))}`).join('/')}`));
  assert.equal(m.counters.routePathsTooDeep, 1);
  assert.equal(m.size().routeNodes, 33);
});
