// The accuracy harness: its scoring on hand-made document pairs, and one short run against the sample API that
// must meet the goals (≥ 95% on each figure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareDocuments } from './accuracy.ts';
import { runAccuracy, sampleApiTarget } from './accuracy-run.ts';
import { qtapJsonlSource } from './sources.ts';
import { trafficFromSpec } from './spec-traffic.ts';
import { sampleApiSpec } from './sample-api/spec.ts';

const doc = (paths: Record<string, unknown>) => ({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths });
const json = (schema: unknown) => ({ description: 'x', content: { 'application/json': { schema } } });

test('scoring: endpoints by method and template, parameters by place and name, fields by pointer, type and format', () => {
  const declared = doc({
    '/users/{id}': {
      get: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }, { name: 'fields', in: 'query', schema: { type: 'string' } }], responses: { '200': json({ type: 'object', properties: { id: { type: 'integer' }, at: { type: 'string', format: 'date-time' }, tags: { type: 'array', items: { type: 'string' } } } }) } },
    },
    '/users': { post: { responses: { '201': json({ type: 'object' }) } } },
  });
  const inferred = doc({
    '/users/{userId}': {
      get: { parameters: [{ name: 'userId', in: 'path', required: true, schema: { type: 'integer' } }], responses: { '200': json({ type: 'object', properties: { id: { type: 'number' }, at: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, extra: { type: 'string' } } }) } },
    },
    '/users/me': { get: { responses: { '200': json({ type: 'object' }) } } },
  });
  const r = compareDocuments(declared, [inferred]);
  assert.deepEqual([r.endpointPrecision.hits, r.endpointPrecision.total], [1, 2]);
  assert.deepEqual([r.endpointRecall.hits, r.endpointRecall.total], [1, 2]);
  assert.deepEqual(r.falsePositives, ['GET /users/me']);
  assert.deepEqual(r.missedEndpoints, ['POST /users']);
  assert.deepEqual(r.missedParameters, ['GET /users/{id} query fields']);
  assert.deepEqual(r.wrongFields, ['GET /users/{id} 200 application/json /id: type number vs integer', 'GET /users/{id} 200 application/json /at: format none vs date-time']);
  assert.deepEqual([r.fieldAccuracy.hits, r.fieldAccuracy.total], [3, 5]);
  assert.equal(r.extraFields, 1);
  const observed = new Map([['GET /users/{id} 200 application/json', new Set(['', '/id'])]]);
  const scored = compareDocuments(declared, [inferred], observed);
  assert.deepEqual([scored.fieldAccuracy.hits, scored.fieldAccuracy.total, scored.fieldsNotObserved], [1, 2, 3]);
});

test('traffic: the same seed gives the same requests, every operation is called', () => {
  const spec = sampleApiSpec('http://127.0.0.1:1');
  const opts = { seed: 9, credentials: sampleApiTarget().credentials };
  const a = [...trafficFromSpec(spec, 200, opts)];
  const b = [...trafficFromSpec(spec, 200, opts)];
  assert.deepEqual(a, b);
  assert.equal(new Set(a.slice(0, 33).map((p) => `${p.method} ${p.target.split('?')[0].split('/').slice(0, 3).join('/')}`)).size > 10, true);
});

test('a short run against the sample API meets the goals, through the JSON-lines path', async () => {
  const run = await runAccuracy(sampleApiTarget(3), qtapJsonlSource(), { requests: 1500, seed: 3, concurrency: 4 });
  assert.deepEqual(run.validation, ['']);
  assert.equal(run.transactions, 1500);
  const r = run.report;
  for (const [name, ratio] of Object.entries({ precision: r.endpointPrecision, recall: r.endpointRecall, parameters: r.parameterRecall, fields: r.fieldAccuracy })) {
    assert.ok(ratio.rate >= 0.95, `${name} ${ratio.hits}/${ratio.total}: ${JSON.stringify({ fp: r.falsePositives, missed: r.missedEndpoints, params: r.missedParameters, fields: r.wrongFields.slice(0, 5) })}`);
  }
});
