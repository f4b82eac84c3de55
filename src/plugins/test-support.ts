// Named transactions and fake services for the plugin tests (test-only: nothing outside *.test.ts imports this).

import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Transaction } from '../core/transaction.ts';
import type { EventStore, StoreEvent } from './event-store.ts';
import type { Artifact, ObjectStore } from './object-store.ts';
import type {
  CompileRule,
  ConnectionDirection,
  PluginServices,
  PluginView,
  RulePredicate,
  TransactionView,
} from './plugin.ts';

const enc = new TextEncoder();

/** 2025-01-01T00:00:00.000Z */
export const T0 = Date.UTC(2025, 0, 1, 0, 0, 0, 0);

export const ORDER_RESPONSE = '{"id":7,"token":"tok-secret-123","items":[{"sku":"a"}]}';
export const API_KEY = 'sk-proj-abcdefghijklmnop1234';

/** curl POSTs JSON with a bearer token and a cookie to a public API and gets JSON back. */
export function postOrderTx(): Transaction {
  const reqBody = enc.encode('{"user":"alice","password":"hunter2"}');
  const resBody = enc.encode(ORDER_RESPONSE);
  return {
    id: 'tx-1',
    connectionId: 'c1',
    startTime: T0,
    endTime: T0 + 42.7,
    durationMs: 42.7,
    direction: 'egress',
    local: { address: '10.0.0.5', port: 40312 },
    remote: { address: '93.184.216.34', port: 443 },
    host: 'api.example.com',
    scheme: 'https',
    protocol: 'http1',
    tlsLibrary: 'openssl',
    process: {
      pid: 1234,
      exe: '/usr/bin/curl',
      cmdline: ['curl', '-H', `Authorization: Bearer ${API_KEY}`, 'https://api.example.com/v1/orders'],
      uid: 1000,
      user: 'alice',
      cgroupPath: '',
    },
    request: {
      method: 'POST',
      url: 'https://api.example.com/v1/orders?dry=1',
      target: '/v1/orders?dry=1',
      path: '/v1/orders',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'api.example.com'],
        ['User-Agent', 'curl/7.88.1'],
        ['Authorization', `Bearer ${API_KEY}`],
        ['Cookie', 'session=s3cr3t'],
        ['Content-Type', 'application/json'],
        ['X-Tenant', 'acme'],
      ],
      body: reqBody,
      bodySize: reqBody.byteLength,
      bodyTruncated: false,
    },
    response: {
      status: 201,
      reason: 'Created',
      version: 'HTTP/1.1',
      headers: [
        ['Content-Type', 'application/json'],
        ['Set-Cookie', 'session=n3w; HttpOnly'],
      ],
      body: resBody,
      bodySize: resBody.byteLength,
      bodyTruncated: false,
    },
    bytesSent: 310,
    bytesReceived: 1264,
  };
}

/** A plain GET with nothing sensitive, answered 503 with an empty body, from a container. */
export function failingGetTx(): Transaction {
  return {
    id: 'tx-2',
    connectionId: 'c2',
    startTime: T0 + 1000,
    endTime: T0 + 3500,
    durationMs: 2500,
    direction: 'egress',
    host: 'backend.internal',
    scheme: 'http',
    protocol: 'http1',
    process: {
      pid: 77,
      exe: '/usr/bin/python3.11',
      cmdline: ['python3', 'poll.py'],
      uid: 0,
      user: 'root',
      cgroupPath: '/system.slice/docker-' + 'ab'.repeat(32) + '.scope',
      containerId: 'ab'.repeat(32),
    },
    request: {
      method: 'GET',
      url: 'http://backend.internal:8080/health',
      target: '/health',
      path: '/health',
      version: 'HTTP/1.1',
      headers: [
        ['Host', 'backend.internal:8080'],
        ['User-Agent', 'python-requests/2.31'],
      ],
      body: new Uint8Array(0),
      bodySize: 0,
      bodyTruncated: false,
    },
    response: {
      status: 503,
      reason: 'Service Unavailable',
      version: 'HTTP/1.1',
      headers: [['Content-Length', '0']],
      body: new Uint8Array(0),
      bodySize: 0,
      bodyTruncated: false,
    },
    bytesSent: 90,
    bytesReceived: 60,
  };
}

export function viewOf(tx: Transaction, direction: ConnectionDirection = 'egress-external', fields: unknown = {}): TransactionView {
  return { tx, direction, fields: () => fields };
}

/** A plugin's view of `tx` as given (tests that need masking go through a stack or createRedactor). */
export function pluginViewOf(tx: Transaction, direction: ConnectionDirection = 'egress-external', fields: unknown = {}): PluginView {
  return { tx, direction, fields: () => fields, unmaskedTx: tx };
}

/**
 * A rule compiler for tests: an expression is the name of a field of the (plain object) rule fields, passing
 * when that field is true, failing when false, missing when absent; "throws" compiles to a predicate that throws,
 * "bad" does not compile.
 */
export const fakeCompileRule: CompileRule = (expr) => {
  if (expr === 'bad') throw new Error('syntax error at column 1');
  if (expr === 'throws') {
    return () => {
      throw new Error('evaluation failed');
    };
  }
  const predicate: RulePredicate = (fields) => {
    const v = (fields as Record<string, unknown>)[expr];
    return v === undefined ? 'missing' : v === true ? 'pass' : 'fail';
  };
  return predicate;
};

export interface MemoryObjectStore extends ObjectStore {
  artifacts: Artifact[];
}

export function memoryObjectStore(): MemoryObjectStore {
  const artifacts: Artifact[] = [];
  return { artifacts, put: (a) => void artifacts.push(a), flush: async () => {}, close: async () => {} };
}

export interface MemoryEventStore extends EventStore {
  events: StoreEvent[];
}

export function memoryEventStore(): MemoryEventStore {
  const events: StoreEvent[] = [];
  return { events, submit: (e) => void events.push(e), flush: async () => {}, close: async () => {} };
}

/** A Writable that keeps everything written to it; `isTTY` as a terminal would set it. */
export function captureStream(isTTY = false): Writable & { text(): string; writes: number } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      out.writes++;
      cb();
    },
  });
  const out = Object.assign(stream, { text: () => chunks.join(''), writes: 0, isTTY });
  return out;
}

/** A pino logger at `level` whose lines are kept, parsed, in `lines`. */
export function memoryLogger(level = 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level, base: null, timestamp: false }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { log, lines };
}

export interface TestServices extends PluginServices {
  objectStore: MemoryObjectStore;
  eventStore: MemoryEventStore;
  stdout: ReturnType<typeof captureStream>;
  logLines: Array<Record<string, unknown>>;
}

export function testServices(overrides: Partial<PluginServices> = {}): TestServices {
  const { log, lines } = memoryLogger();
  return {
    log,
    stdout: captureStream(),
    objectStore: memoryObjectStore(),
    eventStore: memoryEventStore(),
    compileRule: fakeCompileRule,
    metrics: { registry: new Registry(), systemRegistry: new Registry() },
    configDir: process.cwd(),
    logLines: lines,
    ...overrides,
  } as TestServices;
}

/** Resolves after pending setImmediate callbacks (batched outputs write once per event-loop turn). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  const data = await metric.get();
  const hit = data.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit?.value;
}
