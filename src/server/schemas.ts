// JSON schemas shared by several routes (each listed once in the OpenAPI document, by name). Route-specific
// schemas live with their routes. Nullable fields are type lists (['string', 'null']): the form both Ajv and
// OpenAPI 3.1 read. Free-form objects say additionalProperties: true — the response serializer drops what a
// schema does not declare.

import { named } from './openapi/named-schemas.ts';
import { ROLES } from './auth/roles.ts';
import { STATUS_PATTERN } from './store/transaction-filter.ts';

export const nullable = (type: string) => ({ type: [type, 'null'] });
export const isoTime = { type: 'string', format: 'date-time' } as const;
export const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const freeObject = { type: 'object', additionalProperties: true } as const;

export const errorSchema = named('Error', {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable error code (CT_ERR_VALIDATION, CT_ERR_UNAUTHENTICATED, …)' },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['message'],
            properties: {
              field: { type: 'string' },
              message: { type: 'string' },
              line: { type: 'integer' },
              column: { type: 'integer' },
              severity: { type: 'string', enum: ['error', 'warning'] },
            },
          },
        },
      },
    },
  },
});

export const roleSchema = named('Role', { type: 'string', enum: [...ROLES] });

export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@-]*$';
export const MIN_PASSWORD_LENGTH = 8;
export const usernameSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: USERNAME_PATTERN } as const;
export const passwordSchema = { type: 'string', minLength: MIN_PASSWORD_LENGTH, maxLength: 1024, description: `At least ${MIN_PASSWORD_LENGTH} characters` } as const;

export const limitQuery = (max: number, dflt: number) => ({ type: 'integer', minimum: 1, maximum: max, default: dflt, description: `Items per page (1–${max}, default ${dflt})` });

export const cursorQuery = { type: 'string', maxLength: 512, description: 'nextCursor of the previous page' } as const;

/** A time given as an ISO 8601 date-time or as an age before now: 90s, 15m, 2h, 7d. */
export const timeQuery = (what: string) => ({
  type: 'string',
  maxLength: 64,
  pattern: '^((\\d+(\\.\\d+)?(ms|s|m|h|d|w))+|\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?([Zz]|[+-]\\d{2}:?\\d{2})?)?)$',
  description: `${what}: an ISO 8601 time, or an age before now (15m, 2h, 7d)`,
});

export const userSchema = named('User', {
  type: 'object',
  required: ['username', 'role', 'source', 'createdAt', 'updatedAt'],
  properties: {
    username: { type: 'string' },
    role: roleSchema,
    source: { type: 'string', enum: ['local', 'sso'], description: 'local: signs in with a password; sso: through the OIDC identity provider (no password)' },
    createdAt: isoTime,
    updatedAt: isoTime,
  },
});

export const tokenSchema = named('Token', {
  type: 'object',
  required: ['id', 'name', 'role', 'owner', 'createdBy', 'createdAt', 'expiresAt', 'lastUsedAt', 'usesLeft'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    role: { type: ['string', 'null'], enum: [...ROLES, null] },
    owner: nullable('string'),
    createdBy: { type: 'string' },
    createdAt: isoTime,
    expiresAt: nullableTime,
    lastUsedAt: nullableTime,
    usesLeft: nullable('integer'),
  },
});

export const createdTokenSchema = named('CreatedToken', {
  type: 'object',
  required: ['token', 'secret'],
  properties: { token: tokenSchema, secret: { type: 'string', description: 'The token itself: shown this once, never again' } },
});

export const transactionSummarySchema = named('TransactionSummary', {
  type: 'object',
  required: ['id', 'seq', 'time'],
  properties: {
    id: { type: 'string' },
    seq: { type: 'integer', description: 'Position in the store (insertion order); the live tail event id' },
    connectionId: { type: 'string' },
    time: isoTime,
    direction: nullable('string'),
    method: nullable('string'),
    url: nullable('string'),
    host: nullable('string'),
    path: nullable('string'),
    status: nullable('integer'),
    durationMs: nullable('number'),
    processId: nullable('integer'),
    processExe: nullable('string'),
    containerId: nullable('string'),
    bytesSent: nullable('integer'),
    bytesReceived: nullable('integer'),
    contentType: nullable('string'),
    userAgent: nullable('string'),
    agentId: { ...nullable('string'), description: 'The agent that posted the events (pulse event store); null for the local store' },
    agentName: nullable('string'),
  },
});

/** The filters shared by the transaction list, the live tail and the metrics. */
export const transactionFilterProperties = {
  host: { type: 'string', maxLength: 255, pattern: '^[A-Za-z0-9*._:\\[\\]-]+$', description: 'A host name, or a glob (*.example.com)' },
  method: { type: 'string', maxLength: 128, pattern: '^[A-Za-z]+(,[A-Za-z]+)*$', description: 'A method, or a comma list (GET,POST)' },
  pathPrefix: { type: 'string', maxLength: 2048, pattern: '^/', description: 'Paths that start with this' },
  status: {
    type: 'string',
    maxLength: 256,
    pattern: STATUS_PATTERN,
    description: 'A status (404), a class (5xx), a range (400-499), or a comma list of those',
  },
  process: { type: 'string', maxLength: 4096, minLength: 1, description: 'An executable path, an executable name (curl) or a pid' },
  container: { type: 'string', minLength: 4, maxLength: 64, pattern: '^[0-9a-fA-F]+$', description: 'A container id, or the start of one' },
  direction: { type: 'string', enum: ['ingress', 'egress', 'egress-internal', 'egress-external'] },
  agent: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$', description: 'The agent (id or name) that posted the events' },
  since: timeQuery('From (inclusive)'),
  until: timeQuery('Until (exclusive)'),
  q: { type: 'string', minLength: 1, maxLength: 256, description: 'Free text, case-insensitive: URL, host, process, user agent, container, remote address, TLS server name, id, agent name' },
} as const;
