// Agent configuration: validate a document with the agent's own validator, save it as a new version, read the
// history and diff any two versions, and roll a version out (agents get it at their next fetch; each agent's
// progress is tracked). Viewers see text secrets masked; every change goes to the audit log with its diff (also
// masked: the audit log is not the place for credentials).

import type { FastifyInstance } from 'fastify';
import { actorOf, userOf } from '../auth/principal.ts';
import { checkConfig, maskConfigSecrets } from '../config-docs/config-document.ts';
import { unifiedDiff } from '../config-docs/unified-diff.ts';
import type { ServerContext } from '../context.ts';
import { named } from '../openapi/named-schemas.ts';
import { isoTime, limitQuery } from '../schemas.ts';
import type { ConfigVersionRow, RolloutRow } from '../state/config-versions.ts';

const MAX_CONFIG_BYTES = 1 << 20;

const problemSchema = {
  type: 'object',
  required: ['message'],
  properties: { field: { type: 'string' }, message: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' }, severity: { type: 'string', enum: ['error', 'warning'] } },
} as const;

const versionProperties = {
  version: { type: 'integer' },
  sha256: { type: 'string' },
  comment: { type: 'string' },
  createdAt: isoTime,
  createdBy: { type: 'string' },
  warnings: { type: 'array', items: problemSchema },
} as const;
const versionRequired = Object.keys(versionProperties);

const versionSummarySchema = named('ConfigVersionSummary', { type: 'object', required: versionRequired, properties: versionProperties });
const versionSchema = named('ConfigVersion', {
  type: 'object',
  required: [...versionRequired, 'yaml', 'masked'],
  properties: { ...versionProperties, yaml: { type: 'string' }, masked: { type: 'boolean', description: 'Text secrets were masked for this caller' } },
});

const rolloutStateCounts = {
  type: 'object',
  required: ['pending', 'delivered', 'applied', 'failed'],
  properties: { pending: { type: 'integer' }, delivered: { type: 'integer' }, applied: { type: 'integer' }, failed: { type: 'integer' } },
} as const;

const rolloutSchema = named('Rollout', {
  type: 'object',
  required: ['id', 'version', 'comment', 'createdAt', 'createdBy', 'current', 'agents'],
  properties: {
    id: { type: 'integer' },
    version: { type: 'integer' },
    comment: { type: 'string' },
    createdAt: isoTime,
    createdBy: { type: 'string' },
    current: { type: 'boolean', description: 'The rollout agents get now (the latest)' },
    agents: rolloutStateCounts,
  },
});

const rolloutDetailSchema = named('RolloutDetail', {
  type: 'object',
  required: [...rolloutSchema.required, 'perAgent'],
  properties: {
    ...rolloutSchema.properties,
    perAgent: {
      type: 'array',
      items: {
        type: 'object',
        required: ['agentId', 'name', 'state', 'error', 'updatedAt'],
        properties: {
          agentId: { type: 'string' },
          name: { type: 'string' },
          state: { type: 'string', enum: ['pending', 'delivered', 'applied', 'failed'] },
          error: { type: ['string', 'null'] },
          updatedAt: { type: ['string', 'null'], format: 'date-time' },
        },
      },
    },
  },
});

const yamlSchema = { type: 'string', minLength: 1, maxLength: MAX_CONFIG_BYTES, description: 'The config document (Qtap version: 2 YAML)' } as const;
const versionParam = { type: 'integer', minimum: 1 } as const;

export function configRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const summaryOf = (r: ConfigVersionRow) => ({
    version: r.version,
    sha256: r.sha256,
    comment: r.comment,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
    warnings: JSON.parse(r.warnings) as unknown[],
  });
  const rolloutOf = (r: RolloutRow) => {
    const perAgent = ctx.configs.agentStates(r.id);
    const agents = { pending: 0, delivered: 0, applied: 0, failed: 0 };
    for (const a of perAgent) agents[a.state]++;
    return { rollout: { id: r.id, version: r.version, comment: r.comment, createdAt: new Date(r.created_at).toISOString(), createdBy: r.created_by, current: ctx.configs.currentRollout()?.id === r.id, agents }, perAgent };
  };
  const masks = (role: string) => role === 'viewer';

  app.post<{ Body: { yaml: string } }>('/api/v1/config/validate', {
    config: { access: 'editor' },
    bodyLimit: MAX_CONFIG_BYTES * 2,
    schema: {
      operationId: 'validateConfig',
      summary: "Check a config document with the agent's validator, without saving it",
      description: 'Invalid documents are answered 400 CT_ERR_CONFIG_INVALID with every problem (line, column, key path) in error.details.',
      tags: ['config'],
      body: { type: 'object', additionalProperties: false, required: ['yaml'], properties: { yaml: yamlSchema } },
      response: { 200: { type: 'object', required: ['valid', 'warnings'], properties: { valid: { type: 'boolean', enum: [true] }, warnings: { type: 'array', items: problemSchema } } } },
    },
    handler: async (request) => ({ valid: true, warnings: checkConfig(request.body.yaml).warnings }),
  });

  app.get<{ Querystring: { limit: number; before?: number } }>('/api/v1/config/versions', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'listConfigVersions',
      summary: 'Config versions, newest first',
      tags: ['config'],
      querystring: { type: 'object', additionalProperties: false, properties: { limit: limitQuery(500, 50), before: { ...versionParam, description: 'Versions older than this' } } },
      response: { 200: { type: 'object', required: ['items', 'latest'], properties: { items: { type: 'array', items: versionSummarySchema }, latest: { type: 'integer', description: '0 when there is none' } } } },
    },
    handler: async (request) => ({ items: ctx.configs.list(request.query.limit, request.query.before).map(summaryOf), latest: ctx.configs.latest()?.version ?? 0 }),
  });

  app.post<{ Body: { yaml: string; comment?: string; baseVersion?: number } }>('/api/v1/config/versions', {
    config: { access: 'editor' },
    bodyLimit: MAX_CONFIG_BYTES * 2,
    schema: {
      operationId: 'createConfigVersion',
      summary: 'Validate a config document and save it as the next version',
      description: 'With baseVersion (the version the edit started from; 0 for none), the save fails with 409 when someone saved a newer version meanwhile.',
      tags: ['config'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['yaml'],
        properties: { yaml: yamlSchema, comment: { type: 'string', maxLength: 1024 }, baseVersion: { type: 'integer', minimum: 0 } },
      },
      response: { 201: versionSummarySchema },
    },
    handler: async (request, reply) => {
      const { yaml, comment, baseVersion } = request.body;
      const { warnings } = checkConfig(yaml);
      const actor = actorOf(request.principal);
      const { created, previous } = ctx.configs.create(yaml, { comment: comment ?? '', warnings, createdBy: actor, baseVersion });
      const from = previous === undefined ? '' : maskConfigSecrets(previous.yaml);
      const diff = unifiedDiff(from, maskConfigSecrets(created.yaml), { from: previous === undefined ? 'empty' : `v${previous.version}`, to: `v${created.version}` });
      ctx.audit.record(actor, 'config.create', `config v${created.version}`, { comment: created.comment, sha256: created.sha256 }, diff);
      return reply.code(201).send(summaryOf(created));
    },
  });

  app.get<{ Params: { version: number } }>('/api/v1/config/versions/:version', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'getConfigVersion',
      summary: 'One config version with its YAML (text secrets masked for viewers)',
      tags: ['config'],
      params: { type: 'object', required: ['version'], properties: { version: versionParam } },
      response: { 200: versionSchema },
    },
    handler: async (request) => {
      const row = ctx.configs.get(request.params.version);
      const masked = masks(userOf(request).role);
      return { ...summaryOf(row), yaml: masked ? maskConfigSecrets(row.yaml) : row.yaml, masked };
    },
  });

  app.get<{ Querystring: { from: number; to: number } }>('/api/v1/config/diff', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'diffConfigVersions',
      summary: 'Unified diff between two config versions (from=0: the empty document)',
      tags: ['config'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: { from: { type: 'integer', minimum: 0 }, to: versionParam },
      },
      response: { 200: { type: 'object', required: ['from', 'to', 'diff'], properties: { from: { type: 'integer' }, to: { type: 'integer' }, diff: { type: 'string', description: "diff -u format; '' when equal" } } } },
    },
    handler: async (request) => {
      const { from, to } = request.query;
      const show = masks(userOf(request).role) ? maskConfigSecrets : (y: string) => y;
      const a = from === 0 ? '' : show(ctx.configs.get(from).yaml);
      const b = show(ctx.configs.get(to).yaml);
      return { from, to, diff: unifiedDiff(a, b, { from: from === 0 ? 'empty' : `v${from}`, to: `v${to}` }) };
    },
  });

  app.post<{ Body: { version: number; comment?: string } }>('/api/v1/config/rollouts', {
    config: { access: 'editor' },
    schema: {
      operationId: 'rollOutConfig',
      summary: 'Roll a config version out: every agent gets it at its next config fetch',
      tags: ['config'],
      body: { type: 'object', additionalProperties: false, required: ['version'], properties: { version: versionParam, comment: { type: 'string', maxLength: 1024 } } },
      response: { 201: rolloutSchema },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request.principal);
      const { rollout, previous } = ctx.configs.rollout(request.body.version, { comment: request.body.comment ?? '', createdBy: actor });
      const before = previous === undefined ? '' : maskConfigSecrets(ctx.configs.get(previous.version).yaml);
      const after = maskConfigSecrets(ctx.configs.get(rollout.version).yaml);
      const diff = unifiedDiff(before, after, { from: previous === undefined ? 'nothing rolled out' : `v${previous.version} (rollout ${previous.id})`, to: `v${rollout.version} (rollout ${rollout.id})` });
      ctx.audit.record(actor, 'config.rollout', `config v${rollout.version}`, { rolloutId: rollout.id, previousVersion: previous?.version ?? null, comment: rollout.comment }, diff);
      return reply.code(201).send(rolloutOf(rollout).rollout);
    },
  });

  app.get<{ Querystring: { limit: number; before?: number } }>('/api/v1/config/rollouts', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'listRollouts',
      summary: 'Rollouts, newest first, with how many agents are at each state',
      tags: ['config'],
      querystring: { type: 'object', additionalProperties: false, properties: { limit: limitQuery(500, 50), before: { type: 'integer', minimum: 1, description: 'Rollouts older than this id' } } },
      response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: rolloutSchema } } } },
    },
    handler: async (request) => ({ items: ctx.configs.listRollouts(request.query.limit, request.query.before).map((r) => rolloutOf(r).rollout) }),
  });

  app.get<{ Params: { rolloutId: number } }>('/api/v1/config/rollouts/:rolloutId', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'getRollout',
      summary: "One rollout with each agent's state: pending (not fetched), delivered, applied or failed",
      tags: ['config'],
      params: { type: 'object', required: ['rolloutId'], properties: { rolloutId: { type: 'integer', minimum: 1 } } },
      response: { 200: rolloutDetailSchema },
    },
    handler: async (request) => {
      const { rollout, perAgent } = rolloutOf(ctx.configs.getRollout(request.params.rolloutId));
      return { ...rollout, perAgent };
    },
  });
}
