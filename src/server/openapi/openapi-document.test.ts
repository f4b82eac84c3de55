import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { named } from './named-schemas.ts';
import { openApiDocument } from './openapi-document.ts';

describe('openApiDocument', () => {
  const errorSchema = named('Err', { type: 'object', properties: { error: { type: 'object' } } });
  const thing = named('Thing', { type: 'object', properties: { id: { type: 'string' } } });
  const doc = openApiDocument(
    [
      {
        method: 'GET',
        url: '/api/v1/things/:thingId',
        access: 'editor',
        schema: {
          operationId: 'getThing',
          tags: ['things'],
          params: { type: 'object', properties: { thingId: { type: 'string', description: 'which' } } },
          querystring: { type: 'object', required: ['q'], properties: { q: { type: 'string' }, n: { type: 'integer' } } },
          response: { 200: { type: 'object', properties: { thing, list: { type: 'array', items: thing } } } },
        },
      },
      { method: 'GET', url: '/healthz', access: 'public', schema: { response: { 200: thing } } },
    ],
    { version: '1.2.3', errorSchema },
  ) as any;

  it('writes paths with {params}, parameters from the schemas, and named schemas once as $refs', () => {
    const op = doc.paths['/api/v1/things/{thingId}'].get;
    assert.equal(op.operationId, 'getThing');
    assert.deepEqual(op.parameters, [
      { name: 'thingId', in: 'path', required: true, description: 'which', schema: { type: 'string' } },
      { name: 'q', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'n', in: 'query', required: false, schema: { type: 'integer' } },
    ]);
    const body = op.responses['200'].content['application/json'].schema;
    assert.deepEqual(body.properties.thing, { $ref: '#/components/schemas/Thing' });
    assert.deepEqual(body.properties.list.items, { $ref: '#/components/schemas/Thing' });
    assert.deepEqual(doc.components.schemas.Thing, { type: 'object', properties: { id: { type: 'string' } } });
    assert.deepEqual(doc.paths['/healthz'].get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/Thing' });
  });

  it('states the access, the security and the error responses each route can give', () => {
    const op = doc.paths['/api/v1/things/{thingId}'].get;
    assert.equal(op['x-cleartap-access'], 'editor');
    assert.deepEqual(op.security, [{ bearerToken: [] }, { sessionCookie: [] }]);
    assert.deepEqual(Object.keys(op.responses).sort(), ['200', '400', '401', '403', '404', 'default']);
    assert.deepEqual(op.responses['401'].content['application/json'].schema, { $ref: '#/components/schemas/Error' });
    const health = doc.paths['/healthz'].get;
    assert.deepEqual(health.security, []);
    assert.deepEqual(Object.keys(health.responses).sort(), ['200', 'default']);
    assert.equal(health.operationId, 'getHealthz');
    assert.deepEqual(doc.tags, [{ name: 'things' }]);
  });
});
