// Go crypto/tls capture, side by side in one run: wrk against the same Go HTTPS server (test/fixtures/go-tls,
// HTTP/1.1), untraced and then with the agent attached to it by its uprobes at (*Conn).Read/Write and their
// RETs. Prints req/s, the ratio, the agent's CPU and peak RSS, and how many requests the agent captured.
//
//   $NODE bench/go-tls.bench.ts [--duration 10] [--connections 16]
//
// Only 127.0.0.1 is contacted; every child is stopped at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { countCaptured, startAgent } from './harness/agent.ts';
import { stdoutOnlyAgent } from './harness/stdout-config.ts';
import { killAll, run, startProcess, stopProcess } from './harness/processes.ts';
import { runWrk } from './harness/wrk.ts';
import { buildGoFixture } from '../test/helpers/go-build.ts';
import { freePort, waitForPort } from '../test/helpers/children.ts';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '16' } } });
const durationS = Number(values.duration);
const connections = Number(values.connections);
const dir = mkdtempSync(join(tmpdir(), 'cleartap-go-bench-'));
const AGENT = stdoutOnlyAgent(dir);

try {
  const server = await buildGoFixture('go-tls');
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const req = await run('openssl', 'openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], 30_000);
  if (req.code !== 0) throw new Error(req.stderr);
  const port = await freePort();
  const go = startProcess('go-tls', server, ['server', `127.0.0.1:${port}`, cert, key]);
  await waitForPort(port);
  const url = `https://127.0.0.1:${port}/bench`;
  await runWrk({ url, durationS: 1, threads: 1, connections }); // warm-up
  const untraced = await runWrk({ url, durationS, threads: 1, connections });
  const agent = await startAgent(AGENT, join(dir, 'agent.jsonl'));
  const cpu = agent.meterCpu();
  const traced = await runWrk({ url, durationS, threads: 1, connections });
  const used = cpu.stop();
  const rssMiB = agent.peakRssKiB() >> 10;
  await agent.stop();
  await stopProcess(go);
  const captured = await countCaptured(agent.outputFile, '/bench');
  const row = (name: string, r: { reqPerSec: number; p99Us: number }) => `${name.padEnd(9)} ${r.reqPerSec.toFixed(0).padStart(8)} req/s  p99 ${(r.p99Us / 1000).toFixed(2)} ms`;
  console.log(`Go crypto/tls server (HTTP/1.1, ${connections} connections, ${durationS} s), wrk -t1:`);
  console.log(row('untraced', untraced));
  console.log(`${row('agent', traced)}  ratio ${(traced.reqPerSec / untraced.reqPerSec).toFixed(2)}  agent CPU ${(used.cpuFraction * 100).toFixed(0)}% of a core, peak RSS ${rssMiB} MiB`);
  console.log(`captured: ${captured.matched} records for ${traced.requests} requests (${JSON.stringify(captured.bySide)})`);
} finally {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
}
