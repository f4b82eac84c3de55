// Live passive capture under load, side by side in one run: wrk against a plain-HTTP nginx on loopback with no
// capture, with `cleartap passive`, and with tcpdump (libpcap, the mechanism the Invicti NTA uses) writing to
// /dev/null. Each capture reports the packets the kernel handed it and those it dropped.
//
//   $NODE bench/pcap/live.bench.ts [--duration 5] [--connections 16] [--ring-mb 64] [--level summary] [--json OUT]
//
// --level none measures capture and parsing without the output (the JSON rendering shares the main thread).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { passiveCommand } from '../../src/cli/passive-command.ts';
import { killAll, startProcess, stopProcess, waitForLine } from '../harness/processes.ts';
import { startCpuMeter } from '../harness/proc-stats.ts';
import { runWrk, type LoadResult } from '../harness/wrk.ts';
import { startPlainNginx } from './plain-nginx.ts';

const SELF = fileURLToPath(import.meta.url);

interface Round {
  name: string;
  load: LoadResult;
  /** Packets the capture's socket accepted (kernel count), and those it had to drop. */
  packets?: number;
  drops?: number;
  transactions?: number;
  cpuFraction?: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' }, 'ring-mb': { type: 'string', default: '64' }, level: { type: 'string', default: 'summary' }, json: { type: 'string' } } });
  const durationS = Number(values.duration);
  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-live-'));
  const nginx = await startPlainNginx(dir);
  const { url, port } = nginx;
  const load = () => runWrk({ url, durationS, threads: 1, connections: Number(values.connections) });
  const rounds: Round[] = [];
  try {
    rounds.push({ name: 'no capture', load: await load() });

    const agent = startProcess('cleartap', process.execPath, [SELF, '--agent', '--interfaces', 'lo', '--ports', String(port), '--status-codes', 'xxx', '--level', values.level!, '--ring-mb', values['ring-mb']!], { stdout: 'pipe', stderr: 'pipe' });
    let stderr = '';
    agent.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    let lines = 0;
    agent.child.stdout?.on('data', (d: Buffer) => { for (const b of d) if (b === 10) lines++; });
    await waitForLine(agent, agent.child.stderr, /passive capture started/, 20_000);
    const cpu = startCpuMeter(agent.pid);
    const withAgent = await load();
    const used = cpu.stop();
    await stopProcess(agent, 'SIGINT', 20_000);
    const status = JSON.parse(stderr.split('\n').find((l) => l.includes('passive capture stopped'))!).status;
    const transactions = values.level === 'none' ? status.filter.passed : lines;
    rounds.push({ name: `cleartap passive (--level ${values.level})`, load: withAgent, packets: status.ring.packets, drops: status.ring.drops, transactions, cpuFraction: used.cpuFraction });
    console.log(`cleartap's counters: ${JSON.stringify({ sinkBacklogDropped: status.sinkBacklogDropped, ...status.tracker.connections, reassembly: status.tracker.reassembly, parser: status.tracker.parser })}`);

    const tcpdump = startProcess('tcpdump', 'tcpdump', ['-i', 'lo', '-B', '65536', '-w', '/dev/null', 'tcp', 'port', String(port)], { stdout: 'ignore', stderr: 'pipe' });
    let tdErr = '';
    tcpdump.child.stderr?.on('data', (d: Buffer) => (tdErr += d.toString()));
    await waitForLine(tcpdump, tcpdump.child.stderr, /listening on/, 10_000);
    const cpu2 = startCpuMeter(tcpdump.pid);
    const withTcpdump = await load();
    const used2 = cpu2.stop();
    await stopProcess(tcpdump, 'SIGINT', 10_000);
    // "captured", not "received by filter": on lo the kernel passes both copies of each packet and libpcap
    // discards the outgoing one in user space.
    const received = Number(/(\d+) packets captured/.exec(tdErr)?.[1] ?? NaN);
    const dropped = Number(/(\d+) packets dropped by kernel/.exec(tdErr)?.[1] ?? NaN);
    rounds.push({ name: 'tcpdump -w /dev/null (libpcap)', load: withTcpdump, packets: received, drops: dropped, cpuFraction: used2.cpuFraction });
  } finally {
    await nginx.stop();
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`wrk -t1 -c${values.connections} -d${durationS}s ${url} (1 KiB responses, keep-alive), nginx 1 worker, loopback\n`);
  console.log('| capture | req/s | × no capture | packets/s captured | kernel drops | transactions | capture CPU |\n|---|---|---|---|---|---|---|');
  const base = rounds[0].load.reqPerSec;
  for (const r of rounds) {
    const pps = r.packets !== undefined ? Math.round(r.packets / r.load.seconds).toLocaleString('en') : '';
    const tx = r.transactions !== undefined ? `${r.transactions.toLocaleString('en')} of ${r.load.requests.toLocaleString('en')}` : '';
    const cpu = r.cpuFraction !== undefined ? `${Math.round(r.cpuFraction * 100)}% of a core` : '';
    console.log(`| ${r.name} | ${Math.round(r.load.reqPerSec).toLocaleString('en')} | ${(r.load.reqPerSec / base).toFixed(2)} | ${pps} | ${r.drops ?? ''} | ${tx} | ${cpu} |`);
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(rounds, null, 2));
}

if (process.argv[2] === '--agent') {
  await new Command('bench').addCommand(passiveCommand()).parseAsync([process.argv[0], process.argv[1], 'passive', ...process.argv.slice(3)]);
} else {
  await main();
}
