// `cleartap status`: is an agent running, and which processes' TLS it sees — per process, which TLS library
// each uses, whether its probes are attached, and why not when they are not. Silent HTTPS blindness is what
// users of such agents complain about most, so every TLS user on the host is listed with its state.
//
//   cleartap status [--json] [--pid PID]

import { readdirSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { TlsScanner } from '../capture/tls/index.ts';
import { readStatusFile, statusFilePath, type StatusSnapshot } from '../pipeline/status-file.ts';

export type ProbeState = 'attached' | 'ignored' | 'unsupported' | 'not-attached';

export interface ProcessTlsRow {
  pid: number;
  exe?: string;
  /** The TLS file as the process sees it. */
  file: string;
  library?: string;
  version?: string;
  state: ProbeState;
  /** Why, for every state but attached. */
  reason?: string;
}

export interface StatusReport {
  agent: { running: boolean; pid?: number; version?: string; startedAt?: number; updatedAt?: number; config?: string; message?: string };
  counters?: Record<string, number>;
  /** Tracepoints the agent left unattached because the running kernel lacks them, and what that costs. */
  tracepointsSkipped?: Array<{ tracepoint: string; reason: string }>;
  processes: ProcessTlsRow[];
}

/** Every process's TLS files matched against what the agent attached. Pure over its inputs. */
export function tlsRows(scanner: TlsScanner, pids: readonly number[], snapshot: StatusSnapshot | undefined): ProcessTlsRow[] {
  const attached = new Set(snapshot?.tlsAttached.map((a) => a.key) ?? []);
  const declined = new Set(snapshot?.status.tlsDeclined ?? []);
  const rows: ProcessTlsRow[] = [];
  for (const pid of pids) {
    const scan = scanner.scanProcess(pid);
    if (!scan.ok) continue;
    const exe = scan.exe === undefined ? {} : { exe: scan.exe };
    for (const t of scan.targets) {
      const row: ProcessTlsRow = { pid, ...exe, file: t.displayPath, library: t.library, state: 'attached' };
      if (t.version !== undefined) row.version = t.version;
      if (snapshot === undefined) {
        row.state = 'not-attached';
        row.reason = 'no agent is running';
      } else if (!attached.has(t.key)) {
        row.state = declined.has(t.displayPath) ? 'ignored' : 'not-attached';
        row.reason = declined.has(t.displayPath)
          ? 'every process using this file is ignored by tap.filters'
          : 'the agent has not attached to this file (it is attached when a process using it starts or is rescanned)';
      }
      rows.push(row);
    }
    for (const s of scan.skips) {
      if (s.code === 'no-tls') continue;
      rows.push({ pid, ...exe, file: s.displayPath, ...(s.module === undefined ? {} : { library: s.module }), state: 'unsupported', reason: s.reason });
    }
  }
  return rows;
}

function runningPids(procRoot = '/proc'): number[] {
  return readdirSync(procRoot)
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

export function statusReport(opts: { statusFile: string; pid?: number }): StatusReport {
  const read = readStatusFile(opts.statusFile);
  const snapshot = read.ok && read.running ? read.snapshot : undefined;
  const agent: StatusReport['agent'] = snapshot
    ? { running: true, pid: snapshot.agentPid, version: snapshot.version, startedAt: snapshot.startedAt, updatedAt: snapshot.updatedAt, config: snapshot.config }
    : { running: false, message: read.ok ? `the agent (pid ${read.snapshot.agentPid}) is gone; its status file is stale` : read.message };
  const report: StatusReport = { agent, processes: tlsRows(new TlsScanner(), opts.pid === undefined ? runningPids() : [opts.pid], snapshot) };
  if (snapshot) {
    const k = snapshot.status.kernel;
    const st = snapshot.status.stream;
    report.counters = {
      transactions: st.transactions,
      openFlows: snapshot.status.flows,
      ringbufFull: k.ringbufFull,
      truncatedBytes: k.truncatedBytes,
      gapBytes: st.gapBytes,
      sinkBacklogDropped: snapshot.status.sinkBacklogDropped,
      rssMiB: snapshot.memoryMiB.rss,
    };
    // Absent from the snapshots of agents older than this field.
    const skipped = snapshot.status.tracepointsSkipped ?? [];
    if (skipped.length) report.tracepointsSkipped = skipped.map((t) => ({ tracepoint: t.tracepoint, reason: t.reason }));
  }
  return report;
}

const STATE_TEXT: Record<ProbeState, string> = { attached: 'attached', ignored: 'ignored', unsupported: 'NOT PROBED', 'not-attached': 'NOT ATTACHED' };

export function formatStatus(r: StatusReport, now = Date.now()): string {
  const lines: string[] = [];
  const a = r.agent;
  if (a.running) {
    const up = Math.round((now - (a.startedAt ?? now)) / 1000);
    lines.push(`agent: running (pid ${a.pid}, cleartap ${a.version}, up ${up} s, config ${a.config})`);
    if (r.counters) lines.push(`  ${Object.entries(r.counters).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    for (const t of r.tracepointsSkipped ?? []) lines.push(`  tracepoint ${t.tracepoint} NOT ATTACHED: ${t.reason}`);
  } else {
    lines.push(`agent: not running — ${a.message}`);
  }
  const users = new Set(r.processes.map((p) => p.pid)).size;
  const blind = r.processes.filter((p) => p.state === 'unsupported' || p.state === 'not-attached');
  lines.push(`TLS: ${users} processes use TLS libraries; ${blind.length} file${blind.length === 1 ? '' : 's'} in use without probes`);
  if (r.processes.length === 0) return lines.join('\n') + '\n';
  const header = ['PID', 'EXE', 'TLS FILE', 'LIBRARY', 'PROBES'];
  const table = r.processes.map((p) => [
    String(p.pid),
    p.exe ?? '?',
    p.file,
    `${p.library ?? '?'}${p.version ? ` ${p.version}` : ''}`,
    STATE_TEXT[p.state] + (p.reason ? `: ${p.reason}` : ''),
  ]);
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...table.map((row) => row[i].length))));
  for (const row of [header, ...table]) lines.push(row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  '));
  return lines.join('\n') + '\n';
}

export function statusCommand(out: { write(text: string): void } = process.stdout): Command {
  return new Command('status')
    .description('whether the agent runs, and for every process using TLS: its library and whether its probes are attached (and why not)')
    .option('--json', 'print the report as JSON')
    .option('--pid <pid>', 'only this process', (v) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('a process id');
      return n;
    })
    .action((flags: { json?: boolean; pid?: number }) => {
      const report = statusReport({ statusFile: statusFilePath(), ...(flags.pid === undefined ? {} : { pid: flags.pid }) });
      out.write(flags.json ? JSON.stringify(report, null, 2) + '\n' : formatStatus(report));
      if (!report.agent.running) process.exitCode = 1;
    });
}
