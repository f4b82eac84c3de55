// The gateway's ingest route: agents (their `pulse` event store) post batches of events, gzipped or plain JSON
// (core/ingest-wire.ts). The access hook has checked the agent token before a byte of the body is read; the
// body is bounded twice — as sent (bodyLimit) and once inflated (a small gzip can inflate to gigabytes) — then
// the envelope is validated by the route schema, and each event's item is sanitized by the gateway.
import { gunzip } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { INGEST_EVENTS_PATH, type IngestBatch } from '../../core/ingest-wire.ts';
import { ApiError } from '../api-error.ts';
import { agentOf } from '../auth/principal.ts';
import type { ServerContext } from '../context.ts';
import { named } from '../openapi/named-schemas.ts';

/** The body as sent (compressed or not). */
export const INGEST_MAX_BODY_BYTES = 8 << 20;
/** The JSON once inflated. */
export const INGEST_MAX_JSON_BYTES = 32 << 20;
export const INGEST_MAX_EVENTS = 5000;

const batchSchema = named('IngestBatch', {
  type: 'object',
  additionalProperties: false,
  required: ['batchId', 'events'],
  properties: {
    batchId: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$', description: 'The same events give the same id: a batch answered before is answered again, not written again' },
    retry: { type: 'boolean', default: false, description: 'An earlier attempt may have landed' },
    events: {
      type: 'array',
      maxItems: INGEST_MAX_EVENTS,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'type', 'item'],
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 256, description: "The event's spool record id on the agent (unique, stable across retries)" },
          type: { type: 'string', maxLength: 64, description: 'request, issue, artifact_record, dns; others are refused (counted in rejected)' },
          item: { type: 'object', description: 'The event (Qtap JSON, camelCase); fields outside the allow-list are dropped' },
        },
      },
    },
  },
});

const resultSchema = named('IngestResult', {
  type: 'object',
  required: ['batchId', 'accepted', 'rejected', 'droppedFields', 'duplicate'],
  properties: {
    batchId: { type: 'string' },
    accepted: { type: 'integer' },
    rejected: { type: 'integer', description: 'Events refused whole: unknown type, or without what every event of its type has' },
    droppedFields: { type: 'integer', description: 'Fields removed from accepted events (headers, bodies, unknown fields, wrong types)' },
    duplicate: { type: 'boolean', description: 'Answered before: nothing was written again' },
  },
});

function inflate(body: Buffer, encoding: string | undefined): Promise<Buffer> {
  const e = (encoding ?? 'identity').trim().toLowerCase();
  if (e === 'identity') return Promise.resolve(body);
  if (e !== 'gzip') return Promise.reject(new ApiError('CT_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${e} is not supported: send gzip or none`));
  return new Promise((resolve, reject) =>
    gunzip(body, { maxOutputLength: INGEST_MAX_JSON_BYTES }, (err, out) => {
      if (err === null) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new ApiError('CT_ERR_PAYLOAD_TOO_LARGE', `the batch inflates to more than ${INGEST_MAX_JSON_BYTES} bytes`));
      else reject(new ApiError('CT_ERR_BAD_REQUEST', `the body is not gzip: ${err.message}`));
    }),
  );
}

export function ingestRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Its own scope, so that this JSON parser (gzip, larger limit) serves this route only.
  void app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: INGEST_MAX_BODY_BYTES }, async (request: FastifyRequest, body: Buffer) => {
      const text = (await inflate(body, request.headers['content-encoding'])).toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new ApiError('CT_ERR_BAD_REQUEST', `the body is not JSON: ${(err as Error).message}`);
      }
    });

    scope.post<{ Body: IngestBatch }>(INGEST_EVENTS_PATH, {
      config: { access: 'agent' },
      bodyLimit: INGEST_MAX_BODY_BYTES,
      schema: {
        operationId: 'ingestEvents',
        summary: "An agent's batch of events (its pulse event store): sanitized, stamped with the agent and stored",
        description:
          `Gzip (Content-Encoding: gzip) or plain JSON; at most ${INGEST_MAX_BODY_BYTES} bytes as sent, ${INGEST_MAX_JSON_BYTES} inflated, ${INGEST_MAX_EVENTS} events. ` +
          'Answered after the events are stored; 503 when a store failed (retry the same batch).',
        tags: ['agent'],
        body: batchSchema,
        response: { 200: resultSchema },
      },
      handler: async (request) => {
        const me = agentOf(request);
        ctx.agents.seen(me.agentId);
        return ctx.gateway.ingest({ agentId: me.agentId, name: me.name }, request.body);
      },
    });
  });
}
