// API-discovery throughput: inference over N synthetic transactions (default 1,000,000), the time per
// transaction and the peak memory, with JSON bodies (as captured at level full) or without (level details).
//
//   $NODE --expose-gc bench/discovery/throughput.bench.ts [--count 1000000] [--bodies full|none] [--servers 4] [--json FILE]
//
// Transactions are made on the fly from 24 route shapes with random ids, query strings, headers and JSON bodies
// drawn from a pool (so generating them costs little; that cost is measured alone first and reported apart).
// Peak RSS is the process's (getrusage maxrss): it includes Node itself (~45 MiB) and the body pool.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { HeaderList, Transaction } from '../../src/core/transaction.ts';
import { DiscoveryModel, inventoryIndex, openApiDocument, renderDocument } from '../../src/discovery/index.ts';
import { SeededRandom } from '../../src/core/fixtures/seeded-random.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    bodies: { type: 'string', default: 'full' },
    servers: { type: 'string', default: '4' },
    json: { type: 'string' },
  },
});
const COUNT = Number(values.count);
const WITH_BODIES = values.bodies !== 'none';
const SERVERS = Number(values.servers);

const enc = new TextEncoder();
const rng = new SeededRandom(42);
const EMPTY = new Uint8Array(0);
const NAMES = ['ada', 'bob', 'chen', 'dana', 'emil', 'fatima'];
const STATUS = ['active', 'inactive', 'pending'];

interface Shape {
  method: string;
  path: (r: SeededRandom) => string;
  query?: (r: SeededRandom) => string;
  request?: Uint8Array[];
  response: Uint8Array[];
  status: number;
}

function pool(n: number, make: (i: number) => unknown): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => enc.encode(JSON.stringify(make(i))));
}

const uuid = (r: SeededRandom) => `${r.string('0123456789abcdef', 8)}-${r.string('0123456789abcdef', 4)}-4${r.string('0123456789abcdef', 3)}-a${r.string('0123456789abcdef', 3)}-${r.string('0123456789abcdef', 12)}`;
const user = (i: number) => ({ id: i, email: `${NAMES[i % 6]}${i}@mail.example`, name: NAMES[i % 6], status: STATUS[i % 3], createdAt: new Date(1.7e12 + i * 1e6).toISOString(), tags: ['a', 'b'].slice(0, i % 3), address: i % 2 ? { city: 'Berlin', zip: '10115' } : undefined, score: i / 7 });
const order = (i: number) => ({ id: 1000 + i, userId: i % 50, items: [{ sku: `SKU-${i}`, qty: 1 + (i % 4), price: (i % 100) + 0.99 }], total: i * 1.5, status: STATUS[i % 3], notes: i % 4 ? null : 'gift' });
const page = (i: number) => ({ items: [user(i), user(i + 1), user(i + 2)], total: 100 + i, next: i % 5 ? `https://api.example.com/v1/users?page=${i + 1}` : null });

const SHAPES: Shape[] = [];
for (const collection of ['users', 'accounts', 'customers', 'members', 'people', 'staff']) {
  SHAPES.push(
    { method: 'GET', path: () => `/v1/${collection}`, query: (r) => `?page=${r.int(1, 20)}&limit=${r.pick([10, 20, 50])}&sort=${r.pick(['name', 'created'])}`, response: pool(64, page), status: 200 },
    { method: 'GET', path: (r) => `/v1/${collection}/${r.int(1, 1e7)}`, response: pool(64, user), status: 200 },
    { method: 'POST', path: () => `/v1/${collection}`, request: pool(64, (i) => ({ name: NAMES[i % 6], email: `x${i}@mail.example`, password: 'p' })), response: pool(16, user), status: 201 },
    { method: 'GET', path: (r) => `/v1/${collection}/${uuid(r)}/orders/${r.int(1, 1e6)}`, response: pool(64, order), status: 200 },
  );
}

function makeTx(n: number, r: SeededRandom): Transaction {
  const shape = SHAPES[n % SHAPES.length];
  const host = `api${Math.floor(n / SHAPES.length) % SERVERS}.example.com`;
  const target = shape.path(r) + (shape.query?.(r) ?? '');
  const q = target.indexOf('?');
  const reqBody = WITH_BODIES && shape.request !== undefined ? shape.request[n % shape.request.length] : EMPTY;
  const resBody = WITH_BODIES ? shape.response[n % shape.response.length] : EMPTY;
  const headers: HeaderList = [['Host', host], ['User-Agent', 'bench/1'], ['Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln'], ['X-Request-Id', String(n)]];
  if (shape.request !== undefined) headers.push(['Content-Type', 'application/json']);
  return {
    id: String(n),
    connectionId: 'c',
    startTime: 1.7e12 + n,
    endTime: 1.7e12 + n + 3,
    durationMs: 1 + (n % 97) / 10,
    direction: 'ingress',
    host,
    scheme: 'https',
    protocol: 'http1',
    request: { method: shape.method, url: `https://${host}${target}`, target, path: q < 0 ? target : target.slice(0, q), version: 'HTTP/1.1', headers, body: reqBody, bodySize: reqBody.byteLength, bodyTruncated: false },
    response: { status: shape.status, reason: 'OK', version: 'HTTP/1.1', headers: [['Content-Type', 'application/json']], body: resBody, bodySize: resBody.byteLength, bodyTruncated: false },
    bytesSent: 200,
    bytesReceived: 200 + resBody.byteLength,
  };
}

const mib = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

const model = new DiscoveryModel();
let t = performance.now();
for (let n = 0; n < COUNT; n++) model.add(makeTx(n, rng));
const generateAndAddMs = performance.now() - t;
t = performance.now();
const snapshot = model.snapshot();
const snapshotMs = performance.now() - t;
t = performance.now();
let rendered = 0;
for (const s of snapshot.servers) rendered += renderDocument(openApiDocument(s), 'yaml').length;
rendered += JSON.stringify(inventoryIndex(snapshot)).length;
const renderMs = performance.now() - t;
// Peak memory of the inference run, before the generation-only pass below adds garbage of its own.
const peakRss = process.resourceUsage().maxRSS * 1024;
// Generation alone, to separate its cost from inference's.
t = performance.now();
let sink = 0;
for (let n = 0; n < COUNT; n++) sink += makeTx(n, rng).request.target.length;
const generateMs = performance.now() - t;
const addMs = generateAndAddMs - generateMs;
// Retained memory, garbage collected first when Node runs with --expose-gc (the model's own size is what stays).
(globalThis as { gc?: () => void }).gc?.();
const heap = process.memoryUsage();
const result = {
  transactions: COUNT,
  bodies: WITH_BODIES ? 'full' : 'none',
  servers: snapshot.servers.length,
  endpoints: snapshot.servers.reduce((s, x) => s + x.endpoints.length, 0),
  routeNodes: model.size().routeNodes,
  generateMs: Math.round(generateMs),
  inferMs: Math.round(addMs),
  perTransactionUs: Math.round((addMs * 1000) / COUNT * 100) / 100,
  transactionsPerSecond: Math.round(COUNT / (addMs / 1000)),
  snapshotMs: Math.round(snapshotMs),
  renderMs: Math.round(renderMs),
  renderedBytes: rendered,
  peakRssMiB: mib(peakRss),
  heapUsedMiB: mib(heap.heapUsed),
  checksum: sink % 1000,
};
console.log(
  `${COUNT.toLocaleString('en')} transactions (bodies ${result.bodies}) -> ${result.servers} servers, ${result.endpoints} endpoints (${result.routeNodes} route nodes)\n` +
    `inference ${(addMs / 1000).toFixed(2)} s (${result.perTransactionUs} µs/tx, ${result.transactionsPerSecond.toLocaleString('en')} tx/s; generating them took another ${(generateMs / 1000).toFixed(2)} s)\n` +
    `snapshot ${result.snapshotMs} ms, documents + inventory ${result.renderMs} ms\n` +
    `peak RSS ${result.peakRssMiB} MiB, heap used at the end ${result.heapUsedMiB} MiB${(globalThis as { gc?: unknown }).gc === undefined ? ' (garbage included: run with --expose-gc)' : ' (after a full GC)'}`,
);
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
