// Side-by-side HTTPS capture benchmark (style.md: "benchmarks put competitors side by side in one run").
//
//   $NODE bench/https-capture.bench.ts [--duration 10] [--agent-cmd "..."] [--json FILE] [--rate 2000]
//                                      [--repeat 3] [--sizes 1k,32k] [--connections 16] [--warmup 1]
//
// For each response size, against ONE private nginx (TLS 1.3, 1 worker, keep-alive), measured back to back:
//   untraced  no tracer at all
//   floor     bpftrace counting entries and returns of SSL_read/SSL_write(_ex) in libssl: the cost of the traps
//             alone, the best any uprobe-based capture can do on this machine
//   agent     the command of --agent-cmd (default: cleartap's CLI, JSON to stdout); skipped, with the reason,
//             when it does not start or print a stderr line containing "capturing" within 30 s
// Closed loop (default): wrk -t1 -c16 --latency; table of req/s and ratios to untraced and to the floor.
// Open loop (--rate N): h2load at N req/s over 16 keep-alive connections; latency untraced vs traced.
// For the agent: CPU (utime+stime delta / wall time, as a fraction of one core), peak RSS (VmHWM), and how many
// of its JSON records have a request URL ending with the benchmarked path, per capturing side (nginx ingress,
// wrk egress), against the requests nginx served meanwhile (stub_status on a plain-HTTP loopback port: unlike
// wrk's count it includes warm-up requests and those in flight at the end).
//
// This VM is shared: every configuration is watched (bpftool perf list, every 2 s) for uprobes held by other
// processes, which trap nginx and wrk too; such rows carry a WARNING. --repeat N interleaves N rounds and
// reports the median round with the spread.
//
// Only 127.0.0.1 is ever contacted. Every child runs in its own process group and is stopped in a finally
// block and on SIGINT/SIGTERM; the temporary directory is removed.

import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Agent, countCaptured, startAgent } from './harness/agent.ts';
import { ensureTracingMounts, startFloor } from './harness/bpftrace-floor.ts';
import { runH2load } from './harness/h2load.ts';
import { type StaticFile, startNginx } from './harness/nginx.ts';
import { type Exit, killAll, onPath, run } from './harness/processes.ts';
import { addRatios, formatTable, type Row, summarizeRounds } from './harness/report.ts';
import { watchForeignUprobes } from './harness/uprobe-census.ts';
import { type LoadResult, runWrk } from './harness/wrk.ts';

const SIZES = [
  { size: '1k', path: '/1k', bytes: 1024 },
  { size: '32k', path: '/32k', bytes: 32 * 1024 },
] as const;

const DEFAULT_AGENT = [
  process.execPath,
  fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)),
  '--format',
  'json',
].join(' ');

const USAGE = `usage: node bench/https-capture.bench.ts [options]
  --duration S      seconds per measurement (default 10)
  --warmup S        untraced warm-up per size, not reported (default 1)
  --connections N   keep-alive connections (default 16)
  --repeat N        rounds of untraced/floor/agent per size; the median round is reported (default 1)
  --rate N          open loop at N req/s with h2load instead of wrk's closed loop
  --agent-cmd CMD   agent command line, run as "exec CMD" by /bin/sh (default: ${DEFAULT_AGENT})
  --json FILE       also write the results as JSON
  --sizes LIST      subset of ${SIZES.map((s) => s.size).join(',')} (default all)`;

interface Options {
  durationS: number;
  warmupS: number;
  connections: number;
  repeat: number;
  rate?: number;
  agentCmd: string;
  json?: string;
  sizes: Array<(typeof SIZES)[number]>;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '1' },
      connections: { type: 'string', default: '16' },
      repeat: { type: 'string', default: '1' },
      rate: { type: 'string' },
      'agent-cmd': { type: 'string', default: DEFAULT_AGENT },
      json: { type: 'string' },
      sizes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name: string, v: string | undefined, max: number): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n > max) throw new Error(`--${name} must be a number in (0, ${max}]`);
    return n;
  };
  const wanted = values.sizes?.split(',') ?? SIZES.map((s) => s.size);
  const sizes = SIZES.filter((s) => wanted.includes(s.size));
  if (sizes.length === 0) throw new Error(`--sizes: choose from ${SIZES.map((s) => s.size).join(',')}`);
  return {
    durationS: positive('duration', values.duration, 3600),
    warmupS: values.warmup === '0' ? 0 : positive('warmup', values.warmup, 60),
    connections: Math.round(positive('connections', values.connections, 1000)),
    repeat: Math.round(positive('repeat', values.repeat, 100)),
    rate: values.rate === undefined ? undefined : positive('rate', values.rate, 1e6),
    agentCmd: values['agent-cmd'] ?? DEFAULT_AGENT,
    json: values.json,
    sizes,
  };
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const loadTool = opts.rate === undefined ? 'wrk' : 'h2load';
  const missing = ['nginx', 'openssl', loadTool].filter((t) => onPath(t) === undefined);
  if (missing.length > 0) {
    const pkg: Record<string, string> = { nginx: 'nginx-light', wrk: 'wrk', h2load: 'nghttp2-client', openssl: 'openssl' };
    console.error(`missing: ${missing.join(', ')}; install with: apt-get install -y ${missing.map((m) => pkg[m]).join(' ')}`);
    process.exit(2);
  }

  const tmp = mkdtempSync(join(tmpdir(), 'cleartap-bench-'));
  chmodSync(tmp, 0o711); // nginx's unprivileged worker must traverse it to reach its document root
  process.env.CLEARTAP_DATA_DIR ??= join(tmp, 'data'); // the default config's local store, for the agent runs
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    const killed = await killAll();
    if (killed.length > 0) console.error(`killed: ${killed.join(', ')}`);
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    console.error(`\n${sig}: stopping`);
    void cleanup().finally(() => process.exit(128 + (sig === 'SIGINT' ? 2 : 15)));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const rounds = await measureAll(opts, tmp);
    const rows = summarizeRounds(rounds, opts.rate !== undefined);
    addRatios(rows);
    const versions = await toolVersions(loadTool);
    const loadDesc =
      opts.rate === undefined
        ? `wrk -t1 -c${opts.connections} -d${opts.durationS}s (closed loop)`
        : `h2load --h1 -c${opts.connections} at ${opts.rate} req/s for ${opts.durationS}s (open loop)`;
    console.log(
      `\nHTTPS capture benchmark: ${versions.nginx} (1 worker, TLS 1.3, keep-alive), ${loadDesc}, ` +
        `kernel ${release()}, ${cpus().length} CPUs\n`,
    );
    console.log(formatTable(rows, opts.rate !== undefined));
    if (opts.json !== undefined) {
      const doc = {
        benchmark: 'https-capture',
        mode: opts.rate === undefined ? 'closed-loop' : 'open-loop',
        date: new Date().toISOString(),
        host: { kernel: release(), cpus: cpus().length, node: process.version, ...versions },
        options: {
          durationS: opts.durationS,
          warmupS: opts.warmupS,
          connections: opts.connections,
          repeat: opts.repeat,
          rate: opts.rate,
          agentCmd: opts.agentCmd,
        },
        results: rows,
        ...(opts.repeat > 1 && { rounds }),
      };
      await writeFile(opts.json, `${JSON.stringify(doc, null, 2)}\n`);
      console.log(`\nresults written to ${opts.json}`);
    }
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function measureAll(opts: Options, tmp: string): Promise<Row[]> {
  const files: StaticFile[] = opts.sizes.map((s) => ({ path: s.path, bytes: s.bytes }));
  const nginx = await startNginx(join(tmp, 'nginx'), files);
  const rows: Row[] = [];
  let floorUnavailable: string | undefined = onPath('bpftrace') === undefined
    ? 'bpftrace not found (apt-get install -y bpftrace)'
    : undefined;
  let agentUnavailable: string | undefined;
  let runs = 0;
  const load = (url: string, durationS: number): Promise<LoadResult> =>
    opts.rate === undefined
      ? runWrk({ url, durationS, threads: 1, connections: opts.connections })
      : runH2load({
          url,
          rate: opts.rate,
          connections: opts.connections,
          durationS,
          warmUpS: 1,
          logFile: join(tmp, `h2load-${++runs}.log`),
        });
  try {
    if (floorUnavailable === undefined) {
      try {
        const mounted = await ensureTracingMounts();
        if (mounted.length > 0) console.error(`mounted ${mounted.join(' and ')}`);
      } catch (err) {
        floorUnavailable = (err as Error).message;
      }
    }
    for (const s of opts.sizes) {
      const url = `https://127.0.0.1:${nginx.port}${s.path}`;
      /** Runs one configuration while watching for other processes' uprobes, which would taint its figures. */
      const measure = async (
        round: number,
        config: Row['config'],
        body: () => Promise<Partial<Row>>,
      ): Promise<void> => {
        progress(`${s.size} ${config}${opts.repeat > 1 ? ` (round ${round}/${opts.repeat})` : ''}`);
        const watch = watchForeignUprobes();
        // A configuration that fails (wrk error, agent crash) is reported as such; the others still run.
        const failed = (err: unknown): Partial<Row> => ({ status: 'failed', reason: (err as Error).message });
        const [figures, foreign] = await thenStop(() => body().catch(failed), () => watch.stop());
        const warnings = foreign === undefined || foreign.length === 0
          ? undefined
          : [`other processes had uprobes attached during this run: ${foreign.join('; ')}`];
        rows.push({
          size: s.size,
          bodyBytes: s.bytes,
          config,
          status: 'ok',
          round,
          ...figures,
          ...(warnings && { warnings }),
        });
      };
      if (opts.warmupS > 0) await load(url, opts.warmupS);

      for (let round = 1; round <= opts.repeat; round++) {
        await measure(round, 'untraced', async () => ({ load: await load(url, opts.durationS) }));

        await measure(round, 'floor', async () =>
          floorUnavailable !== undefined
            ? { status: 'skipped', reason: floorUnavailable }
            : measureFloor(() => load(url, opts.durationS)),
        );

        await measure(round, 'agent', async () => {
          if (agentUnavailable !== undefined) return { status: 'skipped', reason: agentUnavailable };
          let agent: Agent;
          try {
            agent = await startAgent(opts.agentCmd, join(tmp, `agent-${s.size}.jsonl`));
          } catch (err) {
            agentUnavailable = `agent did not start (${opts.agentCmd}): ${(err as Error).message}`;
            console.error('skipping the agent configuration (the reason is in the table notes)');
            return { status: 'skipped', reason: agentUnavailable };
          }
          return measureAgent(agent, s.path, () => load(url, opts.durationS), () => nginx.requestsServed());
        });
      }
    }
  } finally {
    await nginx.stop();
  }
  return rows;
}

async function measureFloor(load: () => Promise<LoadResult>): Promise<Pick<Row, 'load' | 'floor'>> {
  const t0 = performance.now();
  const floor = await startFloor();
  const attachSeconds = (performance.now() - t0) / 1000;
  let t1 = 0;
  const [result, stopped] = await thenStop(load, () => {
    t1 = performance.now();
    return floor.stop();
  });
  const { counts, exit } = stopped;
  return {
    load: result,
    floor: {
      ...(counts !== undefined && {
        probeEntries: counts.entries,
        probeReturns: counts.returns,
        hitsPerRequest: (counts.entries + counts.returns) / result.requests,
      }),
      attachSeconds,
      stopSeconds: (performance.now() - t1) / 1000,
      exit: describeExit(exit, 'bpftrace'),
    },
  };
}

function describeExit(exit: Exit, who: string): string {
  return exit.signal === 'SIGKILL'
    ? `${who} did not exit within 10 s of SIGINT: killed, its output may be incomplete`
    : `${who} exited with code ${exit.code}${exit.signal !== null ? ` on ${exit.signal}` : ''} after SIGINT`;
}

async function measureAgent(
  agent: Agent,
  path: string,
  load: () => Promise<LoadResult>,
  requestsServed: () => Promise<number>,
): Promise<Pick<Row, 'load' | 'agent'>> {
  const measured = async () => {
    const served0 = await requestsServed();
    const meter = agent.meterCpu();
    const result = await load();
    if (agent.process.hasExited()) {
      const e = await agent.process.exited;
      const said = agent.stderrTail().trim().split('\n').slice(-20).join('\n');
      throw new Error(`the agent exited during the run (code ${e.code}, signal ${e.signal}); its stderr ended with:\n${said}`);
    }
    const cpu = meter.stop();
    const served = (await requestsServed()) - served0;
    return { result, cpu, served, rssKiB: agent.peakRssKiB() };
  };
  const [{ result, cpu, served, rssKiB }, exit] = await thenStop(measured, () => agent.stop(10_000));
  const captured = await countCaptured(agent.outputFile, path);
  rmSync(agent.outputFile, { force: true });
  return {
    load: result,
    agent: {
      cpuFraction: cpu.cpuFraction,
      cpuSeconds: cpu.cpuSeconds,
      peakRssKiB: rssKiB,
      served,
      captured: captured.matched,
      bySide: captured.bySide,
      exit: describeExit(exit, 'agent'),
    },
  };
}

/** Runs `body`, then always `stop` (also when `body` fails, whose error then wins). */
async function thenStop<T, S>(body: () => Promise<T>, stop: () => Promise<S>): Promise<[T, S]> {
  let result: T;
  try {
    result = await body();
  } catch (err) {
    await stop();
    throw err;
  }
  return [result, await stop()];
}

function progress(what: string): void {
  console.error(`[${new Date().toISOString().slice(11, 19)}] ${what}`);
}

async function toolVersions(loadTool: string): Promise<Record<string, string>> {
  const first = async (cmd: string, args: string[]): Promise<string> => {
    const r = await run(cmd, cmd, args, 10_000).catch(() => undefined);
    return (`${r?.stdout ?? ''}${r?.stderr ?? ''}`.split('\n')[0] ?? '').replace(/ Copyright.*$/, '').trim();
  };
  const nginx = (await first('nginx', ['-v'])).replace(/^nginx version: /, '');
  const out: Record<string, string> = { nginx, [loadTool]: await first(loadTool, ['--version']) };
  if (onPath('bpftrace') !== undefined) out.bpftrace = await first('bpftrace', ['--version']);
  return out;
}

try {
  await main();
} catch (err) {
  console.error(`https-capture bench failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
