// The eBPF agent: capture → connection tracking → HTTP/1 transactions → sink, with one lifecycle:
// start() opens and attaches everything, stop() drains and detaches in reverse order.
import type { Logger } from '../core/logger.ts';
import type { DnsAuditRecord, Transaction } from '../core/transaction.ts';
import { BpfCapture, DEFAULT_CAPTURE_OPTIONS, type CaptureOptions, type KernelCounters, type SkippedTracepoint } from '../capture/bpf-capture.ts';
import { containerFacts, ContainerResolver, ProcessTable, type ProcessDetails } from '../context/index.ts';
import { ConnectionTracker } from '../stream/connection-tracker.ts';
import type { StreamCounters } from '../stream/counters.ts';
import { TlsAttachManager, type AttachPolicy } from '../capture/tls-attach.ts';
import { ProcessFilter, SKIP_NOTHING, type ProcessSkip } from '../tap/index.ts';
import { ProcessSkips } from './process-skips.ts';

export interface TransactionSink {
  write(batch: readonly Transaction[]): Promise<void>;
  /** DNS lookups (tap.audit_include_dns decides what becomes of them). */
  writeDns?(records: readonly DnsAuditRecord[]): void;
  close(): Promise<void>;
}

export interface AgentOptions {
  capture: CaptureOptions;
  /** Bytes of each body kept in a transaction; 0 when no output shows bodies. */
  maxBodyBytes: number;
  sink: TransactionSink;
  log: Logger;
  /** tap.filters: processes to ignore (none when absent). */
  processFilter?: ProcessFilter;
  /** Runs when the set of probed (or unprobeable) TLS files changes. */
  onTlsChange?: () => void;
}

export interface AgentStatus {
  kernel: KernelCounters;
  /** Transactions dropped because the sink was too far behind. */
  sinkBacklogDropped: number;
  stream: StreamCounters;
  decode: { records: number; malformed: number };
  flows: number;
  /** Running processes tap.filters ignores. */
  ignoredProcesses: number;
  /** Post-exec library rescans skipped for lack of budget (an exec storm). */
  tlsScansSkipped: number;
  /** TLS files left unprobed because only ignored processes use them. */
  tlsDeclined: string[];
  tlsBinaries: Array<{ path: string; library: string; attached: string[]; failed: string[] }>;
  /** Tracepoints this kernel lacks, left unattached (what they would have seen is missing). */
  tracepointsSkipped: SkippedTracepoint[];
}

/** What `cleartap status` shows of the TLS probes: files attached (by key) and files that cannot be. */
export interface TlsProbeState {
  attached: Array<{ key: string; path: string; library: string; version?: string }>;
  unsupported: Array<{ key: string; displayPath: string; reason: string; code: string }>;
}

const SWEEP_INTERVAL_MS = 1000;
/** How often losses are reported while running (only when something was lost since the last report). */
const LOSS_REPORT_INTERVAL_MS = 30_000;

/**
 * Bytes the kernel copies of each call when no body is kept: enough for the heads (and the start of a
 * body), while the rest of each call travels as a gap record of a few bytes. HTTP/1 framing survives
 * gaps in Content-Length bodies, so summaries stay exact at a fraction of the copying.
 */
export const HEADS_ONLY_CALL_BYTES = 4096;

/** Bytes of transactions handed to the sink and not yet written; past this the agent drops (and
 * counts) rather than grow. Bodies dominate, so a batch weighs its bodies plus a fixed share. */
const MAX_SINK_BACKLOG_BYTES = 64 << 20;
const TRANSACTION_OVERHEAD_BYTES = 1024;

function weight(batch: readonly Transaction[]): number {
  let bytes = 0;
  for (const tx of batch) bytes += TRANSACTION_OVERHEAD_BYTES + tx.request.body.length + (tx.response?.body.length ?? 0);
  return bytes;
}

/** Capture settings for the bodies the outputs need: none (heads only) or up to maxBodyBytes. */
export function captureFor(maxBodyBytes: number, base: CaptureOptions = DEFAULT_CAPTURE_OPTIONS): CaptureOptions {
  return maxBodyBytes > 0 ? base : { ...base, maxChunk: Math.min(base.maxChunk, HEADS_ONLY_CALL_BYTES), maxChunks: 1 };
}

export class Agent {
  private readonly opts: AgentOptions;
  private readonly processes = new ProcessTable();
  /** Container names, images and pods from the runtimes' state (cached; looked up in the background). */
  private readonly containers = new ContainerResolver();
  private readonly tracker: ConnectionTracker;
  private readonly capture: BpfCapture;
  private readonly tlsAttach: TlsAttachManager;
  private readonly skips: ProcessSkips;
  private bootMs = 0;
  /** The kernel's counters as they were when the programs were unloaded. */
  private finalKernelCounters: KernelCounters | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Sink writes in order; at most MAX_SINK_BACKLOG_BYTES wait for it. */
  private writing: Promise<void> = Promise.resolve();
  private sinkBacklogBytes = 0;
  private sinkBacklogDropped = 0;
  private lossReportedAt = Date.now();
  private lastLosses: Record<string, number> = {};

  constructor(opts: AgentOptions) {
    this.opts = opts;
    this.tracker = new ConnectionTracker(
      {
        process: (pid) => this.processOf(pid),
        tlsLibrary: (cookie) => this.capture.binaryForCookie(cookie)?.library,
        wallMs: (tsNs) => this.bootMs + tsNs / 1e6,
        forgetSocket: (pid, fd, connId) => this.capture.forgetSocket(pid, fd, connId),
        onExec: (r) => {
          this.processes.noteExec(r.pid, { exe: r.filename, argv: r.argv, argvTruncated: r.argvTruncated, uid: r.uid, ppid: r.ppid });
          this.skips.onExec(r.pid, r.filename);
          this.tlsAttach.onExec(r.pid, r.filename, r.ppid);
          // A process of a container not seen before: its runtime lookup starts now, so that its first
          // transaction already carries the container's name.
          const p = this.processes.get(r.pid);
          if (p?.containerId !== undefined) this.containers.peekFor(p);
        },
        onExit: (pid) => {
          this.processes.noteExit(pid, Date.now());
          this.skips.onExit(pid);
          this.tlsAttach.onExit(pid);
        },
      },
      { limits: { maxBodyBytes: opts.maxBodyBytes } },
    );
    this.capture = new BpfCapture(this.tracker, () => this.flush());
    this.tlsAttach = new TlsAttachManager(this.capture, opts.log, opts.onTlsChange);
    const filter = opts.processFilter ?? new ProcessFilter({ groups: [], custom: [] });
    this.skips = new ProcessSkips(filter, this.capture);
    this.tlsAttach.setPolicy(this.attachPolicy(filter));
  }

  /** The process's context, with its container's metadata once the runtime has told it (the first
   * transactions of a new container may go without: the lookup runs in the background). */
  private processOf(pid: number): ProcessDetails | undefined {
    const p = this.processes.get(pid);
    if (p?.containerId !== undefined && p.container === undefined) {
      const m = this.containers.peekFor(p);
      if (m !== undefined) p.container = containerFacts(m);
    }
    return p;
  }

  /** TLS files whose every user is ignored for TLS (or HTTP) are left unprobed (tls-attach.ts). */
  private attachPolicy(filter: ProcessFilter): AttachPolicy {
    const ignored = (skip: ProcessSkip) => skip.tls || skip.http;
    return { ignoresExe: (exe) => ignored(filter.skipFor(exe)), ignoresPid: (pid) => ignored(this.skips.skipOf(pid)) };
  }

  /** What tap.filters skips for a process (the pipeline drops what the kernel let through before it knew). */
  skipOf(pid: number | undefined): ProcessSkip {
    return pid === undefined ? SKIP_NOTHING : this.skips.skipOf(pid);
  }

  /** A reloaded tap.filters: applied to every running process and to new ones, without a capture gap. */
  setProcessFilter(filter: ProcessFilter): void {
    this.skips.replace(filter);
    this.tlsAttach.setPolicy(this.attachPolicy(filter));
  }

  /** A reloaded config that changes whether bodies are kept: the kernel's copy size and the parser
   * limits change in place (flows already open keep their limits). */
  setMaxBodyBytes(maxBodyBytes: number): void {
    const call = captureFor(maxBodyBytes, this.opts.capture);
    this.capture.setCallLimits(call.maxChunk, call.maxChunks);
    this.tracker.setLimits({ maxBodyBytes });
  }

  start(): void {
    const { log } = this.opts;
    this.capture.open(this.opts.capture ?? DEFAULT_CAPTURE_OPTIONS);
    for (const t of this.capture.skippedTracepoints) log.debug({ tracepoint: t.tracepoint, prog: t.prog }, `tracepoint ${t.tracepoint}: ${t.reason}`);
    this.bootMs = Date.now() - this.capture.monotonicNs() / 1e6;
    this.skips.applyToRunning();
    this.tlsAttach.attachKnown();
    this.capture.start();
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    const bins = this.capture.attachedBinaries.filter((b) => b.attached.length > 0);
    const skipped = this.capture.skippedTracepoints.map((t) => t.tracepoint);
    log.info(
      { tlsBinaries: bins.map((b) => b.path), ...(skipped.length ? { tracepointsSkipped: skipped } : {}) },
      `capturing: HTTP over plaintext sockets and ${bins.length} TLS binaries${skipped.length ? ` (${skipped.length} tracepoints not in this kernel skipped)` : ''}`,
    );
  }

  status(): AgentStatus {
    return {
      kernel: this.finalKernelCounters ?? this.capture.counters(),
      sinkBacklogDropped: this.sinkBacklogDropped,
      stream: { ...this.tracker.counters },
      decode: { ...this.capture.decodeStats },
      flows: this.tracker.flowCount,
      ignoredProcesses: this.skips.ignoredCount,
      tlsScansSkipped: this.tlsAttach.scansSkipped,
      tlsDeclined: [...this.tlsAttach.declined.keys()],
      tlsBinaries: this.capture.attachedBinaries.map((b) => ({
        path: b.path,
        library: b.library,
        attached: b.attached,
        failed: b.failed.map((f) => `${f.func}: ${f.error}`),
      })),
      tracepointsSkipped: [...this.capture.skippedTracepoints],
    };
  }

  tlsProbes(): TlsProbeState {
    return {
      attached: [...this.tlsAttach.attachedKeys].map(([key, a]) => ({ key, ...a })),
      unsupported: [...this.tlsAttach.unsupported].map(([key, s]) => ({ key, displayPath: s.displayPath, reason: s.reason, code: s.code })),
    };
  }

  /** Drains the ring buffer, finishes every open exchange, flushes the sink and detaches all probes. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.capture.stop();
    // Batches the poller queued before it stopped are delivered on the next turns of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.tracker.finishAll(this.capture.monotonicNs());
    this.flush();
    this.tlsAttach.stop();
    this.finalKernelCounters = this.capture.counters();
    this.capture.close();
    await this.writing;
    await this.opts.sink.close();
  }

  private flush(): void {
    const lookups = this.tracker.drainDns();
    if (lookups.length > 0) this.opts.sink.writeDns?.(lookups);
    const batch = this.tracker.drain();
    if (batch.length === 0) return;
    const bytes = weight(batch);
    if (this.sinkBacklogBytes + bytes > MAX_SINK_BACKLOG_BYTES) {
      this.sinkBacklogDropped += batch.length;
      return;
    }
    const { sink, log } = this.opts;
    this.sinkBacklogBytes += bytes;
    this.writing = this.writing
      .then(() => sink.write(batch))
      .catch((err: unknown) => log.error({ err }, 'the sink failed'))
      .finally(() => (this.sinkBacklogBytes -= bytes));
  }

  private sweep(): void {
    this.tracker.sweep(this.capture.monotonicNs());
    this.processes.sweep(Date.now());
    this.skips.sweep();
    this.flush();
    if (Date.now() - this.lossReportedAt >= LOSS_REPORT_INTERVAL_MS) this.reportLosses();
  }

  /** Warns, while running, about whatever was lost since the last report: a user watching the output
   * should not have to wait for the exit summary to learn that the capture is incomplete. */
  private reportLosses(): void {
    this.lossReportedAt = Date.now();
    const k = this.capture.counters();
    const st = this.tracker.counters;
    const now: Record<string, number> = {
      ringbufFull: k.ringbufFull,
      truncatedBytes: k.truncatedBytes,
      payloadReadFailed: k.payloadReadFailed,
      batchesDropped: k.batchesDropped,
      gapBytes: st.gapBytes,
      flowsEvicted: st.flowsEvicted,
      sinkBacklogDropped: this.sinkBacklogDropped,
      tlsScansSkipped: this.tlsAttach.scansSkipped,
    };
    const since: Record<string, number> = {};
    for (const [name, value] of Object.entries(now)) {
      const delta = value - (this.lastLosses[name] ?? 0);
      if (delta > 0) since[name] = delta;
    }
    this.lastLosses = now;
    if (Object.keys(since).length) this.opts.log.warn({ lostSinceLastReport: since }, 'capture losses (counted; see the exit summary for totals)');
  }
}
