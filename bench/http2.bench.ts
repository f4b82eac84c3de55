// HTTP/2 capture, side by side in one run: h2load (HTTP/2 over TLS, ALPN h2, multiplexed streams) against the
// same Node http2 server (test/fixtures/http2/server.mjs), untraced and then with the agent. Prints req/s, the
// ratio, the agent's CPU and peak RSS, and how many requests it captured on each end.
//
//   $NODE bench/http2.bench.ts [--duration 10] [--clients 4] [--streams 10]
//
// Only 127.0.0.1 is contacted; every child is stopped at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countCaptured, startAgent } from './harness/agent.ts';
import { stdoutOnlyAgent } from './harness/stdout-config.ts';
import { parseH2loadSummary } from './harness/h2load.ts';
import { killAll, run, startProcess, waitForLine } from './harness/processes.ts';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, clients: { type: 'string', default: '4' }, streams: { type: 'string', default: '10' } } });
const dir = mkdtempSync(join(tmpdir(), 'cleartap-h2-bench-'));
const AGENT = stdoutOnlyAgent(dir);

async function h2load(url: string): Promise<{ reqPerSec: number; succeeded: number }> {
  const args = [`--clients=${values.clients}`, `--max-concurrent-streams=${values.streams}`, `--duration=${values.duration}`, '--warm-up-time=1', url];
  const r = await run('h2load', 'h2load', args, (Number(values.duration) + 40) * 1000);
  if (r.code !== 0) throw new Error(`h2load failed: ${r.stderr}${r.stdout}`);
  return parseH2loadSummary(r.stdout);
}

try {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const req = await run('openssl', 'openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], 30_000);
  if (req.code !== 0) throw new Error(req.stderr);
  const server = startProcess('h2-server', process.execPath, [fileURLToPath(new URL('../test/fixtures/http2/server.mjs', import.meta.url)), 'tls', cert, key]);
  const port = Number(/listening (\d+)/.exec(await waitForLine(server, server.child.stdout, /listening \d+/, 10_000))![1]);
  const url = `https://127.0.0.1:${port}/bench`;
  const untraced = await h2load(url);
  const agent = await startAgent(AGENT, join(dir, 'agent.jsonl'));
  const cpu = agent.meterCpu();
  const traced = await h2load(url);
  const used = cpu.stop();
  const rssMiB = agent.peakRssKiB() >> 10;
  await agent.stop();
  const captured = await countCaptured(agent.outputFile, '/bench');
  console.log(`HTTP/2 over TLS, Node http2 server, h2load ${values.clients} clients × ${values.streams} streams, ${values.duration} s:`);
  console.log(`untraced  ${untraced.reqPerSec.toFixed(0).padStart(8)} req/s`);
  console.log(`agent     ${traced.reqPerSec.toFixed(0).padStart(8)} req/s  ratio ${(traced.reqPerSec / untraced.reqPerSec).toFixed(2)}  agent CPU ${(used.cpuFraction * 100).toFixed(0)}% of a core, peak RSS ${rssMiB} MiB`);
  console.log(`captured: ${captured.matched} records for ${traced.succeeded} requests (${JSON.stringify(captured.bySide)})`);
} finally {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
}
