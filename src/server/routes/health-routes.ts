// Liveness, readiness and the API's own description — the routes that need no credentials.

import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.ts';
import { openApiDocument, type RegisteredRoute } from '../openapi/openapi-document.ts';
import { errorSchema } from '../schemas.ts';

const readySchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ready', 'not-ready'] },
    checks: {
      type: 'object',
      required: ['state', 'store'],
      properties: {
        state: { type: 'string', enum: ['ok', 'failing'], description: "The server's own database" },
        store: { type: 'string', enum: ['ok', 'missing'], description: 'missing: no agent has written a local store in the data directory yet' },
        indexed: { type: 'integer', description: 'Records indexed since start' },
        liveStreams: { type: 'integer' },
        ingest: {
          type: 'object',
          description: 'The gateway since start: batches, events accepted, and the drops by name (events_rejected, fields_dropped, write_failures)',
          additionalProperties: { type: 'integer' },
        },
      },
    },
  },
} as const;

export function healthRoutes(app: FastifyInstance, ctx: ServerContext, routes: () => readonly RegisteredRoute[]): void {
  app.get('/healthz', {
    config: { access: 'public' },
    schema: {
      operationId: 'health',
      summary: 'The process is up',
      tags: ['health'],
      response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } },
    },
    handler: async () => ({ status: 'ok' }),
  });

  app.get('/readyz', {
    config: { access: 'public' },
    schema: {
      operationId: 'ready',
      summary: 'The server can answer: its state database works (503 when not); whether a local store is there',
      tags: ['health'],
      response: { 200: readySchema, 503: { ...readySchema, description: 'Not ready' } },
    },
    handler: async (_request, reply) => {
      let state: 'ok' | 'failing' = 'ok';
      try {
        ctx.stateDb.prepare('SELECT 1').get();
      } catch {
        state = 'failing';
      }
      const checks = { state, store: ctx.store.attached ? 'ok' : 'missing', indexed: ctx.indexer.total, liveStreams: ctx.streams.size, ingest: ctx.gateway.counters() };
      return reply.code(state === 'ok' ? 200 : 503).send({ status: state === 'ok' ? 'ready' : 'not-ready', checks });
    },
  });

  let document: Record<string, unknown> | undefined;
  app.get('/api/openapi.json', {
    config: { access: 'public' },
    schema: {
      operationId: 'openApiDocument',
      summary: 'This API as an OpenAPI 3.1 document, generated from the route schemas the server validates with',
      tags: ['health'],
      response: { 200: { type: 'object', additionalProperties: true } },
    },
    handler: async () => (document ??= openApiDocument(routes(), { version: ctx.version, errorSchema })),
  });
}
