// Agents: enrollment tokens (admin), registration (with an enrollment token, giving the agent its own token),
// the agent's own routes — report status, fetch the rolled-out config (ETag: the version, so an unchanged config
// costs a 304) — and the list of agents with their last status and rollout state.

import type { FastifyInstance } from 'fastify';
import { ApiError } from '../api-error.ts';
import { actorOf, agentOf, enrollmentOf } from '../auth/principal.ts';
import type { ServerContext } from '../context.ts';
import { named } from '../openapi/named-schemas.ts';
import { createdTokenSchema, isoTime, nullable, nullableTime, tokenSchema } from '../schemas.ts';
import type { AgentRow, AgentStatusReport } from '../state/agents.ts';
import { inTransaction } from '../state/state-db.ts';
import { tokenIdParams, tokenNameSchema } from './token-routes.ts';

const HOUR_MS = 3_600_000;
const agentNameSchema = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' } as const;
const agentIdParams = { type: 'object', required: ['agentId'], properties: { agentId: { type: 'string', pattern: '^agt_[0-9a-f]{16}$' } } } as const;
const rolloutStateSchema = { type: 'string', enum: ['pending', 'delivered', 'applied', 'failed'] } as const;

const probeSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['pid', 'exe', 'library', 'attached'],
  properties: {
    pid: { type: 'integer', minimum: 0 },
    exe: { type: 'string', maxLength: 4096 },
    library: { type: 'string', maxLength: 256, description: 'openssl, gnutls, go, node-openssl, …' },
    attached: { type: 'boolean' },
    error: { type: 'string', maxLength: 4096 },
  },
} as const;

const statusReportSchema = named('AgentStatusReport', {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'probes', 'drops'],
  properties: {
    version: { type: 'string', minLength: 1, maxLength: 64 },
    hostname: { type: 'string', maxLength: 255 },
    uptimeSeconds: { type: 'integer', minimum: 0 },
    probes: { type: 'array', maxItems: 10_000, items: probeSchema, description: 'TLS probes per process' },
    drops: { type: 'object', maxProperties: 256, additionalProperties: { type: 'integer', minimum: 0 }, description: 'Drop counters by name (rb_reserve_fail, queue_shed, …)' },
    config: {
      type: 'object',
      additionalProperties: false,
      required: ['version', 'state'],
      properties: { version: { type: 'integer', minimum: 1 }, state: { type: 'string', enum: ['applied', 'failed'] }, error: { type: 'string', maxLength: 65_536 } },
      description: 'How the last fetched config version went',
    },
  },
});

const agentSchema = named('Agent', {
  type: 'object',
  required: ['id', 'name', 'hostname', 'version', 'labels', 'registeredAt', 'lastSeenAt', 'status', 'config'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    hostname: nullable('string'),
    version: nullable('string'),
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    registeredAt: isoTime,
    lastSeenAt: nullableTime,
    status: { anyOf: [{ ...statusReportSchema, additionalProperties: true, properties: { ...statusReportSchema.properties, reportedAt: isoTime } }, { type: 'null' }] },
    config: {
      type: ['object', 'null'],
      description: 'The current rollout as this agent knows it',
      properties: { rolloutId: { type: 'integer' }, version: { type: 'integer' }, state: rolloutStateSchema },
    },
  },
});

const agentConfigSchema = named('AgentConfig', {
  type: 'object',
  required: ['rolloutId', 'version', 'sha256', 'yaml'],
  properties: { rolloutId: { type: 'integer' }, version: { type: 'integer' }, sha256: { type: 'string' }, yaml: { type: 'string' } },
});

export function agentRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const viewOf = (row: AgentRow) => {
    const rollout = ctx.configs.currentRollout();
    return { ...ctx.agents.view(row), config: rollout === undefined ? null : { rolloutId: rollout.id, version: rollout.version, state: ctx.configs.agentState(rollout.id, row.id) } };
  };

  app.get('/api/v1/agents/enrollment-tokens', {
    config: { access: 'admin' },
    schema: { operationId: 'listEnrollmentTokens', summary: 'Enrollment tokens', tags: ['agents'], response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: tokenSchema } } } } },
    handler: async () => ({ items: ctx.tokens.list('enrollment').map((t) => ctx.tokens.view(t)) }),
  });

  app.post<{ Body: { name: string; expiresInHours: number; uses?: number } }>('/api/v1/agents/enrollment-tokens', {
    config: { access: 'admin' },
    schema: {
      operationId: 'createEnrollmentToken',
      summary: 'Create a token agents register with; the secret is in this response only',
      tags: ['agents'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: tokenNameSchema,
          expiresInHours: { type: 'integer', minimum: 1, maximum: 8760, default: 24 },
          uses: { type: 'integer', minimum: 1, maximum: 100_000, description: 'How many registrations it allows (default: any number until it expires)' },
        },
      },
      response: { 201: createdTokenSchema },
    },
    handler: async (request, reply) => {
      const { name, expiresInHours, uses } = request.body;
      const { secret, row } = ctx.tokens.create('enrollment', { name, createdBy: actorOf(request.principal), expiresAt: Date.now() + expiresInHours * HOUR_MS, usesLeft: uses });
      ctx.audit.record(actorOf(request.principal), 'enrollment.create', `token ${row.id}`, { name, expiresAt: row.expires_at, uses: uses ?? null });
      return reply.code(201).send({ token: ctx.tokens.view(row), secret });
    },
  });

  app.delete<{ Params: { tokenId: string } }>('/api/v1/agents/enrollment-tokens/:tokenId', {
    config: { access: 'admin' },
    schema: { operationId: 'revokeEnrollmentToken', summary: 'Revoke an enrollment token (agents registered with it keep their own)', tags: ['agents'], params: tokenIdParams, response: { 204: {} } },
    handler: async (request, reply) => {
      const row = ctx.tokens.delete('enrollment', request.params.tokenId);
      ctx.audit.record(actorOf(request.principal), 'enrollment.revoke', `token ${row.id}`, { name: row.name });
      return reply.code(204).send();
    },
  });

  app.post<{ Body: { name: string; hostname?: string; version?: string; labels?: Record<string, string> } }>('/api/v1/agents/register', {
    config: { access: 'enrollment' },
    schema: {
      operationId: 'registerAgent',
      summary: "Register an agent with an enrollment token; returns the agent's own token (shown once)",
      description: 'Registering again under the same name replaces that agent\'s token and keeps its history.',
      tags: ['agents'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: agentNameSchema,
          hostname: { type: 'string', maxLength: 255 },
          version: { type: 'string', maxLength: 64 },
          labels: { type: 'object', maxProperties: 64, additionalProperties: { type: 'string', maxLength: 256 } },
        },
      },
      response: { 201: { type: 'object', required: ['agent', 'token'], properties: { agent: agentSchema, token: { type: 'string', description: 'The agent token: shown this once' } } } },
    },
    handler: async (request, reply) => {
      const enrollment = enrollmentOf(request);
      const { agent, existed, secret } = inTransaction(ctx.stateDb, () => {
        ctx.tokens.consumeUse(enrollment.tokenId);
        const registered = ctx.agents.register(request.body);
        ctx.tokens.deleteForAgent(registered.agent.id);
        const token = ctx.tokens.create('agent', { name: `agent ${registered.agent.name}`, agentId: registered.agent.id, createdBy: actorOf(request.principal) });
        return { ...registered, secret: token.secret };
      });
      ctx.audit.record(actorOf(request.principal), existed ? 'agent.reregister' : 'agent.register', `agent ${agent.id}`, { name: agent.name, hostname: agent.hostname, version: agent.version });
      return reply.code(201).send({ agent: viewOf(agent), token: secret });
    },
  });

  app.put<{ Body: AgentStatusReport }>('/api/v1/agent/status', {
    config: { access: 'agent' },
    schema: { operationId: 'reportAgentStatus', summary: 'The calling agent reports its version, probes, drop counters and config state', tags: ['agent'], body: statusReportSchema, response: { 204: {} } },
    handler: async (request, reply) => {
      const me = agentOf(request);
      const c = request.body.config;
      if (c !== undefined && !ctx.configs.reportApplied(me.agentId, c.version, c.state, c.error)) {
        throw new ApiError('CT_ERR_VALIDATION', `body.config.version: version ${c.version} was never rolled out`, { details: [{ field: 'body.config.version', message: 'was never rolled out' }] });
      }
      ctx.agents.report(me.agentId, request.body);
      return reply.code(204).send();
    },
  });

  app.get('/api/v1/agent/config', {
    config: { access: 'agent' },
    schema: {
      operationId: 'fetchAgentConfig',
      summary: 'The config rolled out to agents now; send If-None-Match with the last ETag to get 304 while it is unchanged',
      tags: ['agent'],
      response: { 200: agentConfigSchema, 304: {} },
    },
    handler: async (request, reply) => {
      const me = agentOf(request);
      ctx.agents.seen(me.agentId);
      const rollout = ctx.configs.currentRollout();
      if (rollout === undefined) throw new ApiError('CT_ERR_NOT_FOUND', 'no config has been rolled out yet');
      ctx.configs.markDelivered(rollout.id, me.agentId);
      const etag = `"${rollout.version}"`;
      reply.header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      const version = ctx.configs.get(rollout.version);
      return { rolloutId: rollout.id, version: version.version, sha256: version.sha256, yaml: version.yaml };
    },
  });

  app.get('/api/v1/agents', {
    config: { access: 'viewer' },
    schema: { operationId: 'listAgents', summary: 'Registered agents with their last status and the current rollout\'s state', tags: ['agents'], response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: agentSchema } } } } },
    handler: async () => ({ items: ctx.agents.list().map(viewOf) }),
  });

  app.get<{ Params: { agentId: string } }>('/api/v1/agents/:agentId', {
    config: { access: 'viewer' },
    schema: { operationId: 'getAgent', summary: 'One agent', tags: ['agents'], params: agentIdParams, response: { 200: agentSchema } },
    handler: async (request) => viewOf(ctx.agents.get(request.params.agentId)),
  });

  app.delete<{ Params: { agentId: string } }>('/api/v1/agents/:agentId', {
    config: { access: 'admin' },
    schema: { operationId: 'deleteAgent', summary: 'Remove an agent and revoke its token', tags: ['agents'], params: agentIdParams, response: { 204: {} } },
    handler: async (request, reply) => {
      const row = ctx.agents.delete(request.params.agentId);
      ctx.audit.record(actorOf(request.principal), 'agent.delete', `agent ${row.id}`, { name: row.name });
      return reply.code(204).send();
    },
  });
}

