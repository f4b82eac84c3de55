import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryModel } from './discovery-model.ts';
import { formatInventory, inventoryIndex } from './inventory.ts';
import { shopTraffic } from './fixtures/shop-traffic.ts';

test('inventory: endpoints with first/last seen, calls, status mix, latency, auth and sensitive tags', () => {
  const m = new DiscoveryModel();
  for (const tx of shopTraffic()) m.add(tx);
  const index = inventoryIndex(m.snapshot(), new Date(0));
  assert.equal(index.generatedAt, '1970-01-01T00:00:00.000Z');
  assert.deepEqual(index.servers.map((s) => [s.server, s.endpoints, s.calls]), [['https://shop.example.com', 10, 126]]);
  const byKey = new Map(index.endpoints.map((e) => [`${e.method} ${e.path}`, e]));
  const product = byKey.get('GET /api/v1/products/{productId}');
  assert.deepEqual(product?.statuses, { '200': 27, '404': 3 });
  assert.deepEqual(product?.auth, ['none']);
  assert.equal(product?.errorRate, 0);
  const order = byKey.get('POST /api/v1/orders');
  assert.deepEqual(order?.auth, ['bearerJwt']);
  assert.deepEqual(order?.sensitive, ['pii:card-number', 'pii:email']);
  assert.ok(order?.firstSeen !== null && order?.lastSeen !== null && (order?.firstSeen ?? '') < (order?.lastSeen ?? ''));
  assert.equal(byKey.get('GET /api/v1/health')?.latencyMs?.p50, 5);
  const text = formatInventory(index);
  assert.match(text, /^https:\/\/shop\.example\.com  10 endpoints, 126 calls$/m);
  assert.match(text, /^ {2}POST {3}\/api\/v1\/orders {2}30 calls {2}201×26 422×4 p50 5 ms p99 5 ms \[pii:card-number, pii:email\]$/m);
});
