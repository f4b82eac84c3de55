// Path templating on hand-built traffic: what becomes a parameter, what stays literal, how parameters are named,
// and hints re-applied to traffic already seen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryModel } from './discovery-model.ts';
import { makeTx } from './fixtures/transactions.ts';
import { parseHint } from './hints.ts';

const API = 'https://api.example.com';

function feed(model: DiscoveryModel, requests: Array<[string, string, unknown?]>): void {
  for (const [method, path, response] of requests) model.add(makeTx(method, API + path, { response: response ?? { ok: true } }));
}

function endpoints(model: DiscoveryModel): string[] {
  return model.snapshot().servers.flatMap((s) => s.endpoints.map((e) => `${e.method} ${e.path}`));
}

test('numbers and UUIDs are parameters named after the collection; /me and versions stay literal', () => {
  const m = new DiscoveryModel();
  feed(m, [
    ['GET', '/v1/users/17'],
    ['GET', '/v1/users/123e4567-e89b-12d3-a456-426614174000'],
    ['GET', '/v1/users/me'],
    ['GET', '/v1/users/17/orders/99'],
    ['GET', '/v1/users/search?q=x'],
    ['POST', '/v1/users'],
    ['GET', '/v2/categories/3'],
  ]);
  assert.deepEqual(endpoints(m), [
    'POST /v1/users',
    'GET /v1/users/me',
    'GET /v1/users/search',
    'GET /v1/users/{userId}',
    'GET /v1/users/{userId}/orders/{orderId}',
    'GET /v2/categories/{categoryId}',
  ]);
});

test('a single id-like value is a parameter from the first request (strong kinds)', () => {
  const m = new DiscoveryModel();
  feed(m, [['GET', '/files/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b'], ['DELETE', '/people/42']]);
  assert.deepEqual(endpoints(m), ['GET /files/{fileId}', 'DELETE /people/{personId}']);
});

test('dates and slugs become parameters only once they vary', () => {
  const once = new DiscoveryModel();
  feed(once, [['GET', '/2024-06-01/charges'], ['GET', '/2024-06-01/charges'], ['GET', '/hash/sha256']]);
  assert.deepEqual(endpoints(once), ['GET /2024-06-01/charges', 'GET /hash/sha256']);

  const varied = new DiscoveryModel();
  feed(varied, [
    ['GET', '/reports/2024-06-01'],
    ['GET', '/reports/2024-06-02'],
    ['GET', '/posts/hello-world-2'],
    ['GET', '/posts/release-notes-14'],
  ]);
  assert.deepEqual(endpoints(varied), ['GET /posts/{postId}', 'GET /reports/{reportDate}']);
});

test('e-mails and opaque tokens are parameters', () => {
  const m = new DiscoveryModel();
  feed(m, [['GET', '/accounts/alice@example.com'], ['GET', '/invites/dGhpcyBpcyBhIHRva2VuMTIz']]);
  assert.deepEqual(endpoints(m), ['GET /accounts/{accountEmail}', 'GET /invites/{inviteId}']);
});

test('sibling words with one response shape are values; collections with their own shapes stay routes', () => {
  const m = new DiscoveryModel();
  const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
  feed(m, names.map((n) => ['GET', `/profiles/${n}`, { login: n, followers: 3 }] as [string, string, unknown]));
  const collections = ['users', 'orders', 'products', 'invoices', 'carts', 'reviews'];
  feed(m, collections.map((c) => ['GET', `/${c}`, { [`${c}_total`]: 1 }] as [string, string, unknown]));
  // Under a version, sibling words are collections even when they answer alike.
  feed(m, collections.map((c) => ['GET', `/v1/${c}`, { items: [{ id: 1 }], total: 1 }] as [string, string, unknown]));
  feed(m, [['GET', '/profiles/me', { login: 'x', followers: 1 }]]);
  assert.deepEqual(endpoints(m), [
    'GET /carts',
    'GET /invoices',
    'GET /orders',
    'GET /products',
    'GET /profiles/me',
    'GET /profiles/{profileName}',
    'GET /reviews',
    'GET /users',
    ...collections.map((c) => `GET /v1/${c}`).sort(),
  ]);
});

test('values whose lists are empty or whose optional fields are absent still share one shape', () => {
  const m = new DiscoveryModel();
  const slugs = ['books', 'garden', 'kitchen', 'music', 'office', 'sports', 'toys'];
  slugs.forEach((s, i) => {
    const items = i % 3 === 0 ? [] : [{ id: i, name: `n${i}`, ...(i % 2 === 0 && { description: 'd' }) }];
    feed(m, [['GET', `/categories/${s}/products`, { category: { slug: s, name: s }, items }]]);
  });
  m.add(makeTx('GET', `${API}/categories/unknown-thing/products`, { status: 404, response: { error: 'not_found' } }));
  assert.deepEqual(endpoints(m), ['GET /categories/{categoryName}/products']);
});

test('cardinality cap: a segment with unbounded distinct words folds into one parameter', () => {
  const m = new DiscoveryModel({ maxLiteralChildren: 16 });
  for (let i = 0; i < 500; i++) m.add(makeTx('GET', `${API}/tags/${'abcdefghijklmnopqrstuvwxyz'[i % 26]}${'klmnopqrstuvwxyz'[Math.floor(i / 26) % 16]}word/items`));
  m.add(makeTx('GET', `${API}/tags/search/items`));
  assert.deepEqual(endpoints(m), ['GET /tags/search/items', 'GET /tags/{tagId}/items']);
  assert.ok(m.counters.routeSegmentsFolded >= 16);
  assert.ok(m.counters.routeSegmentsOverflowed > 0);
});

test('node budget: a server past its node count routes new segments to a parameter', () => {
  const m = new DiscoveryModel({ maxNodesPerServer: 50 });
  for (let i = 0; i < 200; i++) m.add(makeTx('GET', `${API}/a${String.fromCharCode(97 + (i % 26))}/b${String.fromCharCode(97 + Math.floor(i / 26))}`));
  const eps = endpoints(m);
  assert.ok(eps.length <= 50, `${eps.length} endpoints`);
  assert.ok(m.counters.routeSegmentsOverflowed > 0);
});

test('hints regroup traffic already captured, and name the parameter', () => {
  const m = new DiscoveryModel();
  feed(m, [['GET', '/teams/red/members'], ['GET', '/teams/blue/members'], ['GET', '/teams/green/members']]);
  assert.deepEqual(endpoints(m), ['GET /teams/blue/members', 'GET /teams/green/members', 'GET /teams/red/members']);
  m.setHints([parseHint('/teams/{team}/members')]);
  assert.deepEqual(endpoints(m), ['GET /teams/{team}/members']);
  const ep = m.snapshot().servers[0].endpoints[0];
  assert.equal(ep.aggregate.calls, 3);
  assert.deepEqual([...(ep.pathParams[0].sketch.strings?.values ?? [])].sort(), ['blue', 'green', 'red']);
  // Hints are views: removing them restores the learned templates.
  m.setHints([]);
  assert.equal(endpoints(m).length, 3);
});

test('a hint literal wins over its parameter; hints limited to a method or host', () => {
  const m = new DiscoveryModel({ hints: [parseHint('/users/{id}'), parseHint('/users/me'), parseHint('POST /tags/{tag}'), parseHint('other.example.com/teams/{t}')] });
  feed(m, [
    ['GET', '/users/me'],
    ['GET', '/users/alice'],
    ['GET', '/users/7'],
    ['GET', '/tags/red'],
    ['POST', '/tags/red'],
    ['GET', '/teams/red'],
  ]);
  assert.deepEqual(endpoints(m), ['GET /tags/red', 'POST /tags/{tag}', 'GET /teams/red', 'GET /users/me', 'GET /users/{id}']);
});

test('parameter names stay unique in one template', () => {
  const m = new DiscoveryModel();
  feed(m, [['GET', '/v1/1/2']]);
  assert.deepEqual(endpoints(m), ['GET /v1/{id}/{id2}']);
});

test('paths: trailing slashes and empty segments ignored, escapes decoded, literals re-encoded', () => {
  const m = new DiscoveryModel();
  feed(m, [['GET', '/a//b/'], ['GET', '/a/b'], ['GET', '/files/my%20docs'], ['GET', '/']]);
  assert.deepEqual(endpoints(m), ['GET /', 'GET /a/b', 'GET /files/my%20docs']);
});
