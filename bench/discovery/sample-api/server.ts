// The sample API as a node:http server. Routes are the declared spec's paths (literal segments win over
// parameters, as in most routers); each request is authenticated per the operation's security, its body parsed
// (JSON, form, multipart) and checked for the declared required fields, then handed to its handler.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SeededRandom } from '../../../src/core/fixtures/seeded-random.ts';
import { BENCH_API_KEY, BENCH_BASIC, BENCH_JWT, HANDLERS, type RequestContext } from './handlers.ts';
import { PATHS, sampleApiSpec } from './spec.ts';
import { seedStore } from './store.ts';

type Obj = Record<string, unknown>;

interface Route {
  method: string;
  segments: string[];
  op: Obj;
}

export interface Credentials {
  bearer: string;
  apiKey: { header: string; value: string };
  basic: { username: string; password: string };
}

export const CREDENTIALS: Credentials = { bearer: BENCH_JWT, apiKey: { header: 'X-API-Key', value: BENCH_API_KEY }, basic: BENCH_BASIC };

export interface RunningApi {
  server: Server;
  baseUrl: string;
  spec: Obj;
  close(): Promise<void>;
}

function routes(): Route[] {
  const out: Route[] = [];
  for (const [path, item] of Object.entries(PATHS)) {
    for (const [method, op] of Object.entries(item)) out.push({ method: method.toUpperCase(), segments: path.split('/').filter((s) => s !== ''), op });
  }
  // Literal segments before parameters, position by position (`/users/me` before `/users/{userId}`).
  const rank = (r: Route) => r.segments.map((s) => (s.startsWith('{') ? '1' : '0')).join('');
  return out.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
}

function match(all: Route[], method: string, parts: string[]): { route: Route; params: Record<string, string> } | undefined {
  for (const route of all) {
    if (route.method !== method || route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const s = route.segments[i];
      if (s.startsWith('{')) params[s.slice(1, -1)] = parts[i];
      else ok = s === parts[i];
    }
    if (ok) return { route, params };
  }
  return undefined;
}

function authorized(op: Obj, req: IncomingMessage): boolean {
  const security = op.security as Array<Record<string, unknown>> | undefined;
  if (security === undefined) return true;
  const scheme = Object.keys(security[0])[0];
  if (scheme === 'bearerAuth') return req.headers.authorization === `Bearer ${BENCH_JWT}`;
  if (scheme === 'apiKeyAuth') return req.headers['x-api-key'] === BENCH_API_KEY;
  return req.headers.authorization === `Basic ${Buffer.from(`${BENCH_BASIC.username}:${BENCH_BASIC.password}`).toString('base64')}`;
}

function parseMultipart(raw: Buffer, contentType: string): { fields: Obj; files: RequestContext['files'] } {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1] ?? '';
  const fields: Obj = {};
  const files: RequestContext['files'] = new Map();
  for (const part of raw.toString('latin1').split(`--${boundary}`).slice(1, -1)) {
    const [head, ...rest] = part.split('\r\n\r\n');
    const content = rest.join('\r\n\r\n').replace(/\r\n$/, '');
    const name = /name="([^"]+)"/.exec(head)?.[1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (name === undefined) continue;
    if (filename !== undefined) files.set(name, { filename, size: content.length, type: /content-type:\s*(\S+)/i.exec(head)?.[1] ?? 'application/octet-stream' });
    else fields[name] = Buffer.from(content, 'latin1').toString('utf8');
  }
  return { fields, files };
}

/** Required fields of the operation's declared JSON/form body that `body` lacks. */
function missingFields(spec: Obj, op: Obj, body: unknown): string[] {
  const content = ((op.requestBody as Obj | undefined)?.content ?? {}) as Record<string, { schema: { $ref: string } }>;
  const ref = Object.values(content)[0]?.schema.$ref;
  if (ref === undefined) return [];
  const schema = ((spec.components as Obj).schemas as Record<string, Obj>)[ref.split('/').pop() as string];
  const required = (schema.required as string[] | undefined) ?? [];
  const b = (typeof body === 'object' && body !== null ? body : {}) as Obj;
  return required.filter((f) => b[f] === undefined);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

export async function startSampleApi(seed = 1): Promise<RunningApi> {
  const table = routes();
  const store = seedStore(seed);
  const rng = new SeededRandom(seed ^ 0x5eed);
  const startedAt = Date.now();
  let spec: Obj = {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      if (url.pathname === '/openapi.json') return send(res, 200, spec);
      const found = match(table, req.method ?? 'GET', url.pathname.split('/').filter((s) => s !== '').map(decodeURIComponent));
      if (found === undefined) return send(res, 404, { error: 'not_found', message: 'no such route' });
      const { route, params } = found;
      if (!authorized(route.op, req)) return send(res, 401, { error: 'unauthorized', message: 'missing or wrong credentials' });
      const raw = Buffer.concat(chunks);
      const type = req.headers['content-type'] ?? '';
      let body: unknown;
      let files: RequestContext['files'] = new Map();
      try {
        if (type.startsWith('application/json')) body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
        else if (type.startsWith('application/x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
        else if (type.startsWith('multipart/form-data')) ({ fields: body, files } = parseMultipart(raw, type));
      } catch {
        return send(res, 422, { error: 'invalid', message: 'body is not valid JSON' });
      }
      if (route.op.requestBody !== undefined && !type.startsWith('multipart/')) {
        const missing = missingFields(spec, route.op, body);
        if (missing.length > 0) return send(res, 422, { error: 'invalid', message: 'required fields missing', details: missing.map((field) => ({ field, issue: 'missing' })) });
      }
      const reply = HANDLERS[route.op.operationId as string]({ params, query: url.searchParams, headers: req.headers, body, files, store, rng, startedAt });
      send(res, reply.status, reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  spec = sampleApiSpec(baseUrl);
  return {
    server,
    baseUrl,
    spec,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
