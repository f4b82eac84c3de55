// Closed-loop load with wrk (as many requests as the server answers) and the parsing of its report.

import { run } from './processes.ts';

export interface LoadResult {
  /** Completed requests. */
  requests: number;
  /** Wall time the load ran, as the load generator measured it. */
  seconds: number;
  reqPerSec: number;
  p50Us: number;
  p99Us: number;
  /** Socket errors and non-2xx/3xx responses. */
  errors: number;
}

export interface WrkOptions {
  url: string;
  durationS: number;
  threads: number;
  connections: number;
  /** Environment of the wrk process (e.g. LD_LIBRARY_PATH for a private libssl). */
  env?: NodeJS.ProcessEnv;
}

export async function runWrk(o: WrkOptions): Promise<LoadResult> {
  const args = [`-t${o.threads}`, `-c${o.connections}`, `-d${o.durationS}s`, '--latency', o.url];
  const res = await run('wrk', 'wrk', args, (o.durationS + 30) * 1000, o.env);
  if (res.timedOut) throw new Error(`wrk ${args.join(' ')} did not finish within ${o.durationS + 30} s`);
  if (res.code !== 0) throw new Error(`wrk ${args.join(' ')} failed (code ${res.code}): ${res.stderr.trim()}`);
  return parseWrkOutput(res.stdout);
}

const UNIT_US: Readonly<Record<string, number>> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };

/** "274.00us", "1.02ms", "2.00s" (wrk's units) -> microseconds. */
export function parseDurationUs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (m === null) throw new Error(`not a wrk duration: ${JSON.stringify(text)}`);
  return Number((Number(m[1]) * UNIT_US[m[2]!]!).toFixed(3)); // 4.02ms is 4020 µs, not 4019.9999999999995
}

/** The figures of one `wrk --latency` report. Throws, quoting the report, when a figure is missing. */
export function parseWrkOutput(out: string): LoadResult {
  const need = (re: RegExp, what: string): RegExpExecArray => {
    const m = re.exec(out);
    if (m === null) throw new Error(`wrk output has no ${what}:\n${out}`);
    return m;
  };
  const done = need(/^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),/m, '"N requests in" line');
  const rps = need(/^Requests\/sec:\s+([\d.]+)/m, 'Requests/sec line');
  const p50 = need(/^\s*50(?:\.0+)?%\s+(\S+)/m, '50% latency');
  const p99 = need(/^\s*99(?:\.0+)?%\s+(\S+)/m, '99% latency');
  let errors = 0;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (sock !== null) errors += sock.slice(1).reduce((a, n) => a + Number(n), 0);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx !== null) errors += Number(non2xx[1]);
  return {
    requests: Number(done[1]),
    seconds: parseDurationUs(`${done[2]}${done[3]}`) / 1e6,
    reqPerSec: Number(rps[1]),
    p50Us: parseDurationUs(p50[1]!),
    p99Us: parseDurationUs(p99[1]!),
    errors,
  };
}
