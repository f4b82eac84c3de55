// Side-by-side: `cleartap read` against `tshark -Y http` on the same large capture, in one run.
//
//   $NODE bench/pcap/read.bench.ts [--source recorded|synthetic] [--duration 3] [--transactions 200000]
//                                  [--bodies text|json] [--repeat 3] [--pcap FILE] [--keep] [--json OUT]
//
// The capture is --pcap FILE, or recorded (default: tcpdump on loopback while wrk loads a plain-HTTP nginx for
// --duration seconds, bench/pcap/record-pcap.ts; needs root, nginx, wrk, tcpdump), or synthetic
// (bench/pcap/synthetic-pcap.ts: 64 interleaved keep-alive connections, mixed statuses, chunked bodies). Then
// each reader runs as its own process under /usr/bin/time (wall time and peak RSS include start-up for both):
//   1. cleartap's library path: CaptureFileSource, every status kept, transactions counted;
//   2. cleartap's CLI path: runRead with JSON lines written to /dev/null, at level summary (the HTTP fields, as
//      tshark extracts them below, and Qtap's other summary keys) and at level details (every header too);
//   3. tshark -r FILE -Y http -T fields -e http.request.method -e http.request.uri -e http.response.code.
// cleartap's runs are repeated (--repeat, the median is shown: this VM is shared and noisy); tshark runs once.
// Prints transactions/s of each, our rate over tshark's, and whether the request, response and per-status
// counts are identical.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runRead } from '../../src/cli/passive-command.ts';
import { createLogger } from '../../src/core/logger.ts';
import { CaptureFileSource, resolvePassiveOptions } from '../../src/pipeline/passive/index.ts';
import { recordWrkPcap } from './record-pcap.ts';
import { writeSyntheticPcap } from './synthetic-pcap.ts';

interface Counts {
  requests: number;
  responses: number;
  statuses: Record<string, number>;
}

interface Run extends Counts {
  name: string;
  seconds: number;
  maxRssMiB: number;
  /** The reader's own time, without process start-up (cleartap only). */
  readSeconds?: number;
}

const SELF = fileURLToPath(import.meta.url);

async function childLibrary(file: string): Promise<void> {
  const t = performance.now();
  const source = await CaptureFileSource.open(file, { passive: resolvePassiveOptions({ flags: { statusCodes: 'xxx' } }), limits: { maxBodyBytes: 0 } });
  const counts: Counts = { requests: 0, responses: 0, statuses: {} };
  for await (const batch of source.batches()) {
    for (const tx of batch) {
      counts.requests++;
      if (!tx.response) continue;
      counts.responses++;
      counts.statuses[tx.response.status] = (counts.statuses[tx.response.status] ?? 0) + 1;
    }
  }
  process.stdout.write(JSON.stringify({ ...counts, readSeconds: (performance.now() - t) / 1000 }));
}

async function childCli(file: string, level: 'summary' | 'details'): Promise<void> {
  const t = performance.now();
  const out = createWriteStream('/dev/null');
  const status = await runRead(file, { format: 'json', level, maxBody: 0, logLevel: 'warn', statusCodes: 'xxx' }, { stdout: out, env: {}, log: createLogger('warn') });
  out.end();
  const tx = status.tracker.connections.transactions;
  process.stdout.write(JSON.stringify({ requests: tx, responses: tx - status.tracker.connections.unanswered, statuses: {}, readSeconds: (performance.now() - t) / 1000 }));
}

function timed(name: string, cmd: string, args: string[]): { seconds: number; maxRssMiB: number; stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-time-'));
  const timeFile = join(dir, 'time');
  // Node's compile cache, as the cleartap CLI turns it on for itself (src/cli/main.ts): our runs are repeated,
  // so they start from a warm cache as a user's second `cleartap read` does.
  const env = { ...process.env, NODE_COMPILE_CACHE: join(tmpdir(), 'cleartap-bench-compile-cache') };
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timeFile, cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, env });
  const [seconds, rssKiB] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${name} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { seconds, maxRssMiB: Math.round(rssKiB / 1024), stdout: r.stdout };
}

function ours(name: string, mode: string, file: string, repeat: number, extra: string[] = []): Run {
  const runs: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = timed(name, process.execPath, [SELF, mode, file, ...extra]);
    const c = JSON.parse(t.stdout) as Counts & { readSeconds: number };
    runs.push({ name, ...c, seconds: t.seconds, maxRssMiB: t.maxRssMiB });
  }
  runs.sort((a, b) => a.seconds - b.seconds);
  const median = runs[Math.floor(runs.length / 2)];
  return repeat > 1 ? { ...median, name: `${name}, median of ${repeat} (${runs.map((r) => r.seconds.toFixed(2)).join(' / ')} s)` } : median;
}

function tshark(file: string): Run {
  const t = timed('tshark', 'tshark', ['-r', file, '-Y', 'http', '-T', 'fields', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.response.code']);
  const counts: Counts = { requests: 0, responses: 0, statuses: {} };
  for (const line of t.stdout.split('\n')) {
    const [methods = '', , codes = ''] = line.split('\t');
    // A frame that completes several messages lists each one's field, comma-separated.
    if (methods) counts.requests += methods.split(',').length;
    for (const code of codes ? codes.split(',') : []) {
      counts.responses++;
      counts.statuses[code] = (counts.statuses[code] ?? 0) + 1;
    }
  }
  return { name: 'tshark -Y http (fields)', ...counts, seconds: t.seconds, maxRssMiB: t.maxRssMiB };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      source: { type: 'string', default: 'recorded' },
      duration: { type: 'string', default: '3' },
      transactions: { type: 'string', default: '200000' },
      bodies: { type: 'string', default: 'text' },
      repeat: { type: 'string', default: '3' },
      pcap: { type: 'string' },
      keep: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-pcap-'));
  try {
    let file = values.pcap;
    let generated: ReturnType<typeof writeSyntheticPcap> | Awaited<ReturnType<typeof recordWrkPcap>> | undefined;
    if (!file && values.source === 'recorded') {
      const rec = await recordWrkPcap(dir, Number(values.duration), 16);
      generated = rec;
      file = rec.file;
      console.log(`recorded ${file}: wrk -t1 -c16 -d${values.duration}s against nginx (1 KiB responses), ${rec.wrkRequests} requests, ${rec.packets} packets, tcpdump dropped none`);
    } else if (!file) {
      file = join(dir, 'synthetic.pcap');
      const bodies = values.bodies === 'json' ? 'json' : 'text';
      generated = writeSyntheticPcap(file, { transactions: Number(values.transactions), concurrency: 64, perConnection: 100, seed: 1, bodies });
      console.log(`generated ${file}: ${generated.transactions} transactions, ${generated.packets} packets, ${(generated.bytes / 2 ** 20).toFixed(1)} MiB (${bodies} bodies, 64 connections at a time)`);
    }
    console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const repeat = Number(values.repeat);
    // The CLI at --level summary prints what tshark's field extraction gives (method, URL, status) plus
    // Qtap's other summary keys; at details it adds every header.
    const runs = [
      ours('cleartap read (library)', '--child-library', file, repeat),
      ours('cleartap read --level summary (CLI, JSON to /dev/null)', '--child-cli', file, repeat, ['summary']),
      ours('cleartap read --level details (CLI, JSON to /dev/null)', '--child-cli', file, repeat, ['details']),
      tshark(file),
    ];
    const base = runs[3];
    console.log(`\n| reader | transactions | s | transactions/s | × tshark | peak RSS |\n|---|---|---|---|---|---|`);
    for (const r of runs) {
      const rate = r.requests / r.seconds;
      const extra = r.readSeconds !== undefined ? ` (read ${r.readSeconds.toFixed(2)} s → ${Math.round(r.requests / r.readSeconds).toLocaleString('en')}/s)` : '';
      console.log(`| ${r.name} | ${r.requests.toLocaleString('en')} | ${r.seconds.toFixed(2)}${extra} | ${Math.round(rate).toLocaleString('en')} | ${(rate / (base.requests / base.seconds)).toFixed(1)} | ${r.maxRssMiB} MiB |`);
    }
    const lib = runs[0];
    const same = lib.requests === base.requests && lib.responses === base.responses && JSON.stringify(sorted(lib.statuses)) === JSON.stringify(sorted(base.statuses));
    console.log(`\ncounts ${same ? 'identical' : 'DIFFER'}: cleartap ${lib.requests} requests / ${lib.responses} responses ${JSON.stringify(sorted(lib.statuses))}; tshark ${base.requests} / ${base.responses} ${JSON.stringify(sorted(base.statuses))}`);
    if (values.json) writeFileSync(values.json, JSON.stringify({ file, generated, runs, identical: same }, null, 2));
    if (values.keep) console.log(`kept ${file}`);
    if (!same) process.exitCode = 1;
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }
}

function sorted(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

const [mode, file, level] = process.argv.slice(2);
if (mode === '--child-library') await childLibrary(file);
else if (mode === '--child-cli') await childCli(file, level === 'summary' ? 'summary' : 'details');
else await main();
