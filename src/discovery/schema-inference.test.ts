// Schema inference and merging on hand-built value sets: what every sample agreed on is published, nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addValue, cloneSketch, MAX_PROPS, mergeSketch, newSketch, type ValueSketch } from './value-sketch.ts';
import { schemaOf } from './schema-emit.ts';

function sketchOf(values: unknown[]): ValueSketch {
  const s = newSketch();
  for (const v of values) addValue(s, v);
  return s;
}

test('types and formats', () => {
  const s = schemaOf(
    sketchOf([
      { id: 1, big: 2 ** 40, price: 9.5, ok: true, at: '2024-06-01T10:00:00Z', day: '2024-06-01', mail: 'a@b.example', uid: '123e4567-e89b-12d3-a456-426614174000', site: 'https://x.example/', ip: '10.1.2.3', ip6: '::1' },
    ]),
  );
  const p = s.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(p.id, { type: 'integer', format: 'int32' });
  assert.deepEqual(p.big, { type: 'integer', format: 'int64' });
  assert.deepEqual(p.price, { type: 'number', format: 'double' });
  assert.deepEqual(p.ok, { type: 'boolean' });
  assert.equal(p.at.format, 'date-time');
  assert.equal(p.day.format, 'date');
  assert.equal(p.mail.format, 'email');
  assert.deepEqual(p.mail['x-sensitive'], ['pii:email']);
  assert.equal(p.uid.format, 'uuid');
  assert.equal(p.site.format, 'uri');
  assert.equal(p.ip.format, 'ipv4');
  assert.equal(p.ip6.format, 'ipv6');
});

test('required vs optional from presence; nullable as a type union', () => {
  const s = schemaOf(sketchOf([{ a: 1, b: 'x', c: null }, { a: 2, c: 'y' }, { a: 3, b: 'z', c: 'w' }]));
  assert.deepEqual(s.required, ['a', 'c']);
  const p = s.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(p.c.type, ['string', 'null']);
  assert.equal(p.b.type, 'string');
});

test('integers and decimals together are numbers; unrelated types are anyOf', () => {
  assert.deepEqual(schemaOf(sketchOf([1, 2.5])), { type: 'number', format: 'double' });
  assert.deepEqual(schemaOf(sketchOf([1, 'x', null])), { anyOf: [{ type: 'integer', format: 'int32' }, { type: 'string' }, { type: 'null' }] });
  assert.deepEqual(schemaOf(newSketch()), {});
});

test('arrays and nested objects', () => {
  const s = schemaOf(sketchOf([{ items: [{ sku: 'a', qty: 1 }, { sku: 'b' }], meta: { page: 1 } }]));
  const p = s.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(p.items, {
    type: 'array',
    items: { type: 'object', properties: { qty: { type: 'integer', format: 'int32' }, sku: { type: 'string' } }, required: ['sku'] },
  });
  assert.deepEqual(p.meta, { type: 'object', properties: { page: { type: 'integer', format: 'int32' } }, required: ['page'] });
});

test('enums only for small closed sets seen often', () => {
  const statuses = Array.from({ length: 40 }, (_, i) => ['active', 'inactive', 'pending'][i % 3]);
  assert.deepEqual(schemaOf(sketchOf(statuses)), { type: 'string', enum: ['active', 'inactive', 'pending'] });
  assert.deepEqual(schemaOf(sketchOf(statuses.slice(0, 5))), { type: 'string' }, 'too few samples');
  const names = Array.from({ length: 40 }, (_, i) => `name${i}`);
  assert.deepEqual(schemaOf(sketchOf(names)), { type: 'string' }, 'too many values');
  assert.deepEqual(schemaOf(sketchOf(Array(40).fill('same'))), { type: 'string' }, 'one value is not an enum');
  assert.deepEqual(schemaOf(sketchOf([...statuses, null])), { type: ['string', 'null'], enum: ['active', 'inactive', 'pending', null] });
});

test('numeric bounds only once they stopped moving', () => {
  const growing = Array.from({ length: 100 }, (_, i) => i);
  assert.deepEqual(schemaOf(sketchOf(growing)), { type: 'integer', format: 'int32' });
  const settled = [0, 100, ...Array.from({ length: 60 }, (_, i) => i % 100)];
  assert.deepEqual(schemaOf(sketchOf(settled)), { type: 'integer', format: 'int32', minimum: 0, maximum: 100 });
});

test('id-like keys and keys past the cap share one additionalProperties schema', () => {
  const s = schemaOf(sketchOf([{ '2024-06-01': 3, '2024-06-02': 4 }]));
  assert.deepEqual(s, { type: 'object', additionalProperties: { type: 'integer', format: 'int32' } });
  const wide: Record<string, number> = {};
  for (let i = 0; i < MAX_PROPS + 10; i++) wide[`field_${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`] = i;
  const sk = sketchOf([wide]);
  assert.equal(sk.object?.props.size, MAX_PROPS);
  assert.equal(sk.object?.extra?.count, 10);
});

test('merging sketches equals adding everything to one', () => {
  const a = [{ id: 1, tags: ['x'], kind: 'a' }, { id: 2, kind: 'b', extra: null }];
  const b = [{ id: 3.5, tags: [], kind: 'a', mail: 'q@r.example' }];
  const merged = cloneSketch(sketchOf(a));
  mergeSketch(merged, sketchOf(b));
  assert.deepEqual(schemaOf(merged), schemaOf(sketchOf([...a, ...b])));
});

test('memory: a sketch does not grow with the number of distinct values', () => {
  const s = newSketch();
  for (let i = 0; i < 5000; i++) addValue(s, { id: i, name: `user-${i}`, when: new Date(i * 1000).toISOString() });
  assert.equal(s.object?.props.get('name')?.strings?.values, null);
  assert.ok(JSON.stringify(schemaOf(s)).length < 500);
});
