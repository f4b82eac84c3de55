// The audit log and the server's settings.

import type { FastifyInstance } from 'fastify';
import { actorOf } from '../auth/principal.ts';
import type { ServerContext } from '../context.ts';
import { named } from '../openapi/named-schemas.ts';
import { cursorQuery, freeObject, isoTime, limitQuery, nullable, timeQuery } from '../schemas.ts';
import { invalidField } from '../api-error.ts';
import type { ServerSettings } from '../state/settings.ts';
import { timeValue } from './query-values.ts';

const auditEntrySchema = named('AuditEntry', {
  type: 'object',
  required: ['id', 'time', 'actor', 'action', 'target', 'details', 'diff'],
  properties: {
    id: { type: 'integer' },
    time: isoTime,
    actor: { type: 'string', description: 'alice, alice (token tok_…), agent web-1, enrollment tok_…, anonymous' },
    action: { type: 'string', description: 'config.create, config.rollout, user.create, token.revoke, auth.login, …' },
    target: { type: 'string' },
    details: freeObject,
    diff: { ...nullable('string'), description: 'Unified diff of the change (config, with secrets masked)' },
  },
});

const settingsSchema = named('Settings', {
  type: 'object',
  required: ['viewersSeePayloads'],
  properties: { viewersSeePayloads: { type: 'boolean', description: 'Viewers see captured header values and bodies (default: redacted)' } },
});

export function adminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: { limit: number; cursor?: string; action?: string; actor?: string; since?: string; until?: string } }>('/api/v1/audit', {
    config: { access: 'admin' },
    schema: {
      operationId: 'listAudit',
      summary: 'The audit log, newest first: who changed what, when, with the diff',
      tags: ['audit'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: limitQuery(1000, 100),
          cursor: cursorQuery,
          action: { type: 'string', maxLength: 64, pattern: '^[a-z_.]+$', description: 'An action, or a prefix ending in "." (config.)' },
          actor: { type: 'string', maxLength: 256 },
          since: timeQuery('From (inclusive)'),
          until: timeQuery('Until (exclusive)'),
        },
      },
      response: { 200: { type: 'object', required: ['items', 'nextCursor'], properties: { items: { type: 'array', items: auditEntrySchema }, nextCursor: nullable('string') } } },
    },
    handler: async (request) => {
      const { limit, cursor, action, actor, since, until } = request.query;
      const now = Date.now();
      let beforeId: number | undefined;
      if (cursor !== undefined) {
        beforeId = Number(cursor);
        if (!Number.isSafeInteger(beforeId) || beforeId < 1) throw invalidField('querystring.cursor', 'is not a cursor this server returned');
      }
      const items = ctx.audit.list({ action, actor, sinceMs: timeValue('querystring.since', since, now), untilMs: timeValue('querystring.until', until, now), beforeId, limit: limit + 1 });
      const page = items.slice(0, limit);
      return { items: page, nextCursor: items.length > limit ? String(page[page.length - 1].id) : null };
    },
  });

  app.get('/api/v1/settings', {
    config: { access: 'viewer' },
    schema: { operationId: 'getSettings', summary: "The server's settings", tags: ['settings'], response: { 200: settingsSchema } },
    handler: async () => ctx.settings.get(),
  });

  app.put<{ Body: Partial<ServerSettings> }>('/api/v1/settings', {
    config: { access: 'admin' },
    schema: {
      operationId: 'updateSettings',
      summary: 'Change settings (the keys given)',
      tags: ['settings'],
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: settingsSchema.properties },
      response: { 200: settingsSchema },
    },
    handler: async (request) => {
      const { before, after } = ctx.settings.update(request.body);
      const changes = Object.fromEntries(Object.keys(request.body).map((k) => [k, { from: before[k as keyof ServerSettings], to: after[k as keyof ServerSettings] }]));
      ctx.audit.record(actorOf(request.principal), 'settings.update', 'settings', changes);
      return after;
    },
  });
}
