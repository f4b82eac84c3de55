// Micro-benchmark for the HTTP/1 hot path (not a test): run with `node src/protocols/http1/parse.bench.ts`.
// Feeds a keep-alive connection (GET requests; 1 KiB or 32 KiB responses, Content-Length or chunked) to an
// Http1Session, responses in pushes of at most 16 KiB (a full TLS record), and prints throughput over both
// directions. Bodies are kept (default 1 MiB limit), so the figures include copying them once.
import { Http1Session } from './session.ts';
import { DEFAULT_HTTP1_LIMITS } from './types.ts';

const encoder = new TextEncoder();

function requestBytes(i: number): Uint8Array {
  return encoder.encode(
    `GET /api/v1/items/${i}?fields=name,price HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: bench/1.0\r\n` +
      'Accept: application/json\r\nAccept-Encoding: gzip, br\r\nConnection: keep-alive\r\n\r\n',
  );
}

function responseBytes(bodySize: number, chunked: boolean): Uint8Array {
  const body = 'x'.repeat(bodySize);
  const common =
    'HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nServer: nginx/1.25.3\r\n' +
    'Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nX-Request-Id: 5f2b7c1e9a\r\n';
  if (!chunked) return encoder.encode(`${common}Content-Length: ${bodySize}\r\n\r\n${body}`);
  let wire = `${common}Transfer-Encoding: chunked\r\n\r\n`;
  for (let at = 0; at < bodySize; at += 8192) {
    const n = Math.min(8192, bodySize - at);
    wire += `${n.toString(16)}\r\n${body.slice(at, at + n)}\r\n`;
  }
  return encoder.encode(`${wire}0\r\n\r\n`);
}

interface Scenario {
  name: string;
  requests: Uint8Array[];
  response: Uint8Array;
}

function scenario(name: string, bodySize: number, chunked: boolean, exchanges: number): Scenario {
  const requests: Uint8Array[] = [];
  for (let i = 0; i < exchanges; i++) requests.push(requestBytes(i));
  return { name, requests, response: responseBytes(bodySize, chunked) };
}

const PUSH = 16 * 1024;

/**
 * One pass over the connection, as a client's SSL_write / SSL_read calls would deliver it: each request in one
 * push, then its response in pushes of at most one TLS record.
 */
function run(s: Scenario, maxBodyBytes: number): void {
  const session = new Http1Session({ maxBodyBytes });
  const response = s.response;
  let ts = 0;
  let emitted = 0;
  for (const request of s.requests) {
    session.push('request', request, ts++);
    for (let at = 0; at < response.length; at += PUSH) {
      session.push('response', response.subarray(at, Math.min(at + PUSH, response.length)), ts++);
    }
    emitted += session.take().length;
  }
  if (emitted !== s.requests.length || session.stats.unansweredRequests !== 0) {
    throw new Error(`${s.name}: ${emitted} exchanges, expected ${s.requests.length}`);
  }
}

function bench(s: Scenario, maxBodyBytes: number): void {
  const exchanges = s.requests.length;
  const bytes = s.requests.reduce((n, r) => n + r.length, 0) + exchanges * s.response.length;
  for (let i = 0; i < 3; i++) run(s, maxBodyBytes); // warm-up: let V8 optimize the hot path
  let best = Infinity;
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint();
    run(s, maxBodyBytes);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const mbps = bytes / best / 1e6;
  const perSec = exchanges / best;
  const count = (n: number) => Math.round(n).toLocaleString('en-US');
  const bodies = (maxBodyBytes > 0 ? 'kept' : 'counted').padEnd(8);
  console.log(
    `${s.name.padEnd(36)} ${bodies}${mbps.toFixed(0).padStart(6)} MB/s  ${count(perSec).padStart(10)} exchanges/s  ` +
      `(${count(2 * perSec)} messages/s, ${(bytes / 1e6).toFixed(1)} MB per pass)`,
  );
}

console.log(`node ${process.version}, responses in pushes of <= ${PUSH / 1024} KiB, best of 7 passes`);
console.log('bodies "kept": default maxBodyBytes (1 MiB), each body copied once; "counted": maxBodyBytes 0');
const scenarios = [
  scenario('keep-alive, 1 KiB Content-Length', 1024, false, 20_000),
  scenario('keep-alive, 32 KiB Content-Length', 32 * 1024, false, 2_000),
  scenario('keep-alive, 32 KiB chunked (8 KiB)', 32 * 1024, true, 2_000),
];
for (const maxBodyBytes of [DEFAULT_HTTP1_LIMITS.maxBodyBytes, 0]) for (const s of scenarios) bench(s, maxBodyBytes);
