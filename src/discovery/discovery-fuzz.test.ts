// Seeded fuzz: arbitrary paths, headers and bodies never make the model throw, and the documents it produces
// from them stay valid OpenAPI 3.1. The seed is in the test name, so a failure reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoveryModel } from './discovery-model.ts';
import { openApiDocument } from './openapi-document.ts';
import { inventoryIndex } from './inventory.ts';
import { makeTx } from './fixtures/transactions.ts';
import { assertValidOpenApi } from './fixtures/validate-openapi.ts';
import { SeededRandom } from '../core/fixtures/seeded-random.ts';

const SEGMENT_CHARS = 'abcXYZ019-_.~%20{}:@!$&()*+,;=é';
const TYPES = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=b', 'text/plain', 'image/png', '', 'application/vnd.api+json; charset=utf-8'];
const JSONISH = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '1', '-2.5e3', '"a"', '"2024-01-01"', ' '];

function randomBody(r: SeededRandom): string | Uint8Array {
  switch (r.int(0, 3)) {
    case 0:
      return r.bytes(r.int(0, 64));
    case 1:
      return Array.from({ length: r.int(1, 40) }, () => r.pick(JSONISH)).join('');
    case 2:
      return JSON.stringify({ a: r.int(0, 9), b: [r.string('xyz', 3), null], c: { d: r.chance(0.5) ? 'x@y.example' : 4 } });
    default:
      return `--b\r\nContent-Disposition: form-data; name="${r.string('ab"', 2)}"\r\n\r\n${r.string('abc', 5)}`;
  }
}

for (const seed of [1, 2, 3]) {
  test(`fuzz seed ${seed}: arbitrary traffic, no throw, valid documents`, async () => {
    const r = new SeededRandom(seed);
    const m = new DiscoveryModel({ maxLiteralChildren: 8, maxNodesPerServer: 200 });
    for (let i = 0; i < 1500; i++) {
      const path = Array.from({ length: r.int(0, 5) }, () => r.string(SEGMENT_CHARS, r.int(1, 8))).join('/');
      const query = r.chance(0.5) ? `?${r.string('ab=&%+', r.int(0, 10))}` : '';
      const tx = makeTx(r.pick(['GET', 'post', 'PUT', 'DELETE', 'OPTIONS', 'X-CUSTOM']), `http://h${r.int(0, 2)}.example/${encodeURI(path)}${query}`, {
        status: r.pick([0, 99, 200, 201, 204, 301, 404, 500, 999]),
        headers: [[r.pick(['Authorization', 'X-Api-Key', 'Cookie', 'X-Thing', 'Accept-Language']), r.string('Bearer eyJ.x =;', r.int(0, 20))]],
        body: r.chance(0.5) ? randomBody(r) : undefined,
        contentType: r.pick(TYPES),
        response: r.chance(0.7) ? randomBody(r) : undefined,
        responseType: r.pick(TYPES),
        durationMs: r.pick([0, 1.5, -1, Number.NaN, 1e9]),
        noResponse: r.chance(0.1),
      });
      if (r.chance(0.1) && tx.response !== undefined) tx.response.bodyTruncated = true;
      m.add(tx);
    }
    const snap = m.snapshot();
    assert.ok(snap.servers.length >= 1);
    assert.ok(m.size().routeNodes <= 3 * 200 + 3 * 16, `${m.size().routeNodes} nodes`);
    inventoryIndex(snap);
    for (const s of snap.servers) await assertValidOpenApi(openApiDocument(s));
  });
}
