// Generated documents pass a real OpenAPI 3.1 validator and say what the traffic showed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryModel } from './discovery-model.ts';
import { openApiDocument, renderDocument, serverFileStem } from './openapi-document.ts';
import { makeTx } from './fixtures/transactions.ts';
import { shopTraffic } from './fixtures/shop-traffic.ts';
import { assertValidOpenApi } from './fixtures/validate-openapi.ts';
import { parse } from 'yaml';

type Obj = Record<string, any>;

function shopDocument(): Obj {
  const m = new DiscoveryModel();
  for (const tx of shopTraffic()) m.add(tx);
  const snap = m.snapshot();
  assert.equal(snap.servers.length, 1);
  return openApiDocument(snap.servers[0]) as Obj;
}

test('the shop document validates as OpenAPI 3.1 (JSON and YAML)', async () => {
  const doc = shopDocument();
  await assertValidOpenApi(doc);
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(doc.servers, [{ url: 'https://shop.example.com' }]);
  assert.deepEqual(Object.keys(doc.paths), [
    '/api/v1/export',
    '/api/v1/health',
    '/api/v1/login',
    '/api/v1/me',
    '/api/v1/orders',
    '/api/v1/orders/{orderId}',
    '/api/v1/products',
    '/api/v1/products/{productId}',
    '/api/v1/uploads',
  ]);
});

test('parameters: path, query (required when always present, enums), headers that matter', () => {
  const doc = shopDocument();
  const list = doc.paths['/api/v1/products'].get;
  const params = Object.fromEntries(list.parameters.map((p: Obj) => [`${p.in} ${p.name}`, p]));
  assert.deepEqual(Object.keys(params).sort(), ['header Accept-Language', 'header X-Request-Source', 'query limit', 'query q', 'query sort']);
  assert.equal(params['query limit'].required, true);
  assert.deepEqual(params['query limit'].schema, { type: 'integer', format: 'int32', minimum: 10, maximum: 12 });
  assert.equal(params['query q'].required, undefined);
  assert.deepEqual(params['query sort'].schema, { type: 'string', enum: ['name', 'price'] });
  const byId = doc.paths['/api/v1/products/{productId}'].get;
  assert.deepEqual(byId.parameters[0], { name: 'productId', in: 'path', required: true, schema: { type: 'integer', format: 'int32' }, example: 1001 }, 'ids kept growing: no bounds');
});

test('responses per status code and media type; request bodies JSON, form, multipart', () => {
  const doc = shopDocument();
  const byId = doc.paths['/api/v1/products/{productId}'].get;
  assert.deepEqual(Object.keys(byId.responses), ['200', '404']);
  const ok = byId.responses['200'].content['application/json'].schema;
  assert.deepEqual(ok.required, ['category', 'id', 'name', 'price', 'stock']);
  assert.deepEqual(ok.properties.category, { type: 'string', enum: ['garden', 'home', 'office'] });
  assert.equal(byId.responses['404'].content['application/json'].schema.properties.error.type, 'string');

  const order = doc.paths['/api/v1/orders'].post;
  assert.equal(order.requestBody.required, true);
  const body = order.requestBody.content['application/json'];
  assert.deepEqual(body.schema.required, ['card', 'email', 'productId', 'quantity']);
  assert.equal(body.schema.properties.email.format, 'email');
  assert.equal(body.example.email, 'user@example.com');
  assert.equal(body.example.card, '************1111');
  assert.deepEqual(Object.keys(order.responses), ['201', '422']);

  const login = doc.paths['/api/v1/login'].post.requestBody.content['application/x-www-form-urlencoded'];
  assert.deepEqual(login.example, { username: 'alice', password: '[REDACTED]' });
  const upload = doc.paths['/api/v1/uploads'].post;
  assert.deepEqual(upload.requestBody.content['multipart/form-data'].schema.properties, { title: { type: 'string' }, file: { type: 'string', contentMediaType: 'image/png' } });
  assert.deepEqual(upload.responses, { '204': { description: 'No Content' } });
  assert.deepEqual(doc.paths['/api/v1/export'].get.responses['200'].content['text/csv'].schema, { type: 'string' });
  assert.deepEqual(doc.paths['/api/v1/health'].get.responses, { default: { description: 'No response was observed' } });
});

test('security schemes: bearer JWT, basic, API keys in header and query, session cookies', () => {
  const doc = shopDocument();
  assert.deepEqual(doc.components.securitySchemes, {
    'apiKeyHeader.x-api-key': { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    'apiKeyQuery.api_key': { type: 'apiKey', in: 'query', name: 'api_key' },
    basicAuth: { type: 'http', scheme: 'basic' },
    bearerJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    'cookie.session': { type: 'apiKey', in: 'cookie', name: 'session' },
  });
  assert.deepEqual(doc.paths['/api/v1/orders/{orderId}'].delete.security, [{ basicAuth: [] }]);
  assert.deepEqual(doc.paths['/api/v1/orders'].post.security, [{ bearerJwt: [] }]);
  assert.equal(doc.paths['/api/v1/products'].get.security, undefined);
  const exportParams = doc.paths['/api/v1/export'].get.parameters;
  assert.equal(exportParams, undefined, 'the api key is a security scheme, not a parameter');
});

test('sensitive data: tagged fields and an endpoint summary', () => {
  const doc = shopDocument();
  const order = doc.paths['/api/v1/orders'].post;
  assert.deepEqual(order['x-sensitive-data'], [
    { in: 'header', name: 'Authorization', tags: ['secret:credentials'] },
    { in: 'requestBody', name: '/email', tags: ['pii:email'] },
    { in: 'requestBody', name: '/card', tags: ['pii:card-number'] },
  ]);
  assert.deepEqual(order.requestBody.content['application/json'].schema.properties.card['x-sensitive'], ['pii:card-number']);
  const login = doc.paths['/api/v1/login'].post;
  assert.ok(login['x-sensitive-data'].some((f: Obj) => f.in === 'response 200' && f.name === '/token' && f.tags.includes('secret:jwt')));
});

test('x-cleartap statistics: calls, first/last seen, status mix, latency', () => {
  const doc = shopDocument();
  const x = doc.paths['/api/v1/products'].get['x-cleartap'];
  assert.equal(x.calls, 30);
  assert.deepEqual(x.statuses, { '200': 30 });
  assert.ok(x.latencyMs.p50 >= 14 && x.latencyMs.p50 <= 16, String(x.latencyMs.p50));
  assert.equal(x.latencyMs.max, 30);
  assert.ok(x.firstSeen < x.lastSeen);
  assert.equal(doc.paths['/api/v1/health'].get['x-cleartap'].noResponse, 1);
});

test('operation ids are unique; odd captures still produce valid documents', async () => {
  const m = new DiscoveryModel();
  m.add(makeTx('GET', 'http://odd.example:8080/a-b/a_b', { response: { x: 1 } }));
  m.add(makeTx('GET', 'http://odd.example:8080/a_b/a-b', { response: [1, 'two', null, { deep: { deeper: [[]] } }] }));
  m.add(makeTx('GET', 'http://odd.example:8080/%7Bweird%7D/x%20y', { status: 999 }));
  m.add(makeTx('PATCH', 'http://odd.example:8080/bad-json', { body: '{"cut": ', response: 'not json', responseType: 'application/json' }));
  m.add(makeTx('GET', 'http://odd.example:8080/bin', { response: new Uint8Array([0, 1, 2]), responseType: 'application/octet-stream' }));
  const server = m.snapshot().servers[0];
  assert.equal(serverFileStem(server), 'odd.example_8080');
  const doc = openApiDocument(server) as Obj;
  await assertValidOpenApi(doc);
  const ids = Object.values(doc.paths).flatMap((item: any) => Object.values(item).map((op: any) => op.operationId));
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(m.counters.bodiesInvalid, 2);
  assert.deepEqual(doc.paths['/bin'].get.responses['200'].content, { 'application/octet-stream': {} });
  assert.deepEqual(parse(renderDocument(doc, 'yaml')), JSON.parse(renderDocument(doc, 'json')));
});
