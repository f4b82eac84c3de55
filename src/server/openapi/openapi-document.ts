// The server's OpenAPI 3.1 document, generated from the routes as registered — their JSON schemas for params,
// query, body and responses, their `access` option — so the document cannot drift from what the server checks.
// The route schemas are JSON Schema that both Ajv (draft-07, fastify's validator) and OpenAPI 3.1 (2020-12)
// read the same way: type lists for nullables, no `nullable`, no draft-specific keywords.

import type { FastifySchema } from 'fastify';
import type { Access } from '../auth/roles.ts';
import { nameOf } from './named-schemas.ts';

export interface RegisteredRoute {
  method: string;
  url: string;
  access: Access;
  schema: FastifySchema;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const ACCESS_TEXT: Readonly<Record<Access, string>> = {
  public: 'No credentials.',
  viewer: 'Any user (role viewer or above).',
  editor: 'Role editor or admin.',
  admin: 'Role admin.',
  agent: "An agent's token (from POST /api/v1/agents/register).",
  enrollment: 'An enrollment token.',
};

const STATUS_TEXT: Readonly<Record<string, string>> = {
  '200': 'OK',
  '201': 'Created',
  '204': 'No content',
  '302': 'Found: a redirect (Location)',
  '304': 'Not modified (the ETag in If-None-Match is current)',
  '400': 'Invalid input: error.details name each field',
  '401': 'Missing, unknown, expired or revoked credentials',
  '403': 'Authenticated, but not allowed on this route',
  '404': 'Not found',
  '409': 'Conflicts with the current state',
  default: 'An error (see error.code)',
};

class Components {
  readonly schemas: Record<string, unknown> = {};

  /** A copy of schema for the document, with every named schema inside it (but not itself) as a $ref. */
  convert(schema: unknown, top = true): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.convert(s, false));
    if (!isObject(schema)) return schema;
    const name = nameOf(schema);
    if (name !== undefined && !top) {
      if (!(name in this.schemas)) {
        this.schemas[name] = {}; // placeholder: a schema that refers to itself ends here
        this.schemas[name] = this.convert(schema, true);
      }
      return { $ref: `#/components/schemas/${name}` };
    }
    const out: Json = {};
    for (const [k, v] of Object.entries(schema)) out[k] = this.convert(v, false);
    return out;
  }

  /** schema as a value inside another: a named schema becomes a $ref. */
  nested(schema: unknown): unknown {
    return this.convert(schema, false);
  }
}

function parametersOf(components: Components, schema: unknown, where: 'path' | 'query'): Json[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(schema.properties).map(([name, s]) => {
    const converted = components.nested(s);
    const { description, ...rest } = isObject(converted) ? converted : {};
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' && { description }),
      schema: rest,
    };
  });
}

function responsesOf(components: Components, route: RegisteredRoute): Json {
  const out: Json = {};
  for (const [status, schema] of Object.entries(route.schema.response ?? {})) {
    if (!isObject(schema)) continue;
    const description = typeof schema.description === 'string' ? schema.description : (STATUS_TEXT[status] ?? 'Response');
    if (status === '204' || status === '302' || status === '304') out[status] = { description };
    else if (isObject(schema.content)) {
      const content: Json = {};
      for (const [type, media] of Object.entries(schema.content)) content[type] = { schema: components.nested(isObject(media) ? media.schema : {}) };
      out[status] = { description, content };
    } else {
      // A named schema stays whole (it becomes a $ref); an inline one loses the description the response took.
      const { description: _d, ...rest } = schema;
      out[status] = { description, content: { 'application/json': { schema: components.nested(nameOf(schema) !== undefined ? schema : rest) } } };
    }
  }
  const error = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const add = (status: string) => {
    if (!(status in out)) out[status] = { description: STATUS_TEXT[status], ...error };
  };
  if (route.schema.params !== undefined || route.schema.querystring !== undefined || route.schema.body !== undefined) add('400');
  if (route.access !== 'public') {
    add('401');
    add('403');
  }
  if (route.schema.params !== undefined) add('404');
  add('default');
  return out;
}

const openApiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

export function openApiDocument(routes: readonly RegisteredRoute[], info: { version: string; errorSchema: object }): Json {
  const components = new Components();
  components.schemas.Error = components.convert(info.errorSchema, true);
  const paths: Record<string, Json> = {};
  const sorted = [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  for (const route of sorted) {
    const s = route.schema;
    const operation: Json = {
      operationId: s.operationId ?? `${route.method.toLowerCase()}${openApiPath(route.url).replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      ...(s.summary !== undefined && { summary: s.summary }),
      description: `${s.description !== undefined ? `${s.description}\n\n` : ''}Access: ${ACCESS_TEXT[route.access]}`,
      ...(s.tags !== undefined && { tags: [...s.tags] }),
      'x-cleartap-access': route.access,
      security: route.access === 'public' ? [] : route.access === 'agent' || route.access === 'enrollment' ? [{ bearerToken: [] }] : [{ bearerToken: [] }, { sessionCookie: [] }],
    };
    const parameters = [...parametersOf(components, s.params, 'path'), ...parametersOf(components, s.querystring, 'query')];
    if (parameters.length > 0) operation.parameters = parameters;
    if (s.body !== undefined) operation.requestBody = { required: true, content: { 'application/json': { schema: components.nested(s.body) } } };
    operation.responses = responsesOf(components, route);
    (paths[openApiPath(route.url)] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'cleartap control plane',
      version: info.version,
      description:
        'REST API of `cleartap serve`: captured transactions, the API inventory, traffic metrics, agents and their configuration, users and tokens. ' +
        'Errors are `{"error": {"code", "message", "details"?}}` with stable codes. Every operation states the role it needs (x-cleartap-access).',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.flatMap((r) => r.schema.tags ?? []))].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token (ct_api_…), an agent token (ct_agt_…) or an enrollment token (ct_enr_…).' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'cleartap_session', description: 'Set by POST /api/v1/auth/login.' },
      },
    },
  };
}
