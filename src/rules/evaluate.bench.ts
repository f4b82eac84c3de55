// Micro-benchmark for rule evaluation (not a test): run with `node src/rules/evaluate.bench.ts`. Evaluates a few
// typical Qtap rules over the fields of one transaction and prints evaluations per second, with the garbage
// collections seen while measuring: none means evaluation allocated nothing.
import { GCProfiler } from 'node:v8';
import type { Transaction } from '../core/transaction.ts';
import { compileMacros, compileRule, transactionFields } from './index.ts';

const tx: Transaction = {
  id: 't1',
  connectionId: 'c1',
  startTime: 0,
  endTime: 12,
  durationMs: 12,
  direction: 'egress',
  local: { address: '10.0.0.5', port: 40312 },
  remote: { address: '93.184.216.34', port: 443 },
  host: 'api.openai.com',
  scheme: 'https',
  protocol: 'http1',
  process: { pid: 1, exe: '/usr/bin/curl', cmdline: ['curl'], uid: 0, user: 'root', cgroupPath: '' },
  request: {
    method: 'POST',
    url: 'https://api.openai.com/v1/chat/completions',
    target: '/v1/chat/completions',
    path: '/v1/chat/completions',
    version: 'HTTP/1.1',
    headers: [['Host', 'api.openai.com'], ['User-Agent', 'python-requests/2.31'], ['Content-Type', 'application/json']],
    body: new Uint8Array(0),
    bodySize: 0,
    bodyTruncated: false,
  },
  response: {
    status: 503,
    reason: 'Service Unavailable',
    version: 'HTTP/1.1',
    headers: [['Content-Type', 'application/json']],
    body: new Uint8Array(0),
    bodySize: 0,
    bodyTruncated: false,
  },
  bytesSent: 100,
  bytesReceived: 200,
};

const macros = compileMacros([{ name: 'internal', expr: 'dst.ip in [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]' }]);
const RULES = [
  'http.res.status >= 400',
  'http.req.method == "POST" and http.req.path matches /^\\/v1\\//',
  'in_zone(dst.domain, "openai.com")',
  'dst.ip in 10.0.0.0/8 or src.process.binary == "curl"',
  'http.req.headers["user-agent"] contains "python" && !internal()',
  'zone(dst.domain) == "openai.com" and tls.enabled',
  'src.container.image contains "nginx"',
];

const fields = transactionFields(tx);
const ITERATIONS = 2_000_000;

const WARMUP = 200_000;

for (const expr of RULES) {
  const rule = compileRule(expr, { macros });
  const outcome = rule.evaluate(fields);
  let passes = 0;
  for (let i = 0; i < WARMUP; i++) if (rule.matches(fields)) passes++;
  const profiler = new GCProfiler();
  profiler.start();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) if (rule.matches(fields)) passes++;
  const ns = Number(process.hrtime.bigint() - start);
  const gcs = profiler.stop()?.statistics.length ?? 0;
  // Using the count keeps the loop from being optimized away, and checks evaluation is deterministic.
  if (passes !== (outcome === 'pass' ? WARMUP + ITERATIONS : 0)) throw new Error(`${expr}: ${passes} passes`);
  const perSecond = (ITERATIONS / ns) * 1e9;
  console.log(`${(perSecond / 1e6).toFixed(1).padStart(6)} M/s  ${String(gcs).padStart(2)} GC  ${outcome.padEnd(7)}  ${expr}`);
}
