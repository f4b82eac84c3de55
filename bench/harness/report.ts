// Result rows of the HTTPS capture benchmark and their rendering: a console table and the JSON kept for
// bench/RESULTS.md.

import type { LoadResult } from './wrk.ts';

export type Config = 'untraced' | 'floor' | 'agent';

export interface AgentFigures {
  cpuFraction: number;
  cpuSeconds: number;
  peakRssKiB: number;
  /** Requests nginx handled while the load ran (stub_status delta): what each side should have captured. */
  served: number;
  /** Records whose URL ends with the benchmarked path (both sides together). */
  captured: number;
  /** The same by capturing side, "<exe basename> <direction>" (nginx ingress, wrk egress). */
  bySide: Record<string, number>;
  exit: string;
}

export interface FloorFigures {
  /** Hits counted by bpftrace; absent when it had to be killed and printed nothing. */
  probeEntries?: number;
  probeReturns?: number;
  /** Entry + return hits per completed request (server and client side together). */
  hitsPerRequest?: number;
  /** From start until the kernel listed every probe. */
  attachSeconds: number;
  /** From SIGINT until bpftrace exited. */
  stopSeconds: number;
  exit: string;
}

export interface Row {
  size: string;
  bodyBytes: number;
  config: Config;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  load?: LoadResult;
  ratioToUntraced?: number;
  ratioToFloor?: number;
  p50RatioToUntraced?: number;
  p99RatioToUntraced?: number;
  agent?: AgentFigures;
  floor?: FloorFigures;
  /** Conditions that make the figures doubtful (e.g. someone else's uprobes were attached). */
  warnings?: string[];
  /** 1-based round of a measured row. */
  round?: number;
  /** Summary rows: how many rounds succeeded, and the range of req/s (closed loop) or p99 (open loop) over them. */
  rounds?: number;
  spread?: { min: number; max: number; of: 'reqPerSec' | 'p99Us' };
}

/**
 * One row per (size, config) from repeated rounds: the round whose key figure is the median (req/s in the
 * closed loop, p99 in the open loop), so each reported row is one coherent measurement; the spread over all
 * rounds and every round's warnings come with it.
 */
export function summarizeRounds(rows: readonly Row[], rate: boolean): Row[] {
  const of = rate ? 'p99Us' : 'reqPerSec';
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.size}\0${r.config}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: Row[] = [];
  for (const group of groups.values()) {
    const ok = group.filter((r) => r.status === 'ok' && r.load !== undefined);
    const warnings = [...new Set(group.flatMap((r) => r.warnings ?? []))];
    if (ok.length === 0) {
      out.push({ ...group[0]!, ...(warnings.length > 0 && { warnings }) });
      continue;
    }
    const sorted = [...ok].sort((a, b) => a.load![of] - b.load![of]);
    const median = sorted[(sorted.length - 1) >> 1]!;
    const { round: _round, ...rest } = median;
    out.push({
      ...rest,
      rounds: ok.length,
      spread: { min: sorted[0]!.load![of], max: sorted[sorted.length - 1]!.load![of], of },
      ...(warnings.length > 0 && { warnings }),
    });
  }
  return out;
}

/** Fills in the ratios of each row against the untraced and floor rows of the same size. */
export function addRatios(rows: Row[]): void {
  for (const row of rows) {
    const same = (c: Config): LoadResult | undefined =>
      rows.find((r) => r.size === row.size && r.config === c && r.status === 'ok')?.load;
    const base = same('untraced');
    const floor = same('floor');
    if (row.load === undefined) continue;
    if (base !== undefined) {
      row.ratioToUntraced = row.load.reqPerSec / base.reqPerSec;
      row.p50RatioToUntraced = row.load.p50Us / base.p50Us;
      row.p99RatioToUntraced = row.load.p99Us / base.p99Us;
    }
    if (floor !== undefined && row.config !== 'untraced') row.ratioToFloor = row.load.reqPerSec / floor.reqPerSec;
  }
}

export function formatLatency(us: number): string {
  if (!Number.isFinite(us)) return '-';
  if (us < 1000) return `${us.toFixed(0)} µs`;
  if (us < 1e6) return `${(us / 1000).toFixed(2)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

/** "nginx 1.00 wrk 0.98": each capturing side's records per request nginx served. */
function capturedBySide(a: AgentFigures): string {
  const sides = Object.entries(a.bySide);
  if (sides.length === 0) return `0/${a.served}`;
  return sides.map(([side, n]) => `${side.split(' ')[0]} ${a.served > 0 ? (n / a.served).toFixed(2) : '-'}`).join(' ');
}

const ratio = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(2));

/** The console table; `rate` switches the ratio columns from throughput to latency. */
export function formatTable(rows: readonly Row[], rate: boolean): string {
  const head = rate
    ? ['size', 'config', 'req/s', 'p50', 'p99', 'p50 ×untr', 'p99 ×untr', 'agent CPU', 'agent RSS', 'captured/served']
    : ['size', 'config', 'req/s', '×untraced', '×floor', 'p50', 'p99', 'agent CPU', 'agent RSS', 'captured/served'];
  const body: string[][] = [];
  const notes: string[] = [];
  for (const r of rows) {
    for (const w of r.warnings ?? []) notes.push(`${r.size} ${r.config} WARNING: ${w}`);
    if (r.status !== 'ok' || r.load === undefined) {
      body.push([r.size, r.config, r.status, ...head.slice(3).map(() => '-')]);
      // stack frames make the table unreadable; the JSON keeps the whole reason
      const reason = (r.reason ?? '').split('\n').filter((l) => !/^\s+at /.test(l)).join('\n');
      notes.push(`${r.size} ${r.config} ${r.status}: ${reason}`);
      continue;
    }
    const l = r.load;
    const a = r.agent;
    const agentCols = [
      a === undefined ? '-' : `${(a.cpuFraction * 100).toFixed(0)}% core`,
      a === undefined ? '-' : `${(a.peakRssKiB / 1024).toFixed(0)} MiB`,
      a === undefined ? '-' : capturedBySide(a),
    ];
    const rps = Math.round(l.reqPerSec).toLocaleString('en-US');
    body.push(
      rate
        ? [r.size, r.config, rps, formatLatency(l.p50Us), formatLatency(l.p99Us), ratio(r.p50RatioToUntraced),
          ratio(r.p99RatioToUntraced), ...agentCols]
        : [r.size, r.config, rps, ratio(r.ratioToUntraced), ratio(r.ratioToFloor), formatLatency(l.p50Us),
          formatLatency(l.p99Us), ...agentCols],
    );
    if (r.spread !== undefined && (r.rounds ?? 1) > 1) {
      const fmt = r.spread.of === 'reqPerSec'
        ? (x: number) => `${Math.round(x).toLocaleString('en-US')} req/s`
        : formatLatency;
      const what = r.spread.of === 'reqPerSec' ? 'req/s' : 'p99';
      notes.push(`${r.size} ${r.config}: median ${what} of ${r.rounds} rounds, range ${fmt(r.spread.min)} – ${fmt(r.spread.max)}`);
    }
    if (l.errors > 0) notes.push(`${r.size} ${r.config}: ${l.errors} socket errors or non-2xx responses`);
    const f = r.floor;
    if (f !== undefined) {
      const hits =
        f.hitsPerRequest === undefined
          ? 'probe counts unknown'
          : `${f.probeEntries} uprobe + ${f.probeReturns} uretprobe hits, ${f.hitsPerRequest.toFixed(1)} per request ` +
            '(nginx and the load generator both trap)';
      notes.push(
        `${r.size} floor: ${hits}; attached in ${f.attachSeconds.toFixed(1)} s, ` +
          `stopped in ${f.stopSeconds.toFixed(1)} s, ${f.exit}`,
      );
    }
    if (a !== undefined) {
      const sides = Object.entries(a.bySide).map(([side, n]) => `${side} ${n}`).join(', ');
      notes.push(
        `${r.size} agent: nginx served ${a.served} requests during the run (the load generator counted ` +
          `${l.requests} in its window); captured: ${sides === '' ? 'none' : sides}; ${a.exit}`,
      );
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...body.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
