// Drift against a given spec: shadow and zombie endpoints, undocumented parameters, status codes and fields,
// type mismatches; a generated document checked against itself has none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryModel } from './discovery-model.ts';
import { driftReport } from './drift.ts';
import { formatDrift } from './drift-format.ts';
import { openApiDocument } from './openapi-document.ts';
import { specPathHints } from './spec-operations.ts';
import { parseSpec } from './spec-loader.ts';
import { shopTraffic } from './fixtures/shop-traffic.ts';

const SPEC = `
openapi: 3.0.3
info: { title: Shop, version: '1' }
servers:
  - url: https://shop.example.com/api/v1
paths:
  /products:
    get:
      parameters:
        - { name: limit, in: query, schema: { type: integer } }
        - { name: sort, in: query, schema: { type: string } }
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: { type: array, items: { $ref: '#/components/schemas/Product' } }
                  total: { type: integer }
                  next: { type: string, nullable: true }
  /products/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: integer } }
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                allOf:
                  - $ref: '#/components/schemas/Product'
                  - type: object
                    properties:
                      stock: { type: string }
        '4XX': { description: error }
  /orders:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                productId: { type: integer }
                quantity: { type: integer }
                email: { type: string }
                card: { type: string }
      responses:
        '201': { description: created, content: { application/json: { schema: { type: object, additionalProperties: true } } } }
  /orders/{orderId}:
    get:
      responses:
        '200': { description: ok }
  /legacy/reports:
    get:
      responses:
        '200': { description: ok }
components:
  schemas:
    Product:
      type: object
      properties:
        id: { type: integer }
        name: { type: string }
        price: { type: number }
        tags: { type: array, items: { type: string } }
`;

function observedDocs(hints = true) {
  const spec = parseSpec(SPEC, 'shop.yaml');
  const m = new DiscoveryModel({ hints: hints ? specPathHints(spec) : [] });
  for (const tx of shopTraffic()) m.add(tx);
  return { spec, docs: m.snapshot().servers.map((s) => openApiDocument(s)) };
}

test('shadow, zombie, undocumented parameters, status codes, fields and type mismatches', () => {
  const { spec, docs } = observedDocs();
  const r = driftReport(docs, spec, 'shop.yaml');
  assert.deepEqual(
    r.shadow.map((e) => `${e.method} ${e.path} ${e.calls}`),
    ['GET /api/v1/export 1', 'GET /api/v1/health 1', 'POST /api/v1/login 1', 'GET /api/v1/me 1', 'DELETE /api/v1/orders/{orderId} 1', 'POST /api/v1/uploads 1'],
  );
  assert.deepEqual(r.zombie, [{ method: 'GET', path: '/legacy/reports' }]);
  assert.deepEqual(r.undocumentedParameters.map((p) => `${p.method} ${p.path} ${p.in} ${p.name}`), [
    'POST /api/v1/orders header Idempotency-Key',
    'GET /api/v1/products query q',
    'GET /api/v1/products header Accept-Language',
    'GET /api/v1/products header X-Request-Source',
  ]);
  assert.deepEqual(r.undocumentedStatusCodes.map((s) => `${s.method} ${s.path} ${s.status} ${s.calls}`), ['POST /api/v1/orders 422 4']);
  assert.deepEqual(r.undocumentedFields.map((f) => `${f.method} ${f.path} ${f.location} ${f.pointer}`), [
    'POST /api/v1/orders requestBody application/json /note',
    'GET /api/v1/orders/{orderId} response 200 application/json ',
    'GET /api/v1/products response 200 application/json /items/*/createdAt',
    'GET /api/v1/products/{id} response 200 application/json /category',
    'GET /api/v1/products/{id} response 404 application/json ',
  ]);
  assert.deepEqual(r.typeMismatches.map((t) => `${t.path} ${t.location} ${t.name}: ${t.documented.join('|')} vs ${t.observed.join('|')}`), [
    '/api/v1/products/{id} response 200 application/json /stock: string vs integer',
  ]);
  assert.equal(r.summary.matched, 4);
  const text = formatDrift(r);
  assert.match(text, /^Zombie operations \(documented, never seen\) \(1\)\n {2}GET \/legacy\/reports$/m);
  assert.match(text, /GET \/api\/v1\/products\/\{id\} \(documented as \/products\/\{id\}\)  response 200 application\/json \/stock: documented string, observed integer/);
});

test('without the spec as hints, observed templates still match spec paths by segment', () => {
  const { spec, docs } = observedDocs(false);
  const r = driftReport(docs, spec, 'shop.yaml');
  assert.equal(r.summary.matched, 4);
  const mismatch = r.typeMismatches.find((t) => t.location === 'response 200 application/json' && t.name === '/stock');
  assert.equal(mismatch?.documentedPath, '/products/{id}');
  assert.equal(mismatch?.path, '/api/v1/products/{productId}');
});

test('a generated document has no drift against itself', () => {
  const { docs } = observedDocs(false);
  for (const doc of docs) {
    const r = driftReport([doc], doc, 'self');
    const s = r.summary;
    assert.deepEqual([s.shadow, s.zombie, s.undocumentedParameters, s.undocumentedStatusCodes, s.undocumentedFields, s.typeMismatches], [0, 0, 0, 0, 0, 0]);
    assert.equal(s.matched, s.observedEndpoints);
    assert.match(formatDrift(r), /No drift\.\n$/);
  }
});
