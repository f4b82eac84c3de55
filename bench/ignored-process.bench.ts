// What a process ignored by tap.filters costs, side by side in one run (issue 4: "show the cost of an
// ignored process in the benchmark").
//
//   $NODE bench/ignored-process.bench.ts [--duration 5] [--connections 16]
//
// One private nginx (TLS 1.3, 1 worker, 1 KiB file) loaded by wrk -t1 on 127.0.0.1, measured back to back:
//   host libssl     untraced · agent ignoring nginx and wrk · agent tracing everything
//   own libssl copy the same two without the tracing row, with nginx and wrk loading a private copy of
//                   libssl/libcrypto (LD_LIBRARY_PATH), as a container's own libraries would be
// An ignored process's calls are skipped in the kernel before any copy, but a uprobe on a file traps in
// every process that maps it: on the host's shared libssl (which stays probed so that new processes are
// traced from their first call) an ignored process still pays the traps; a file only ignored processes
// use is not probed at all, so they run as if untraced.

import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startAgent } from './harness/agent.ts';
import { startNginx } from './harness/nginx.ts';
import { killAll } from './harness/processes.ts';
import { runWrk, type LoadResult } from './harness/wrk.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const LIBS = ['/usr/lib/x86_64-linux-gnu/libssl.so.3', '/usr/lib/x86_64-linux-gnu/libcrypto.so.3'];

const { values } = parseArgs({ options: { duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' } } });
const durationS = Number(values.duration);
const connections = Number(values.connections);

function config(tmp: string, ignore: boolean): string {
  const file = join(tmp, ignore ? 'ignore.yaml' : 'trace.yaml');
  const filters = ignore
    ? `  filters:
    custom:
      - { exe: /usr/sbin/nginx, strategy: exact }
      - { exe: /usr/bin/wrk, strategy: exact }
`
    : '';
  writeFileSync(
    file,
    `version: 2
services: { event_stores: [{ type: stdout }], object_stores: [{ type: stdout }] }
stacks: { s: { plugins: [{ type: http_capture, config: { level: summary } }] } }
tap:
  direction: all
  ignore_loopback: false
  http: { stack: s }
${filters}`,
  );
  return file;
}

interface Row {
  libssl: string;
  config: string;
  load: LoadResult;
  agentCpu?: number;
  records?: number;
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'cleartap-ignored-'));
  chmodSync(tmp, 0o711);
  const rows: Row[] = [];
  try {
    const own = join(tmp, 'lib');
    mkdirSync(own);
    chmodSync(own, 0o755);
    for (const lib of LIBS) copyFileSync(lib, join(own, lib.split('/').pop()!));
    for (const [libssl, env] of [['host', undefined], ['own copy', { ...process.env, LD_LIBRARY_PATH: own }]] as const) {
      const nginx = await startNginx(join(tmp, `nginx-${libssl.replace(' ', '-')}`), [{ path: '/1k', bytes: 1024 }], env);
      const url = `https://127.0.0.1:${nginx.port}/1k`;
      const load = () => runWrk({ url, durationS, threads: 1, connections, env });
      try {
        await runWrk({ url, durationS: 1, threads: 1, connections, env }); // warm-up
        rows.push({ libssl, config: 'untraced', load: await load() });
        for (const ignore of libssl === 'host' ? [true, false] : [true]) {
          const out = join(tmp, `agent-${rows.length}.jsonl`);
          const agent = await startAgent(`${process.execPath} ${MAIN} --config ${config(tmp, ignore)}`, out);
          const meter = agent.meterCpu();
          const result = await load();
          const cpu = meter.stop();
          await agent.stop(15_000);
          const records = readFileSync(out, 'utf8').split('\n').filter((l) => l.includes('/1k')).length;
          rows.push({ libssl, config: ignore ? 'agent, nginx and wrk ignored' : 'agent, tracing all', load: result, agentCpu: cpu.cpuFraction, records });
        }
      } finally {
        await nginx.stop();
      }
    }
  } finally {
    await killAll();
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`\nIgnored-process cost: nginx (1 worker, TLS 1.3), wrk -t1 -c${connections} -d${durationS}s, 1 KiB, kernel ${release()}, ${cpus().length} CPUs\n`);
  console.log('| libssl | config | req/s | × untraced (same libssl) | agent CPU | records printed |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const base = rows.find((b) => b.libssl === r.libssl && b.config === 'untraced')!;
    const ratio = (r.load.reqPerSec / base.load.reqPerSec).toFixed(2);
    const cpu = r.agentCpu === undefined ? '' : `${Math.round(r.agentCpu * 100)}% of a core`;
    console.log(`| ${r.libssl} | ${r.config} | ${Math.round(r.load.reqPerSec).toLocaleString('en')} | ${ratio} | ${cpu} | ${r.records ?? ''} |`);
  }
}

await main();
