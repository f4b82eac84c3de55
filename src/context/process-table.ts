// pid → process context cache, fed by the kernel's exec/exit events and filled from /proc.
//
// Lifetimes: an exec event starts a fresh entry (a reused pid never inherits the old context); an exit event
// starts a grace period so transactions that finish after the process are still attributed; sweep(nowMs),
// called by the pipeline, expires entries. There are no timers in here, so tests drive time explicitly.

import { hostUserNames, type UserNameLookup } from './passwd-users.ts';
import { readProcessContext, type ProcessDetails } from './process-context.ts';
import { parseStatStartTime, readProcText } from './proc-files.ts';

/** What the kernel's exec event knows; every field is optional because BPF may fail to read any of them. */
export interface ExecInfo {
  exe?: string;
  argv?: string[];
  /** The kernel copied only the first arguments (BPF caps argv); /proc has them all while the process lives. */
  argvTruncated?: boolean;
  uid?: number;
  ppid?: number;
}

export interface ProcessTableOptions {
  procRoot?: string;
  users?: UserNameLookup;
  /** Bound on cached processes; the least recently used is evicted beyond it. */
  maxEntries?: number;
  /** How long an exited process's context stays available. */
  exitGraceMs?: number;
  /**
   * Read /proc as soon as the exec event arrives (default). The event is the one moment the process is known
   * to be alive; a short-lived client (curl) is often gone before its first transaction is stitched. Set false
   * when exec rates are high and most processes never do network I/O: /proc is then read on first get().
   */
  readOnExec?: boolean;
  /** Live entries older than this are re-checked against /proc/PID/stat by sweep() (a missed exit event). */
  revalidateAfterMs?: number;
  /** Caps the /proc reads one sweep() does for re-checks, so a sweep stays cheap with a full table. */
  maxRevalidationsPerSweep?: number;
}

export interface ProcessTableCounters {
  hits: number;
  misses: number;
  /** Full /proc reads of a process (on miss, exec or exit). */
  procReads: number;
  /** Lookups of a pid that had no /proc entry (exited before we saw it). */
  vanished: number;
  evictions: number;
  expired: number;
  execs: number;
  exits: number;
  /** Entries dropped because the pid now names another process (its start time changed). */
  reused: number;
}

export interface SweepResult {
  expired: number;
  revalidated: number;
}

interface Entry {
  context: ProcessDetails;
  /** /proc/PID/stat start time: with the pid it names one process. */
  startTime?: number;
  exitedAtMs?: number;
  checkedAtMs?: number;
  /** Created from kernel info only; /proc is read on first get(). */
  needsProc: boolean;
}

export const PROCESS_TABLE_DEFAULTS = {
  maxEntries: 16_384,
  exitGraceMs: 30_000,
  revalidateAfterMs: 60_000,
  maxRevalidationsPerSweep: 256,
} as const;

export class ProcessTable {
  readonly #procRoot: string;
  readonly #users: UserNameLookup;
  readonly #maxEntries: number;
  readonly #exitGraceMs: number;
  readonly #readOnExec: boolean;
  readonly #revalidateAfterMs: number;
  readonly #maxRevalidations: number;
  // Map iteration order is insertion order; re-inserting on access makes the first key the least recently used.
  readonly #entries = new Map<number, Entry>();
  // Pids found absent from /proc; forgotten at the next sweep so a later fork (no exec event) is read again.
  readonly #absent = new Set<number>();
  readonly #counters: ProcessTableCounters = {
    hits: 0,
    misses: 0,
    procReads: 0,
    vanished: 0,
    evictions: 0,
    expired: 0,
    execs: 0,
    exits: 0,
    reused: 0,
  };

  constructor(options: ProcessTableOptions = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#users = options.users ?? hostUserNames();
    this.#maxEntries = Math.max(1, options.maxEntries ?? PROCESS_TABLE_DEFAULTS.maxEntries);
    this.#exitGraceMs = options.exitGraceMs ?? PROCESS_TABLE_DEFAULTS.exitGraceMs;
    this.#readOnExec = options.readOnExec ?? true;
    this.#revalidateAfterMs = options.revalidateAfterMs ?? PROCESS_TABLE_DEFAULTS.revalidateAfterMs;
    this.#maxRevalidations = options.maxRevalidationsPerSweep ?? PROCESS_TABLE_DEFAULTS.maxRevalidationsPerSweep;
  }

  get size(): number {
    return this.#entries.size;
  }

  get counters(): Readonly<ProcessTableCounters> {
    return { ...this.#counters };
  }

  /** The cached context without reading /proc or touching recency (status views, tests). */
  peek(pid: number): ProcessDetails | undefined {
    return this.#entries.get(pid)?.context;
  }

  /** True while the pid's entry is in its post-exit grace period. */
  hasExited(pid: number): boolean {
    return this.#entries.get(pid)?.exitedAtMs !== undefined;
  }

  get(pid: number): ProcessDetails | undefined {
    const entry = this.#entries.get(pid);
    if (entry !== undefined) {
      this.#counters.hits++;
      if (entry.needsProc) this.#fillFromProc(pid, entry);
      this.#entries.delete(pid);
      this.#entries.set(pid, entry);
      return entry.context;
    }
    this.#counters.misses++;
    if (this.#absent.has(pid)) return undefined;
    const read = this.#read(pid);
    if (read === undefined) {
      this.#counters.vanished++;
      if (this.#absent.size >= this.#maxEntries) this.#absent.clear();
      this.#absent.add(pid);
      return undefined;
    }
    this.#insert(pid, read);
    return read.context;
  }

  /** A new program image in pid: replaces whatever was cached (the pid may have been reused). */
  noteExec(pid: number, info: ExecInfo, atMs?: number): void {
    this.#counters.execs++;
    this.#absent.delete(pid);
    this.#entries.delete(pid);
    const context: ProcessDetails = {
      pid,
      exe: info.exe ?? '',
      cmdline: info.argv ?? [],
      uid: info.uid ?? -1,
      user: '',
      cgroupPath: '',
    };
    if (info.ppid !== undefined) context.ppid = info.ppid;
    const entry: Entry = { context, needsProc: true, checkedAtMs: atMs };
    if (this.#readOnExec) this.#fillFromProc(pid, entry, info);
    else this.#nameUser(entry);
    this.#insert(pid, entry);
  }

  /** The process exited at atMs; its context stays available for the grace period. */
  noteExit(pid: number, atMs: number): void {
    this.#counters.exits++;
    this.#absent.delete(pid);
    let entry = this.#entries.get(pid);
    if (entry === undefined) {
      // Never looked up while alive: a zombie still has status and cgroup, so a late transaction can get some.
      entry = this.#read(pid);
      if (entry === undefined) return;
      this.#insert(pid, entry);
    } else if (entry.needsProc) {
      this.#fillFromProc(pid, entry);
    }
    entry.exitedAtMs ??= atMs;
  }

  /** Expires exited entries past their grace period and re-checks a bounded number of old live entries. */
  sweep(nowMs: number): SweepResult {
    this.#absent.clear();
    let expired = 0;
    let revalidated = 0;
    for (const [pid, entry] of this.#entries) {
      if (entry.exitedAtMs !== undefined) {
        if (nowMs - entry.exitedAtMs >= this.#exitGraceMs) {
          this.#entries.delete(pid);
          expired++;
        }
        continue;
      }
      if (entry.checkedAtMs === undefined) {
        entry.checkedAtMs = nowMs;
        continue;
      }
      if (revalidated >= this.#maxRevalidations || nowMs - entry.checkedAtMs < this.#revalidateAfterMs) continue;
      revalidated++;
      entry.checkedAtMs = nowMs;
      const startTime = this.#readStartTime(pid);
      if (startTime === undefined) {
        // The exit event was missed (ring-buffer drop): start the grace period now.
        entry.exitedAtMs = nowMs;
      } else if (entry.startTime !== undefined && startTime !== entry.startTime) {
        this.#entries.delete(pid);
        this.#counters.reused++;
      }
    }
    this.#counters.expired += expired;
    return { expired, revalidated };
  }

  #read(pid: number): Entry | undefined {
    this.#counters.procReads++;
    const context = readProcessContext(pid, this.#procRoot, { users: this.#users });
    if (context === undefined) return undefined;
    return { context, startTime: this.#readStartTime(pid), needsProc: false };
  }

  // Kernel info wins where it has a value, except where /proc is known to be better: the executable (the
  // kernel reports the path given to execve — relative, or a symlink such as /usr/bin/python3 — while
  // /proc/PID/exe is the resolved file, which is what exe filters match) and a truncated argv. What only /proc
  // has (cgroup, container, pod) always comes from it.
  #fillFromProc(pid: number, entry: Entry, info: ExecInfo = {}): void {
    entry.needsProc = false;
    this.#counters.procReads++;
    const proc = readProcessContext(pid, this.#procRoot, { users: this.#users });
    const ctx = entry.context;
    if (proc !== undefined) {
      entry.startTime = this.#readStartTime(pid);
      if (proc.exe !== '') ctx.exe = proc.exe;
      const kernelArgv = info.argv ?? (ctx.cmdline.length > 0 ? ctx.cmdline : undefined);
      if ((kernelArgv === undefined || info.argvTruncated === true) && proc.cmdline.length > 0) {
        ctx.cmdline = proc.cmdline;
      }
      if (ctx.uid < 0) ctx.uid = proc.uid;
      if (ctx.ppid === undefined && proc.ppid !== undefined) ctx.ppid = proc.ppid;
      ctx.cgroupPath = proc.cgroupPath;
      if (proc.containerId !== undefined) ctx.containerId = proc.containerId;
      if (proc.podUid !== undefined) ctx.podUid = proc.podUid;
      if (proc.podQos !== undefined) ctx.podQos = proc.podQos;
    } else if (ctx.ppid !== undefined && ctx.ppid > 0) {
      // Gone already (a short curl): its cgroup is still its parent's, which a container's shell outlives.
      const parent = readProcessContext(ctx.ppid, this.#procRoot, { users: this.#users });
      if (parent !== undefined) {
        ctx.cgroupPath = parent.cgroupPath;
        if (parent.containerId !== undefined) ctx.containerId = parent.containerId;
        if (parent.podUid !== undefined) ctx.podUid = parent.podUid;
        if (parent.podQos !== undefined) ctx.podQos = parent.podQos;
      }
    }
    this.#nameUser(entry);
  }

  #nameUser(entry: Entry): void {
    const ctx = entry.context;
    if (ctx.uid >= 0 && ctx.user === '') ctx.user = this.#users.nameOf(ctx.uid);
  }

  #readStartTime(pid: number): number | undefined {
    const stat = readProcText(`${this.#procRoot}/${pid}/stat`, 4096);
    return stat.ok ? parseStatStartTime(stat.value) : undefined;
  }

  #insert(pid: number, entry: Entry): void {
    this.#entries.delete(pid);
    this.#entries.set(pid, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
      this.#counters.evictions++;
    }
  }
}
