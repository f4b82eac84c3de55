// Captured transactions: the filtered, paged list; one transaction in full (payloads redacted for viewers unless
// the settings allow them); and the live tail as server-sent events.

import type { FastifyInstance } from 'fastify';
import { notFound } from '../api-error.ts';
import { userOf } from '../auth/principal.ts';
import type { ServerContext } from '../context.ts';
import { named } from '../openapi/named-schemas.ts';
import { cursorQuery, freeObject, limitQuery, nullable, transactionFilterProperties, transactionSummarySchema } from '../schemas.ts';
import { remoteArtifacts } from '../store/object-links.ts';
import { transactionDetail } from '../store/transaction-detail.ts';
import { listTransactions, summaryById } from '../store/transaction-list.ts';
import { filterOf, type FilterQuery } from './query-values.ts';

/** A slow reader's unsent events beyond this end its stream; it reconnects with Last-Event-ID and loses nothing. */
const MAX_BUFFERED_BYTES = 8 << 20;
const HEARTBEAT_MS = 15_000;

const bodySchema = named('Body', {
  type: 'object',
  description: 'A body as captured: text when it is UTF-8, else base64; or only its size when redacted',
  required: ['size', 'truncated'],
  properties: {
    encoding: { type: 'string', enum: ['utf8', 'base64'] },
    data: { type: 'string' },
    redacted: { type: 'boolean' },
    size: { type: 'integer' },
    truncated: { type: 'boolean' },
  },
});

const headersSchema = { type: ['object', 'null'], additionalProperties: { type: 'string' } } as const;
const nullableBody = { anyOf: [bodySchema, { type: 'null' }] } as const;

const detailSchema = named('TransactionDetail', {
  type: 'object',
  required: [...transactionSummarySchema.required, 'level', 'redacted', 'connection', 'process', 'request', 'response', 'recordText', 'artifacts', 'events'],
  properties: {
    ...transactionSummarySchema.properties,
    level: { type: ['string', 'null'], enum: ['summary', 'details', 'full', null], description: 'What the capture kept: summary, details (headers), full (headers and bodies)' },
    redacted: { type: 'boolean', description: 'Header values, bodies and the command line were withheld from this caller' },
    connection: {
      type: 'object',
      properties: { local: nullable('string'), remote: nullable('string'), tlsLibrary: nullable('string'), tlsSni: nullable('string'), httpVersion: nullable('string') },
    },
    process: {
      type: 'object',
      properties: {
        pid: nullable('integer'),
        exe: nullable('string'),
        user: nullable('string'),
        uid: nullable('integer'),
        cmdline: { type: ['array', 'null'], items: { type: 'string' } },
        cgroup: nullable('string'),
        containerId: nullable('string'),
      },
    },
    request: { type: 'object', properties: { headers: headersSchema, body: nullableBody, bodySize: nullable('integer') } },
    response: {
      type: ['object', 'null'],
      properties: { status: { type: 'integer' }, reason: nullable('string'), headers: headersSchema, body: nullableBody, bodySize: nullable('integer') },
    },
    recordText: { ...nullable('string'), description: 'The http_capture record when it was written in the text format' },
    artifacts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'digest', 'contentType', 'size', 'available', 'url'],
        properties: {
          type: { type: 'string' },
          digest: { type: 'string' },
          contentType: { ...nullable('string'), description: 'null for an object in an S3-compatible store' },
          size: { ...nullable('integer'), description: 'null for an object in an S3-compatible store' },
          available: { type: 'boolean', description: 'The content is inline, or url fetches it' },
          content: nullableBody,
          url: {
            ...nullable('string'),
            description: 'For an object in an S3-compatible store: a presigned GET URL, valid for minutes (the browser fetches the object from the store). Null for local objects, and for callers who may not see payloads',
          },
        },
      },
    },
    events: { type: 'array', items: { type: 'object', required: ['type', 'item'], properties: { type: { type: 'string' }, item: freeObject } } },
  },
});

const { since: _since, until: _until, ...streamFilterProperties } = transactionFilterProperties;

export function transactionRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const redactFor = (role: string) => role === 'viewer' && !ctx.settings.get().viewersSeePayloads;

  app.get<{ Querystring: FilterQuery & { limit: number; cursor?: string } }>('/api/v1/transactions', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'listTransactions',
      summary: 'Captured transactions, newest first, filtered, a page at a time',
      tags: ['transactions'],
      querystring: { type: 'object', additionalProperties: false, properties: { ...transactionFilterProperties, limit: limitQuery(1000, 100), cursor: cursorQuery } },
      response: {
        200: {
          type: 'object',
          required: ['items', 'nextCursor'],
          properties: { items: { type: 'array', items: transactionSummarySchema }, nextCursor: { ...nullable('string'), description: 'Pass as cursor for the next page; null on the last' } },
        },
      },
    },
    handler: async (request) => listTransactions(ctx.store, filterOf(request.query), { limit: request.query.limit, cursor: request.query.cursor }),
  });

  app.get<{ Querystring: FilterQuery }>('/api/v1/transactions/stream', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'streamTransactions',
      summary: 'Live tail: new transactions as server-sent events, through the same filters as the list',
      description:
        'Each event is `event: transaction`, `id: <seq>`, `data: <TransactionSummary JSON>`. A row is sent about a second after it is stored, ' +
        'once both its event and its record are in. Reconnect with Last-Event-ID to resume after the last event seen.',
      tags: ['transactions'],
      querystring: { type: 'object', additionalProperties: false, properties: streamFilterProperties },
      response: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } } },
    },
    handler: async (request, reply) => {
      const filter = filterOf(request.query);
      const lastId = Number(request.headers['last-event-id']);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      res.write('retry: 2000\n: connected\n\n');
      const unsubscribe = ctx.tail.subscribe(filter, Number.isSafeInteger(lastId) && lastId >= 0 ? lastId : undefined, (rows) => {
        for (const row of rows) res.write(`event: transaction\nid: ${row.seq}\ndata: ${JSON.stringify(row)}\n\n`);
        if (res.writableLength > MAX_BUFFERED_BYTES) end();
      });
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
        ctx.streams.delete(end);
        if (!res.writableEnded) res.end();
      };
      ctx.streams.add(end);
      res.on('close', end);
    },
  });

  app.get<{ Params: { id: string } }>('/api/v1/transactions/:id', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'getTransaction',
      summary: 'One transaction with its record (headers and bodies as captured), artifacts and events',
      description:
        'Viewers get header values, bodies and the command line redacted unless the viewersSeePayloads setting is on. ' +
        'Objects kept in an S3-compatible store come as artifacts with a presigned url (not for viewers who may not see payloads).',
      tags: ['transactions'],
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 512 } } },
      response: { 200: detailSchema },
    },
    handler: async (request) => {
      const summary = summaryById(ctx.store, request.params.id);
      const stored = summary === undefined ? undefined : ctx.store.reader()?.show(summary.id);
      if (summary === undefined || stored === undefined) throw notFound(`transaction ${request.params.id}`);
      const redact = redactFor(userOf(request).role);
      const detail = transactionDetail(summary, stored, redact);
      return { ...detail, artifacts: [...detail.artifacts, ...(await remoteArtifacts(stored, ctx.objectUrls, redact))] };
    },
  });
}
