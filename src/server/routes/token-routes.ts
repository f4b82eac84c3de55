// Users' API tokens, for scripts and the CLI: any user makes their own, with at most their own role; the
// secret is returned once. Admins may list and revoke everyone's.

import type { FastifyInstance } from 'fastify';
import { ApiError } from '../api-error.ts';
import { actorOf, userOf } from '../auth/principal.ts';
import { roleAtLeast, type Role } from '../auth/roles.ts';
import type { ServerContext } from '../context.ts';
import { createdTokenSchema, roleSchema, tokenSchema } from '../schemas.ts';

const DAY_MS = 86_400_000;
export const tokenIdParams = { type: 'object', required: ['tokenId'], properties: { tokenId: { type: 'string', pattern: '^tok_[0-9a-f]{16}$' } } } as const;
export const tokenNameSchema = { type: 'string', minLength: 1, maxLength: 128 } as const;

export function tokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: { all?: boolean } }>('/api/v1/tokens', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'listTokens',
      summary: "The caller's API tokens (admins: everyone's, with all=true)",
      tags: ['tokens'],
      querystring: { type: 'object', additionalProperties: false, properties: { all: { type: 'boolean', default: false } } },
      response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: tokenSchema } } } },
    },
    handler: async (request) => {
      const me = userOf(request);
      if (request.query.all === true && me.role !== 'admin') throw new ApiError('CT_ERR_FORBIDDEN', 'all=true needs the admin role');
      return { items: ctx.tokens.list('api', request.query.all === true ? undefined : me.userId).map((t) => ctx.tokens.view(t)) };
    },
  });

  app.post<{ Body: { name: string; role?: Role; expiresInDays?: number } }>('/api/v1/tokens', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'createToken',
      summary: 'Create an API token for the caller; the secret is in this response only',
      description: "The token's role defaults to the caller's and may not exceed it; it is also capped by the owner's role at each use.",
      tags: ['tokens'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: tokenNameSchema, role: roleSchema, expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 } },
      },
      response: { 201: createdTokenSchema },
    },
    handler: async (request, reply) => {
      const me = userOf(request);
      const role = request.body.role ?? me.role;
      if (!roleAtLeast(me.role, role)) throw new ApiError('CT_ERR_FORBIDDEN', `a ${me.role} cannot make a token with the ${role} role`);
      const { expiresInDays } = request.body;
      const { secret, row } = ctx.tokens.create('api', {
        name: request.body.name,
        role,
        userId: me.userId,
        createdBy: actorOf(request.principal),
        expiresAt: expiresInDays === undefined ? undefined : Date.now() + expiresInDays * DAY_MS,
      });
      ctx.audit.record(actorOf(request.principal), 'token.create', `token ${row.id}`, { name: row.name, role, expiresAt: row.expires_at });
      return reply.code(201).send({ token: ctx.tokens.view(row), secret });
    },
  });

  app.delete<{ Params: { tokenId: string } }>('/api/v1/tokens/:tokenId', {
    config: { access: 'viewer' },
    schema: { operationId: 'revokeToken', summary: 'Revoke one of the caller\'s tokens (admins: anyone\'s)', tags: ['tokens'], params: tokenIdParams, response: { 204: {} } },
    handler: async (request, reply) => {
      const me = userOf(request);
      const row = ctx.tokens.delete('api', request.params.tokenId, me.role === 'admin' ? undefined : me.userId);
      ctx.audit.record(actorOf(request.principal), 'token.revoke', `token ${row.id}`, { name: row.name });
      return reply.code(204).send();
    },
  });
}
