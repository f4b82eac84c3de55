// What the control-plane tests run against: a data directory filled the way the agent fills it — transactions
// through the real plugin stack (http_capture at level full, report_usage, the stack's masking) into the real
// local store (spooled object and event stores from the store factory), and the live API inventory written by
// the agent's own LiveDiscovery — and the real server on 127.0.0.1:0 over it, with users and tokens of each role
// made through the API itself.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { qtapDirection } from '../../src/core/ip.ts';
import type { Transaction } from '../../src/core/transaction.ts';
import { LiveDiscovery } from '../../src/pipeline/live-discovery.ts';
import { loadStack, type Stack } from '../../src/plugins/index.ts';
import { bootstrapAdmin, startServer, type ControlPlane, type Role, type ServerOptions } from '../../src/server/index.ts';
import { createEventStore, createObjectStore, type ManagedEventStore, type ManagedObjectStore } from '../../src/sinks/index.ts';
import { memoryLog } from '../../src/sinks/test-support.ts';

const enc = new TextEncoder();

/** One transaction of the test traffic; everything the assertions need is here. */
export interface TrafficSpec {
  n: number;
  /** ms after the traffic's base time. */
  at: number;
  method: string;
  scheme: 'http' | 'https';
  host: string;
  path: string;
  query?: string;
  status: number;
  durationMs: number;
  exe: string;
  pid: number;
  containerId?: string;
  direction: 'egress' | 'ingress';
  remote: string;
  requestBody?: string;
  responseBody: string;
  bytesSent: number;
  bytesReceived: number;
  userAgent: string;
}

export const CONTAINER_A = 'a1'.repeat(32);
export const CONTAINER_B = 'b2'.repeat(32);
export const API_KEY = 'sk-live-0123456789abcdef';

/**
 * The test traffic around `base` (minute-aligned): 24 transactions over 3 minutes.
 *   api.example.com    GET /v1/items/{id}   curl (host)       12: 10×200, 2×503; 10–120 ms
 *   api.example.com    POST /v1/orders      python (container A) 4: 3×201, 1×400; with bodies
 *   auth.example.org   POST /oauth/token    node (container B)   3: 200
 *   shop.internal      GET /health          nginx, ingress       5: 200, 1 ms
 */
export function testTraffic(): TrafficSpec[] {
  const out: TrafficSpec[] = [];
  let n = 0;
  const add = (s: Omit<TrafficSpec, 'n' | 'bytesSent' | 'bytesReceived'>) => {
    n++;
    out.push({ ...s, n, bytesSent: 100 + n, bytesReceived: 1000 + n * 10 });
  };
  for (let i = 0; i < 12; i++) {
    add({
      at: 5_000 + i * 10_000, // minutes 0 and 1
      method: 'GET',
      scheme: 'https',
      host: 'api.example.com',
      path: `/v1/items/${1000 + i}`,
      query: i % 3 === 0 ? 'expand=owner' : undefined,
      status: i === 4 || i === 9 ? 503 : 200,
      durationMs: 10 * (i + 1),
      exe: '/usr/bin/curl',
      pid: 4100,
      direction: 'egress',
      remote: '93.184.216.34',
      responseBody: JSON.stringify({ id: 1000 + i, name: `item ${i}`, price: 9.5 + i, owner: { email: `owner${i}@example.com` } }),
      userAgent: 'curl/8.5.0',
    });
  }
  for (let i = 0; i < 4; i++) {
    add({
      at: 62_000 + i * 7_000,
      method: 'POST',
      scheme: 'https',
      host: 'api.example.com',
      path: '/v1/orders',
      status: i === 3 ? 400 : 201,
      durationMs: 200 + i * 50,
      exe: '/usr/bin/python3.12',
      pid: 5200,
      containerId: CONTAINER_A,
      direction: 'egress',
      remote: '93.184.216.34',
      requestBody: JSON.stringify({ sku: `sku-${i}`, quantity: i + 1, note: 'secret-note' }),
      responseBody: i === 3 ? JSON.stringify({ error: 'bad quantity' }) : JSON.stringify({ orderId: `ord-${i}`, total: 19.99 }),
      userAgent: 'python-requests/2.31',
    });
  }
  for (let i = 0; i < 3; i++) {
    add({
      at: 125_000 + i * 5_000, // minute 2
      method: 'POST',
      scheme: 'https',
      host: 'auth.example.org',
      path: '/oauth/token',
      status: 200,
      durationMs: 40 + i,
      exe: '/usr/local/bin/node',
      pid: 6300 + i,
      containerId: CONTAINER_B,
      direction: 'egress',
      remote: '10.1.2.3',
      requestBody: 'grant_type=client_credentials',
      responseBody: JSON.stringify({ access_token: 'eyJhbGciOi.fake.token', expires_in: 3600 }),
      userAgent: 'node',
    });
  }
  for (let i = 0; i < 5; i++) {
    add({
      at: 130_000 + i * 6_000,
      method: 'GET',
      scheme: 'http',
      host: 'shop.internal',
      path: '/health',
      status: 200,
      durationMs: 1,
      exe: '/usr/sbin/nginx',
      pid: 700,
      direction: 'ingress',
      remote: '10.0.0.9',
      responseBody: 'ok',
      userAgent: 'kube-probe/1.29',
    });
  }
  return out;
}

export function transactionOf(s: TrafficSpec, base: number): Transaction {
  const start = base + s.at;
  const target = s.query === undefined ? s.path : `${s.path}?${s.query}`;
  const reqBody = enc.encode(s.requestBody ?? '');
  const resBody = enc.encode(s.responseBody);
  const json = s.responseBody.startsWith('{');
  return {
    id: `tx-${String(s.n).padStart(3, '0')}`,
    connectionId: `conn-${s.n}`,
    startTime: start,
    endTime: start + s.durationMs,
    durationMs: s.durationMs,
    direction: s.direction,
    local: { address: '10.0.0.5', port: 40000 + s.n },
    remote: { address: s.remote, port: s.scheme === 'https' ? 443 : 80 },
    host: s.host,
    scheme: s.scheme,
    protocol: 'http1',
    ...(s.scheme === 'https' && { tlsLibrary: 'openssl' as const, tls: { sni: s.host } }),
    process: {
      pid: s.pid,
      exe: s.exe,
      cmdline: [s.exe, '--header', `Authorization: Bearer ${API_KEY}`],
      uid: 1000,
      user: 'svc',
      cgroupPath: s.containerId === undefined ? '/user.slice' : `/system.slice/docker-${s.containerId}.scope`,
      ...(s.containerId !== undefined && { containerId: s.containerId }),
    },
    request: {
      method: s.method,
      url: `${s.scheme}://${s.host}${target}`,
      target,
      path: s.path,
      version: 'HTTP/1.1',
      headers: [
        ['Host', s.host],
        ['User-Agent', s.userAgent],
        ['Authorization', `Bearer ${API_KEY}`],
        ['Accept', 'application/json'],
        ...(reqBody.byteLength > 0 ? ([['Content-Type', s.requestBody?.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded']] as [string, string][]) : []),
      ],
      body: reqBody,
      bodySize: reqBody.byteLength,
      bodyTruncated: false,
    },
    response: {
      status: s.status,
      reason: s.status === 200 ? 'OK' : 'Other',
      version: 'HTTP/1.1',
      headers: [
        ['Content-Type', json ? 'application/json' : 'text/plain'],
        ['X-Request-Id', `req-${s.n}`],
      ],
      body: resBody,
      bodySize: resBody.byteLength,
      bodyTruncated: false,
    },
    bytesSent: s.bytesSent,
    bytesReceived: s.bytesReceived,
  };
}

/** The agent's write path for a data directory: plugin stack → spooled local stores, and the live inventory. */
export class AgentWriter {
  readonly objects: ManagedObjectStore;
  readonly events: ManagedEventStore;
  readonly discovery: LiveDiscovery;
  readonly #stack: Stack;

  private constructor(objects: ManagedObjectStore, events: ManagedEventStore, stack: Stack, discovery: LiveDiscovery) {
    this.objects = objects;
    this.events = events;
    this.#stack = stack;
    this.discovery = discovery;
  }

  static async open(dataDir: string): Promise<AgentWriter> {
    const { log } = memoryLog('warn');
    const objects = createObjectStore({ type: 'local' }, { log, dataDir });
    const events = createEventStore({ type: 'local' }, { log, dataDir });
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const stack = await loadStack(
      'default',
      [
        { type: 'http_capture', config: { level: 'full' } },
        { type: 'report_usage', config: { tags: ['env:test'] } },
      ],
      {
        log,
        stdout: sink,
        objectStore: objects,
        eventStore: events,
        compileRule: () => {
          throw new Error('the test stack has no rules');
        },
        metrics: { registry: new Registry(), systemRegistry: new Registry() },
        configDir: process.cwd(),
      },
    );
    return new AgentWriter(objects, events, stack, new LiveDiscovery(join(dataDir, 'discovery'), log));
  }

  /** Runs the transactions through the stack and waits until the store has them. */
  async write(txs: readonly Transaction[]): Promise<void> {
    for (const tx of txs) {
      this.#stack.process({ tx, direction: qtapDirection(tx.direction, tx.remote?.address), fields: () => ({}) });
      this.discovery.add(tx);
    }
    assert.equal(await this.objects.whenDelivered(10_000), true, 'objects delivered');
    assert.equal(await this.events.whenDelivered(10_000), true, 'events delivered');
    await this.discovery.write();
  }

  async close(): Promise<void> {
    await this.#stack.close();
    await Promise.all([this.objects.close(), this.events.close()]);
  }
}

export const ADMIN = { username: 'root-admin', password: 'admin-password-1' };

export interface Harness {
  dataDir: string;
  base: number;
  traffic: TrafficSpec[];
  server: ControlPlane;
  url: string;
  /** API tokens by role, made through the API. */
  tokens: Record<Role, string>;
  /** Fetches a path with a role's token (or none), JSON body when given. */
  call: (path: string, init?: { method?: string; role?: Role | 'none'; token?: string; body?: unknown; headers?: Record<string, string> }) => Promise<Response>;
  json: <T = any>(path: string, init?: Parameters<Harness['call']>[1]) => Promise<{ status: number; body: T; headers: Headers }>;
  close: () => Promise<void>;
}

/** Fast scrypt for tests: the cost parameters are the server's business, not what these tests check. */
export const TEST_SCRYPT = { N: 1 << 10, r: 8, p: 1 };

/** Fills a data directory with the test traffic and starts the server over it. */
export async function startHarness(options: { writeTraffic?: boolean; settleMs?: number; server?: Pick<ServerOptions, 'oidc' | 'publicUrl'> } = {}): Promise<Harness & { writer: AgentWriter }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cleartap-server-'));
  const base = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
  const traffic = testTraffic();
  const writer = await AgentWriter.open(dataDir);
  if (options.writeTraffic !== false) await writer.write(traffic.map((s) => transactionOf(s, base)));
  await bootstrapAdmin(dataDir, ADMIN.username, ADMIN.password, TEST_SCRYPT);
  const { log } = memoryLog('warn');
  const server = await startServer({ dataDir, host: '127.0.0.1', port: 0, log, version: '0.0.0-test', scrypt: TEST_SCRYPT, pollIntervalMs: 50, settleMs: options.settleMs ?? 200, ...options.server });
  const url = server.url;
  const tokens = {} as Record<Role, string>;
  const call: Harness['call'] = (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    const token = init.token ?? (init.role === undefined || init.role === 'none' ? undefined : tokens[init.role]);
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${url}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  };
  const json: Harness['json'] = async (path, init) => {
    const res = await call(path, init);
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
  };
  // The admin logs in, makes the other users; every user logs in and makes an API token of their role.
  const login = async (username: string, password: string): Promise<string> => {
    const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    assert.equal(res.status, 200, await res.clone().text());
    return /cleartap_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] as string;
  };
  const tokenFor = async (session: string, name: string): Promise<string> => {
    const res = await fetch(`${url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: `cleartap_session=${session}` }, body: JSON.stringify({ name }) });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { secret: string }).secret;
  };
  const adminSession = await login(ADMIN.username, ADMIN.password);
  tokens.admin = await tokenFor(adminSession, 'admin token');
  for (const role of ['editor', 'viewer'] as const) {
    const created = await json('/api/v1/users', { method: 'POST', role: 'admin', body: { username: `the-${role}`, password: `${role}-password-1`, role } });
    assert.equal(created.status, 201);
    tokens[role] = await tokenFor(await login(`the-${role}`, `${role}-password-1`), `${role} token`);
  }
  return {
    dataDir,
    base,
    traffic,
    server,
    url,
    tokens,
    call,
    json,
    writer,
    close: async () => {
      await server.close();
      await writer.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until fn returns a value (not undefined), polling. */
export async function eventually<T>(fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
