// The API inventory the agent infers from traffic: servers, endpoints, each server's OpenAPI document (JSON or
// YAML, inline or as a download), and drift between what was observed and an uploaded spec.

import type { FastifyInstance } from 'fastify';
import { CleartapError } from '../../core/errors.ts';
import { driftReport, parseSpec, renderDocument, type Json } from '../../discovery/index.ts';
import { ApiError, notFound } from '../api-error.ts';
import type { ServerContext } from '../context.ts';
import { named } from '../openapi/named-schemas.ts';
import { freeObject, nullable, nullableTime } from '../schemas.ts';

const serverSchema = named('InventoryServer', {
  type: 'object',
  required: ['id', 'server', 'endpoints', 'calls', 'firstSeen', 'lastSeen'],
  properties: {
    id: { ...nullable('string'), description: 'Names the server in URLs; null while its document is not written yet' },
    server: { type: 'string', description: 'Origin: scheme://host[:port]' },
    endpoints: { type: 'integer' },
    calls: { type: 'integer' },
    firstSeen: nullableTime,
    lastSeen: nullableTime,
  },
});

const latencySchema = {
  type: ['object', 'null'],
  properties: { p50: { type: 'number' }, p90: { type: 'number' }, p99: { type: 'number' }, max: { type: 'number' }, mean: { type: 'number' } },
} as const;

const endpointSchema = named('InventoryEndpoint', {
  type: 'object',
  required: ['serverId', 'server', 'method', 'path', 'calls'],
  properties: {
    serverId: nullable('string'),
    server: { type: 'string' },
    method: { type: 'string' },
    path: { type: 'string', description: 'Path template: /v1/items/{id}' },
    firstSeen: nullableTime,
    lastSeen: nullableTime,
    calls: { type: 'integer' },
    statuses: { type: 'object', additionalProperties: { type: 'integer' } },
    errorRate: { type: 'number' },
    latencyMs: latencySchema,
    auth: { type: 'array', items: { type: 'string' }, description: "Security schemes it was called with; 'none' for calls without credentials" },
    sensitive: { type: 'array', items: { type: 'string' }, description: 'Sensitive-data tags (email, credit card, …)' },
  },
});

const driftItems = { type: 'array', items: freeObject } as const;
const driftSchema = named('DriftReport', {
  type: 'object',
  required: ['spec', 'summary', 'shadow', 'zombie', 'undocumentedParameters', 'undocumentedStatusCodes', 'undocumentedFields', 'typeMismatches'],
  properties: {
    spec: { type: 'string' },
    summary: { type: 'object', additionalProperties: { type: 'integer' } },
    shadow: { ...driftItems, description: 'Observed, not documented' },
    zombie: { ...driftItems, description: 'Documented, never observed' },
    undocumentedParameters: driftItems,
    undocumentedStatusCodes: driftItems,
    undocumentedFields: driftItems,
    typeMismatches: driftItems,
  },
});

const serverIdParams = { type: 'object', required: ['serverId'], properties: { serverId: { type: 'string', minLength: 1, maxLength: 300, pattern: '^[A-Za-z0-9._-]+$' } } } as const;
const downloadQuery = { type: 'object', additionalProperties: false, properties: { download: { type: 'boolean', default: false, description: 'Send as an attachment' } } } as const;

export function inventoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/inventory/servers', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'listInventoryServers',
      summary: 'Servers seen in the traffic, with their endpoint and call counts',
      tags: ['inventory'],
      response: {
        200: {
          type: 'object',
          required: ['generatedAt', 'items', 'counters'],
          properties: { generatedAt: nullableTime, items: { type: 'array', items: serverSchema }, counters: { type: 'object', additionalProperties: { type: 'integer' } } },
        },
      },
    },
    handler: async () => {
      const inv = ctx.inventory.load();
      return { generatedAt: inv.generatedAt, items: inv.servers, counters: inv.counters };
    },
  });

  app.get<{ Querystring: { serverId?: string; method?: string; q?: string; sensitive?: string } }>('/api/v1/inventory/endpoints', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'listInventoryEndpoints',
      summary: 'Endpoints (method and path template) with calls, statuses, latency, auth and sensitive-data tags',
      tags: ['inventory'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          serverId: serverIdParams.properties.serverId,
          method: { type: 'string', pattern: '^[A-Za-z]+$', maxLength: 16 },
          q: { type: 'string', minLength: 1, maxLength: 256, description: 'Text in the path template' },
          sensitive: { type: 'string', minLength: 1, maxLength: 64, description: 'Only endpoints with this sensitive-data tag' },
        },
      },
      response: { 200: { type: 'object', required: ['generatedAt', 'items'], properties: { generatedAt: nullableTime, items: { type: 'array', items: endpointSchema } } } },
    },
    handler: async (request) => {
      const { serverId, method, q, sensitive } = request.query;
      const inv = ctx.inventory.load();
      const items = inv.endpoints.filter(
        (e) =>
          (serverId === undefined || e.serverId === serverId) &&
          (method === undefined || e.method === method.toUpperCase()) &&
          (q === undefined || e.path.toLowerCase().includes(q.toLowerCase())) &&
          (sensitive === undefined || (e.sensitive as string[]).includes(sensitive)),
      );
      return { generatedAt: inv.generatedAt, items };
    },
  });

  const documentOf = (serverId: string) => {
    const doc = ctx.inventory.load().documents.get(serverId);
    if (doc === undefined) throw notFound(`server ${serverId}`);
    return doc;
  };

  app.get<{ Params: { serverId: string }; Querystring: { download: boolean } }>('/api/v1/inventory/servers/:serverId/openapi.json', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'getServerOpenApiJson',
      summary: "The server's inferred OpenAPI 3.1 document, as JSON",
      tags: ['inventory'],
      params: serverIdParams,
      querystring: downloadQuery,
      response: { 200: { type: 'object', additionalProperties: true, description: 'An OpenAPI 3.1 document' } },
    },
    handler: async (request, reply) => {
      const { id, doc } = documentOf(request.params.serverId);
      if (request.query.download) reply.header('content-disposition', `attachment; filename="${id}.openapi.json"`);
      return doc;
    },
  });

  app.get<{ Params: { serverId: string }; Querystring: { download: boolean } }>('/api/v1/inventory/servers/:serverId/openapi.yaml', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'getServerOpenApiYaml',
      summary: "The server's inferred OpenAPI 3.1 document, as YAML",
      tags: ['inventory'],
      params: serverIdParams,
      querystring: downloadQuery,
      response: { 200: { description: 'An OpenAPI 3.1 document', content: { 'application/yaml': { schema: { type: 'string' } } } } },
    },
    handler: async (request, reply) => {
      const { id, doc } = documentOf(request.params.serverId);
      if (request.query.download) reply.header('content-disposition', `attachment; filename="${id}.openapi.yaml"`);
      return reply.type('application/yaml; charset=utf-8').send(renderDocument(doc, 'yaml'));
    },
  });

  app.post<{ Body: { spec: string; name?: string; serverIds?: string[] } }>('/api/v1/inventory/drift', {
    config: { access: 'viewer' },
    bodyLimit: 8 << 20,
    schema: {
      operationId: 'checkDrift',
      summary: 'Drift between the observed traffic and a given OpenAPI 3.x spec (YAML or JSON text)',
      description: 'Shadow endpoints (seen, undocumented), zombie operations (documented, never seen), undocumented parameters, status codes and fields, and type mismatches.',
      tags: ['inventory'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['spec'],
        properties: {
          spec: { type: 'string', minLength: 1, maxLength: 8 << 20, description: 'The spec document, YAML or JSON' },
          name: { type: 'string', minLength: 1, maxLength: 256, description: 'Names the spec in the report and in parse errors' },
          serverIds: { type: 'array', maxItems: 1000, items: serverIdParams.properties.serverId, description: 'Compare only these servers (default: all)' },
        },
      },
      response: { 200: driftSchema },
    },
    handler: async (request) => {
      const name = request.body.name ?? 'spec';
      let spec: Json;
      try {
        spec = parseSpec(request.body.spec, name) as Json;
      } catch (err) {
        if (err instanceof CleartapError && err.code === 'CT_ERR_SPEC') throw new ApiError('CT_ERR_SPEC_INVALID', err.message, { details: [{ field: 'body.spec', message: err.message }] });
        throw err;
      }
      const docs = ctx.inventory.load().documents;
      const ids = request.body.serverIds ?? [...docs.keys()];
      const observed = ids.map((id) => {
        const d = docs.get(id);
        if (d === undefined) throw notFound(`server ${id}`);
        return d.doc as Json;
      });
      return driftReport(observed, spec, name);
    },
  });
}
