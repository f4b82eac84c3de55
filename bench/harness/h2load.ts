// Open-loop load at a fixed rate with h2load (nghttp2-client): `--h1` keep-alive connections, each sending
// `--rps` requests per second, for a fixed duration. wrk2 is not packaged in Debian, and a Node client would
// run on the Node binary the agent also hooks; h2load is native and uses the same libssl.so.3 as wrk, so the
// traced-vs-untraced comparison has the same shape as the wrk one. Latency percentiles come from its per-request
// log (--log-file: start µs, status, duration µs), since its summary only gives mean and sd.

import { readFile } from 'node:fs/promises';
import { run } from './processes.ts';
import type { LoadResult } from './wrk.ts';

export interface H2loadOptions {
  url: string;
  /** Total requests per second over all connections. */
  rate: number;
  connections: number;
  durationS: number;
  /** Excluded from the figures: connection set-up and TLS handshakes. */
  warmUpS: number;
  logFile: string;
}

export async function runH2load(o: H2loadOptions): Promise<LoadResult> {
  const args = [
    '--h1',
    `--clients=${o.connections}`,
    `--rps=${o.rate / o.connections}`,
    `--duration=${o.durationS}`,
    `--warm-up-time=${o.warmUpS}`,
    `--log-file=${o.logFile}`,
    o.url,
  ];
  const limitS = o.durationS + o.warmUpS + 30;
  const res = await run('h2load', 'h2load', args, limitS * 1000);
  if (res.timedOut) throw new Error(`h2load ${args.join(' ')} did not finish within ${limitS} s`);
  if (res.code !== 0) throw new Error(`h2load ${args.join(' ')} failed (code ${res.code}): ${res.stderr.trim()}`);
  const summary = parseH2loadSummary(res.stdout);
  const log = parseH2loadLog(await readFile(o.logFile, 'utf8'));
  return {
    requests: summary.succeeded,
    seconds: summary.reqPerSec > 0 ? summary.succeeded / summary.reqPerSec : o.durationS,
    reqPerSec: summary.reqPerSec,
    p50Us: percentile(log.durationsUs, 0.5),
    p99Us: percentile(log.durationsUs, 0.99),
    errors: summary.failed + log.non2xx,
  };
}

/**
 * The "finished in" and "requests:" lines. h2load's elapsed time includes the warm-up, but its req/s figure
 * counts only the main phase, as do the request counts and the log: req/s is taken as printed.
 */
export function parseH2loadSummary(out: string): { reqPerSec: number; succeeded: number; failed: number } {
  const fin = /^finished in [\d.]+(?:us|ms|s), ([\d.]+) req\/s,/m.exec(out);
  const req = /^requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/m.exec(out);
  if (fin === null || req === null) throw new Error(`h2load output has no summary:\n${out}`);
  return { reqPerSec: Number(fin[1]), succeeded: Number(req[1]), failed: Number(req[2]) + Number(req[3]) };
}

/** Per-request durations (µs) from h2load's log file, and how many were not 2xx. */
export function parseH2loadLog(text: string): { durationsUs: Float64Array; non2xx: number } {
  const rows = text.split('\n').filter((l) => l !== '');
  const durationsUs = new Float64Array(rows.length);
  let non2xx = 0;
  rows.forEach((row, i) => {
    const [, status, us] = row.split('\t');
    durationsUs[i] = Number(us);
    if (!status?.startsWith('2')) non2xx++;
  });
  return { durationsUs, non2xx };
}

/** Nearest-rank percentile (q in 0..1) of unsorted samples; NaN when there are none. */
export function percentile(samples: Float64Array, q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
