// Authentication, roles and input validation, walked over the server's own route list — so a route added later
// is covered without anyone remembering to: every route but the public ones refuses missing and invalid
// credentials (401) and an insufficient role or the wrong kind of credential (403); every field of every route's
// input is refused when malformed (400 naming the field). Plus sessions (cookie attributes, expiry, logout,
// cross-origin refusal), login throttling, tokens and users, and the OpenAPI document checked by a validator.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { Ajv } from 'ajv';
import { bootstrapAdmin, startServer, type Access, type RegisteredRoute } from '../../src/server/index.ts';
import { memoryLog } from '../../src/sinks/test-support.ts';
import { ADMIN, startHarness, TEST_SCRYPT, type Harness } from './server-fixture.ts';

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; additionalProperties?: unknown; enum?: unknown[] };

const PUBLIC = [
  'GET /api/openapi.json',
  'GET /api/v1/auth/methods',
  'GET /api/v1/auth/oidc/callback',
  'GET /api/v1/auth/oidc/login',
  'GET /healthz',
  'GET /readyz',
  'POST /api/v1/auth/login',
];

/** A value for each path parameter that passes its schema (the rest of the test makes one of them bad). */
const SAMPLE_PARAMS: Record<string, string> = {
  id: 'tx-001',
  username: 'nobody-here',
  tokenId: 'tok_0123456789abcdef',
  agentId: 'agt_0123456789abcdef',
  serverId: 'api.example.com',
  version: '1',
  rolloutId: '1',
};

/** A valid body for each route that takes one (a route added with a body must add its sample here). */
const SAMPLE_BODIES: Record<string, Record<string, unknown>> = {
  'POST /api/v1/auth/login': { username: 'someone', password: 'whatever-pass' },
  'PUT /api/v1/auth/password': { currentPassword: 'x', newPassword: 'long-enough-1' },
  'POST /api/v1/users': { username: 'new-user', password: 'long-enough-1', role: 'viewer' },
  'PATCH /api/v1/users/:username': { role: 'viewer', password: 'long-enough-1' },
  'POST /api/v1/tokens': { name: 't', role: 'viewer', expiresInDays: 1 },
  'POST /api/v1/inventory/drift': { spec: 'openapi: 3.1.0\npaths: {}\n', name: 's', serverIds: ['api.example.com'] },
  'POST /api/v1/agents/enrollment-tokens': { name: 'e', expiresInHours: 1, uses: 1 },
  'POST /api/v1/agents/register': { name: 'agent-x', hostname: 'h', version: '1', labels: { a: 'b' } },
  'POST /api/v1/ingest/events': { batchId: 'b-1', retry: false, events: [] },
  'PUT /api/v1/agent/status': { version: '1', hostname: 'h', uptimeSeconds: 1, probes: [], drops: {}, config: { version: 1, state: 'applied' } },
  'POST /api/v1/config/validate': { yaml: 'version: 2\n' },
  'POST /api/v1/config/versions': { yaml: 'version: 2\n', comment: 'c', baseVersion: 0 },
  'POST /api/v1/config/rollouts': { version: 1, comment: 'c' },
  'PUT /api/v1/settings': { viewersSeePayloads: false },
};

/** Query values some routes require. */
const SAMPLE_QUERIES: Record<string, Record<string, string>> = {
  'GET /api/v1/config/diff': { from: '1', to: '1' },
};

const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const pathOf = (url: string, params: Record<string, string> = SAMPLE_PARAMS) => url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? 'x'));

// Validation as fastify does it (types coerced from strings in the query and the path), to pick bad values.
const ajv = new Ajv({ coerceTypes: 'array', strict: false, allErrors: false, validateFormats: false });
const passes = (schema: Schema, value: unknown) => ajv.validate({ type: 'object', properties: { v: schema } }, { v: value });
const TEXT_CANDIDATES = ['not valid!', '-5', '0', '1.5', 'maybe', 'x'.repeat(600), 'x'.repeat(5000)];
const JSON_CANDIDATES: unknown[] = [12345, 'not valid!', -5, 0, true, [], {}, 'x'.repeat(5000)];
function badValue<T>(schema: Schema, candidates: readonly T[]): T {
  const bad = candidates.find((c) => !passes(schema, c));
  assert.ok(bad !== undefined, `no bad value found for ${JSON.stringify(schema)}`);
  return bad;
}

describe('authentication, roles and validation on every route', () => {
  let h: Harness;
  let routes: readonly RegisteredRoute[];
  let agentToken: string;
  let enrollmentToken: string;
  before(async () => {
    h = await startHarness({ writeTraffic: false });
    routes = h.server.routes;
    enrollmentToken = (await h.json('/api/v1/agents/enrollment-tokens', { method: 'POST', role: 'admin', body: { name: 'tests' } })).body.secret;
    agentToken = (await h.json('/api/v1/agents/register', { method: 'POST', token: enrollmentToken, body: { name: 'auth-test-agent' } })).body.token;
  });
  after(() => h?.close());

  const request = (route: { method: string; url: string }, init: { token?: string; cookie?: string; query?: string; body?: unknown; params?: Record<string, string> } = {}) =>
    fetch(`${h.url}${pathOf(route.url, init.params)}${init.query ? `?${init.query}` : ''}`, {
      method: route.method,
      headers: {
        ...(init.token !== undefined && { authorization: `Bearer ${init.token}` }),
        ...(init.cookie !== undefined && { cookie: init.cookie }),
        ...(init.body !== undefined && { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  /** Status and error body; streams are cancelled once their headers are in. */
  const outcome = async (res: Response): Promise<{ status: number; code?: string; body: any }> => {
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      await res.body?.cancel();
      return { status: res.status, body: undefined };
    }
    const text = await res.text();
    const body = text.startsWith('{') ? JSON.parse(text) : text;
    return { status: res.status, code: body?.error?.code, body };
  };

  const tokenFor = (access: Access | 'none'): string | undefined =>
    access === 'agent' ? agentToken : access === 'enrollment' ? enrollmentToken : access === 'none' || access === 'public' ? undefined : h.tokens[access];
  /** A credential that authenticates but is not enough for the route. */
  const insufficient: Record<Exclude<Access, 'public'>, () => string[]> = {
    viewer: () => [agentToken, enrollmentToken],
    editor: () => [h.tokens.viewer, agentToken],
    admin: () => [h.tokens.editor, h.tokens.viewer],
    agent: () => [h.tokens.admin, enrollmentToken],
    enrollment: () => [h.tokens.admin, agentToken],
  };

  it('every route declares its access; exactly the health, spec, login and sign-in method routes are public', () => {
    assert.ok(routes.length >= 40, `${routes.length} routes`);
    assert.deepEqual(routes.filter((r) => r.access === 'public').map(key).sort(), PUBLIC);
    assert.equal(new Set(routes.map(key)).size, routes.length, 'no route registered twice');
    for (const r of routes) {
      assert.ok(Object.keys((r.schema.response ?? {}) as object).length > 0, `${key(r)} declares its responses`);
      assert.ok(r.schema.operationId && r.schema.summary && r.schema.tags?.length, `${key(r)} has an operationId, a summary and tags`);
    }
  });

  it('every non-public route: 401 without credentials, with an invalid token and with a dead session; 403 with a lesser role or the wrong kind of token', async () => {
    let checked = 0;
    for (const route of routes) {
      if (route.access === 'public') continue;
      const missing = await outcome(await request(route));
      assert.equal(missing.status, 401, `${key(route)} without credentials`);
      assert.equal(missing.code, 'CT_ERR_UNAUTHENTICATED', key(route));
      for (const token of ['ct_api_not-a-real-token', 'garbage']) {
        const invalid = await outcome(await request(route, { token }));
        assert.equal(invalid.status, 401, `${key(route)} with token ${token}`);
        assert.equal(invalid.code, 'CT_ERR_UNAUTHENTICATED');
      }
      assert.equal((await outcome(await request(route, { cookie: 'cleartap_session=ct_ses_expired' }))).status, 401, `${key(route)} dead session`);
      const malformed = await fetch(`${h.url}${pathOf(route.url)}`, { method: route.method, headers: { authorization: 'Basic dXNlcjpwYXNz' } });
      assert.equal(malformed.status, 401, `${key(route)} Basic auth`);
      await malformed.body?.cancel();
      for (const token of insufficient[route.access]()) {
        const denied = await outcome(await request(route, { token }));
        assert.equal(denied.status, 403, `${key(route)} needs ${route.access}`);
        assert.equal(denied.code, 'CT_ERR_FORBIDDEN');
      }
      // The role the route asks for gets past the access check (to a 2xx, 400 or 404: not 401/403).
      const granted = await outcome(await request(route, { token: tokenFor(route.access), query: new URLSearchParams(SAMPLE_QUERIES[key(route)] ?? {}).toString() }));
      assert.ok(![401, 403].includes(granted.status), `${key(route)} with ${route.access}: ${granted.status} ${JSON.stringify(granted.body)}`);
      checked++;
    }
    assert.equal(checked, routes.length - PUBLIC.length);
  });

  it('every input field of every route is validated: a bad value, a missing required field and an unknown field are 400s that name the field', async () => {
    const expect400 = async (route: RegisteredRoute, init: Parameters<typeof request>[1], field: string, what: string) => {
      const r = await outcome(await request(route, { token: tokenFor(route.access), ...init }));
      assert.equal(r.status, 400, `${key(route)} ${what}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.code, 'CT_ERR_VALIDATION', `${key(route)} ${what}`);
      const names = (d: { field: string }) => d.field === field || d.field.startsWith(`${field}[`) || d.field.startsWith(`${field}.`);
      assert.ok(r.body.error.details.some(names), `${key(route)} ${what}: expected ${field} in ${JSON.stringify(r.body.error.details)}`);
    };
    let fields = 0;
    for (const route of routes) {
      const s = route.schema as { params?: Schema; querystring?: Schema; body?: Schema };
      const baseQuery = SAMPLE_QUERIES[key(route)] ?? {};
      for (const [name, schema] of Object.entries(s.params?.properties ?? {})) {
        assert.ok(name in SAMPLE_PARAMS, `add a sample for the path parameter :${name}`);
        await expect400(route, { params: { ...SAMPLE_PARAMS, [name]: badValue(schema, TEXT_CANDIDATES) } }, `params.${name}`, `bad :${name}`);
        fields++;
      }
      if (s.querystring !== undefined) {
        assert.equal(s.querystring.additionalProperties, false, `${key(route)}: the query schema must refuse unknown fields`);
        await expect400(route, { query: new URLSearchParams({ ...baseQuery, unexpected: '1' }).toString() }, 'querystring.unexpected', 'unknown query field');
        for (const [name, schema] of Object.entries(s.querystring.properties ?? {})) {
          await expect400(route, { query: new URLSearchParams({ ...baseQuery, [name]: badValue(schema, TEXT_CANDIDATES) }).toString() }, `querystring.${name}`, `bad ?${name}`);
          fields++;
        }
        for (const name of s.querystring.required ?? []) {
          const { [name]: _gone, ...rest } = baseQuery;
          await expect400(route, { query: new URLSearchParams(rest).toString() }, `querystring.${name}`, `missing ?${name}`);
        }
      }
      if (s.body !== undefined) {
        const sample = SAMPLE_BODIES[key(route)];
        assert.ok(sample !== undefined, `add a sample body for ${key(route)}`);
        assert.equal(s.body.additionalProperties, false, `${key(route)}: the body schema must refuse unknown fields`);
        assert.deepEqual(Object.keys(sample).sort(), Object.keys(s.body.properties ?? {}).sort(), `${key(route)}: the sample body sets every field`);
        await expect400(route, { body: { ...sample, unexpected: 1 } }, 'body.unexpected', 'unknown body field');
        for (const [name, schema] of Object.entries(s.body.properties ?? {})) {
          await expect400(route, { body: { ...sample, [name]: badValue(schema, JSON_CANDIDATES) } }, `body.${name}`, `bad body.${name}`);
          fields++;
        }
        for (const name of s.body.required ?? []) {
          const { [name]: _gone, ...rest } = sample;
          await expect400(route, { body: rest }, `body.${name}`, `missing body.${name}`);
        }
        const notJson = await fetch(`${h.url}${pathOf(route.url)}`, { method: route.method, headers: { 'content-type': 'application/json', ...(tokenFor(route.access) && { authorization: `Bearer ${tokenFor(route.access)}` }) }, body: '{not json' });
        assert.equal(notJson.status, 400, `${key(route)} with a body that is not JSON`);
        assert.equal(((await notJson.json()) as { error: { code: string } }).error.code, 'CT_ERR_BAD_REQUEST');
      }
    }
    assert.ok(fields >= 60, `${fields} fields checked`);
  });

  it('the OpenAPI document passes a validator and describes every route with its access', async () => {
    const res = await fetch(`${h.url}/api/openapi.json`);
    assert.equal(res.status, 200);
    const doc = await res.json();
    const result = await validate(structuredClone(doc));
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
    assert.deepEqual(result.warnings, []);
    assert.equal(doc.openapi, '3.1.0');
    const operations: Array<[string, any]> = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) => Object.entries(item).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op] as [string, any]));
    assert.deepEqual(operations.map(([k]) => k).sort(), routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`).sort());
    for (const route of routes) {
      const op = doc.paths[route.url.replace(/:(\w+)/g, '{$1}')][route.method.toLowerCase()];
      assert.equal(op['x-cleartap-access'], route.access, key(route));
      assert.deepEqual(op.security.length === 0, route.access === 'public', key(route));
      if (route.access !== 'public') assert.ok(op.responses['401'] && op.responses['403'], key(route));
      if (route.schema.body !== undefined || route.schema.querystring !== undefined || route.schema.params !== undefined) assert.ok(op.responses['400'], key(route));
    }
    const ids = operations.map(([, op]) => op.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    assert.deepEqual(doc.paths['/api/v1/transactions/{id}'].get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/TransactionDetail' });
    assert.ok(doc.components.schemas.TransactionSummary.properties.containerId);
    assert.deepEqual(doc.paths['/api/v1/transactions/stream'].get.responses['200'].content, { 'text/event-stream': { schema: { type: 'string' } } });
  });

  it('sessions: login sets an HttpOnly SameSite=Strict cookie; me, logout; bad passwords are refused and throttled; cross-origin writes refused', async () => {
    const login = (username: string, password: string) => fetch(`${h.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    const ok = await login(ADMIN.username, ADMIN.password);
    assert.equal(ok.status, 200);
    const setCookie = ok.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^cleartap_session=ct_ses_[A-Za-z0-9_-]{43};/);
    assert.match(setCookie, /; HttpOnly/);
    assert.match(setCookie, /; SameSite=Strict/);
    assert.match(setCookie, /; Path=\//);
    assert.doesNotMatch(setCookie, /Secure/, 'plain HTTP without --secure-cookies');
    // Without --trust-proxy, X-Forwarded-Proto is not believed (any client could send it).
    const spoofed = await fetch(`${h.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }) });
    assert.doesNotMatch(spoofed.headers.get('set-cookie') ?? '', /Secure/);
    const body = (await ok.json()) as { user: { username: string; role: string }; expiresAt: string };
    assert.deepEqual([body.user.username, body.user.role], [ADMIN.username, 'admin']);
    const cookie = setCookie.split(';')[0];
    const me = await fetch(`${h.url}/api/v1/auth/me`, { headers: { cookie } });
    assert.deepEqual(await me.json(), { username: ADMIN.username, role: 'admin', via: 'session' });

    // A state-changing request with the cookie from another origin is refused; from this origin it is not.
    const write = (origin?: string) =>
      fetch(`${h.url}/api/v1/settings`, { method: 'PUT', headers: { cookie, 'content-type': 'application/json', ...(origin && { origin }) }, body: JSON.stringify({ viewersSeePayloads: false }) });
    const cross = await write('https://evil.example');
    assert.equal(cross.status, 403);
    assert.equal(((await cross.json()) as { error: { code: string } }).error.code, 'CT_ERR_FORBIDDEN');
    assert.equal((await write(h.url)).status, 200);
    assert.equal((await write()).status, 200);

    const out = await fetch(`${h.url}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /cleartap_session=;/);
    assert.equal((await fetch(`${h.url}/api/v1/auth/me`, { headers: { cookie } })).status, 401);

    // Wrong password and unknown user answer alike; the sixth failure for a name in a row is throttled.
    const created = await h.json('/api/v1/users', { method: 'POST', role: 'admin', body: { username: 'guessed', password: 'right-password', role: 'viewer' } });
    assert.equal(created.status, 201);
    const wrong = await login('guessed', 'wrong-password');
    const unknown = await login('nobody', 'wrong-password');
    assert.equal(wrong.status, 401);
    assert.deepEqual(await wrong.json(), await unknown.json());
    for (let i = 0; i < 4; i++) assert.equal((await login('guessed', `wrong-${i}`)).status, 401);
    const throttled = await login('guessed', 'right-password');
    assert.equal(throttled.status, 429);
    assert.equal(((await throttled.json()) as { error: { code: string } }).error.code, 'CT_ERR_RATE_LIMITED');
    assert.ok(Number(throttled.headers.get('retry-after')) > 0);
    const audit = (await h.json('/api/v1/audit?action=auth.login_failed', { role: 'admin' })).body.items;
    assert.ok(audit.some((e: { target: string }) => e.target === 'user guessed'));
  });

  it('sessions expire; the cookie is Secure behind a TLS proxy (trusted X-Forwarded-Proto) or with --secure-cookies', async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cleartap-server-ttl-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    await bootstrapAdmin(dataDir, 'admin', 'admin-password', TEST_SCRYPT);
    const log = memoryLog('warn').log;
    const login = (url: string, headers: Record<string, string> = {}) =>
      fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username: 'admin', password: 'admin-password' }) });

    const proxied = await startServer({ dataDir, port: 0, log, version: 'test', scrypt: TEST_SCRYPT, trustProxy: true, sessionTtlMs: 1000 });
    try {
      assert.doesNotMatch((await login(proxied.url)).headers.get('set-cookie') ?? '', /Secure/);
      const res = await login(proxied.url, { 'x-forwarded-proto': 'https' });
      assert.match(res.headers.get('set-cookie') ?? '', /; Secure/);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
      assert.equal((await fetch(`${proxied.url}/api/v1/auth/me`, { headers: { cookie } })).status, 200);
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await fetch(`${proxied.url}/api/v1/auth/me`, { headers: { cookie } });
      assert.equal(expired.status, 401);
      assert.equal(expired.headers.get('www-authenticate'), 'Bearer realm="cleartap"');
    } finally {
      await proxied.close();
    }
    const flagged = await startServer({ dataDir, port: 0, log, version: 'test', scrypt: TEST_SCRYPT, secureCookies: true });
    try {
      assert.match((await login(flagged.url)).headers.get('set-cookie') ?? '', /; Secure/);
    } finally {
      await flagged.close();
    }
  });

  it('API tokens: at most the owner\'s role, capped by it at each use, listed without secrets, revocable', async () => {
    const viewerMade = await h.json('/api/v1/tokens', { method: 'POST', role: 'viewer', body: { name: 'script' } });
    assert.equal(viewerMade.status, 201);
    assert.equal(viewerMade.body.token.role, 'viewer');
    assert.equal(viewerMade.body.token.owner, 'the-viewer');
    const escalate = await h.json('/api/v1/tokens', { method: 'POST', role: 'viewer', body: { name: 'more', role: 'editor' } });
    assert.equal(escalate.status, 403);
    const mine = (await h.json('/api/v1/tokens', { role: 'viewer' })).body.items;
    assert.deepEqual(mine.map((t: { name: string }) => t.name), ['viewer token', 'script']);
    assert.equal(JSON.stringify(mine).includes(viewerMade.body.secret), false, 'secrets are never listed');
    assert.equal((await h.json('/api/v1/tokens?all=true', { role: 'viewer' })).status, 403);
    assert.ok((await h.json('/api/v1/tokens?all=true', { role: 'admin' })).body.items.length >= 4);
    // Another user cannot revoke it; its owner can, and then it stops working.
    assert.equal((await h.call(`/api/v1/tokens/${viewerMade.body.token.id}`, { method: 'DELETE', role: 'editor' })).status, 404);
    assert.equal((await h.call('/api/v1/auth/me', { token: viewerMade.body.secret })).status, 200);
    assert.equal((await h.call(`/api/v1/tokens/${viewerMade.body.token.id}`, { method: 'DELETE', role: 'viewer' })).status, 204);
    assert.equal((await h.call('/api/v1/auth/me', { token: viewerMade.body.secret })).status, 401);

    // An editor's token acts as a viewer once its owner is demoted.
    const editorToken = (await h.json('/api/v1/tokens', { method: 'POST', role: 'editor', body: { name: 'ci' } })).body.secret as string;
    const validateConfig = () => h.call('/api/v1/config/validate', { method: 'POST', token: editorToken, body: { yaml: 'version: 2\n' } });
    assert.notEqual((await validateConfig()).status, 403);
    assert.equal((await h.json('/api/v1/users/the-editor', { method: 'PATCH', role: 'admin', body: { role: 'viewer' } })).body.role, 'viewer');
    assert.equal((await validateConfig()).status, 403);
    assert.equal((await h.json('/api/v1/users/the-editor', { method: 'PATCH', role: 'admin', body: { role: 'editor' } })).body.role, 'editor');
    assert.notEqual((await validateConfig()).status, 403);
  });

  it('users: names are unique, the last admin stays, a new password ends sessions, the old one stops working', async () => {
    assert.equal((await h.json('/api/v1/users', { method: 'POST', role: 'admin', body: { username: 'THE-VIEWER', password: 'whatever-1', role: 'viewer' } })).status, 409);
    const demote = await h.json(`/api/v1/users/${ADMIN.username}`, { method: 'PATCH', role: 'admin', body: { role: 'editor' } });
    assert.equal(demote.status, 409);
    assert.equal(demote.body.error.code, 'CT_ERR_CONFLICT');
    assert.equal((await h.json(`/api/v1/users/${ADMIN.username}`, { method: 'DELETE', role: 'admin' })).status, 409);
    assert.equal((await h.json('/api/v1/users/ghost', { method: 'DELETE', role: 'admin' })).status, 404);

    await h.json('/api/v1/users', { method: 'POST', role: 'admin', body: { username: 'rotating', password: 'first-password', role: 'viewer' } });
    const login = (password: string) => fetch(`${h.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'rotating', password }) });
    const cookie = ((await login('first-password')).headers.get('set-cookie') ?? '').split(';')[0];
    const self = await fetch(`${h.url}/api/v1/auth/password`, { method: 'PUT', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ currentPassword: 'not-it', newPassword: 'second-password' }) });
    assert.equal(self.status, 403);
    assert.equal((await h.json('/api/v1/users/rotating', { method: 'PATCH', role: 'admin', body: { password: 'second-password' } })).status, 200);
    assert.equal((await fetch(`${h.url}/api/v1/auth/me`, { headers: { cookie } })).status, 401, 'the session ended with the password change');
    assert.equal((await login('first-password')).status, 401);
    assert.equal((await login('second-password')).status, 200);
    assert.equal((await h.call('/api/v1/users/rotating', { method: 'DELETE', role: 'admin' })).status, 204);
    assert.equal((await login('second-password')).status, 401);
    const users = (await h.json('/api/v1/users', { role: 'admin' })).body.items.map((u: { username: string }) => u.username);
    assert.equal(users.includes('rotating'), false);
  });

  it('errors have one shape: unknown routes are 404 CT_ERR_NOT_FOUND; oversized bodies 413', async () => {
    const r = await h.json('/api/v1/nothing-here', { role: 'admin' });
    assert.equal(r.status, 404);
    assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'message']);
    assert.equal(r.body.error.code, 'CT_ERR_NOT_FOUND');
    const big = await h.json('/api/v1/tokens', { method: 'POST', role: 'viewer', body: { name: 'x'.repeat(2 << 20) } });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'CT_ERR_PAYLOAD_TOO_LARGE');
    const health = await fetch(`${h.url}/healthz`);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal(health.headers.get('x-content-type-options'), 'nosniff');
  });
});
