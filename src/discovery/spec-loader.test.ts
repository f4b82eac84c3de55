import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CleartapError } from '../core/errors.ts';
import { loadSpec, parseSpec } from './spec-loader.ts';
import { serverBasePaths, specOperations, specPathHints } from './spec-operations.ts';

function rejects(text: string, where: RegExp): void {
  assert.throws(() => parseSpec(text, 'spec.yaml'), (err: unknown) => err instanceof CleartapError && err.code === 'CT_ERR_SPEC' && where.test(err.message));
}

test('bad specs are refused with CT_ERR_SPEC and where', () => {
  rejects('openapi: 3.1.0\npaths:\n  /a: [\n', /^spec\.yaml:\d+:\d+: not valid YAML/);
  rejects('{"openapi": "3.1.0", "paths": {', /^spec\.yaml:1:\d+: not valid JSON/);
  rejects('swagger: "2.0"\npaths: {}\n', /Swagger 2\.0/);
  rejects('openapi: 3.1.0\n', /no `paths`/);
  rejects('- a\n- b\n', /not a mapping/);
  rejects('paths: {}\n', /no `openapi: 3\.x`/);
});

test('loadSpec reads YAML and JSON files; a missing file is CT_ERR_SPEC', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ct-spec-'));
  try {
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ openapi: '3.0.0', info: { title: 't', version: '1' }, paths: { '/x': { get: { responses: {} } } } }));
    assert.equal(specOperations((await loadSpec(join(dir, 'a.json'))).doc).length, 1);
    await assert.rejects(loadSpec(join(dir, 'nope.yaml')), (err: unknown) => err instanceof CleartapError && err.code === 'CT_ERR_SPEC');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('operations: server base paths, shared and own parameters, refs', () => {
  const doc = parseSpec(
    `openapi: 3.1.0
info: { title: t, version: '1' }
servers:
  - url: https://api.example.com/{v}
    variables: { v: { default: v2 } }
  - url: /internal
paths:
  /things/{id}:
    parameters: [{ $ref: '#/components/parameters/Id' }, { name: q, in: query, schema: { type: string } }]
    get:
      parameters: [{ name: q, in: query, required: true, schema: { type: integer } }]
      responses: { '200': { $ref: '#/components/responses/Ok' } }
components:
  parameters:
    Id: { name: id, in: path, required: true, schema: { type: integer } }
  responses:
    Ok: { description: ok, content: { application/json: { schema: { type: object } } } }
`,
    'x',
  );
  assert.deepEqual(serverBasePaths(doc), ['/v2', '/internal']);
  const [op] = specOperations(doc);
  assert.deepEqual(op.fullPaths, ['/v2/things/{id}', '/internal/things/{id}']);
  assert.deepEqual(op.parameters.map((p) => `${p.in} ${p.name} ${p.required}`), ['query q true', 'path id true']);
  assert.deepEqual([...(op.responses.get('200')?.keys() ?? [])], ['application/json']);
  assert.deepEqual(specPathHints(doc).map((h) => h.path), ['/v2/things/{id}', '/internal/things/{id}']);
});
