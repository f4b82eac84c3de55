// Applies tap.filters to live processes: tells the kernel what to leave out for each ignored process
// (so an ignored process costs one map lookup per hook hit, and nothing is copied), and remembers it
// so the pipeline can drop what was captured before the kernel knew (the first calls after an exec).
// The kernel forgets an entry at exec and exit and copies it to forked children (bpf/proc/process.h).
import { readdirSync } from 'node:fs';
import { readExe } from '../context/index.ts';
import { kernelSkipBits, type ProcessFilter, type ProcessSkip, SKIP_NOTHING } from '../tap/index.ts';

const EXITED_GRACE_MS = 10_000;

export interface SkipTarget {
  setProcessSkip(pid: number, bits: number): void;
}

export class ProcessSkips {
  private filter: ProcessFilter;
  private readonly target: SkipTarget;
  private readonly selfPid: number;
  /** pid → what is skipped, for ignored processes only. */
  private readonly skipped = new Map<number, ProcessSkip>();
  /** Ignored processes that have exited, and when. */
  private readonly exitedAt = new Map<number, number>();

  constructor(filter: ProcessFilter, target: SkipTarget, selfPid = process.pid) {
    this.filter = filter;
    this.target = target;
    this.selfPid = selfPid;
  }

  /**
   * Every running process, checked against the current filter: at start, and after a reload, when
   * `clearOthers` also clears kernel entries user space never set (children that inherited them).
   */
  applyToRunning(clearOthers = false, procRoot = '/proc'): void {
    const seen = new Set<number>();
    let entries: string[] = [];
    try {
      entries = readdirSync(procRoot);
    } catch {
      return;
    }
    for (const name of entries) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid <= 0 || pid === this.selfPid) continue;
      seen.add(pid);
      const skip = this.filter.empty ? SKIP_NOTHING : this.filter.skipFor(readExe(pid, procRoot));
      this.apply(pid, skip, clearOthers);
    }
    for (const pid of this.skipped.keys()) if (!seen.has(pid) && !this.exitedAt.has(pid)) this.skipped.delete(pid);
  }

  /** A process exec'd `filename` (the path it was given; /proc/PID/exe may resolve a symlink). */
  onExec(pid: number, filename: string): void {
    this.skipped.delete(pid); // the kernel dropped its entry at exec
    this.exitedAt.delete(pid);
    if (this.filter.empty) return;
    this.apply(pid, this.filter.skipFor(filename, readExe(pid, '/proc')));
  }

  /** The entry outlives the process by EXITED_GRACE_MS: its last exchanges are often finished (and
   * dropped here) only after its exit event has been read. */
  onExit(pid: number, nowMs = Date.now()): void {
    if (this.skipped.has(pid)) this.exitedAt.set(pid, nowMs);
  }

  /** Forgets processes that exited more than EXITED_GRACE_MS ago. */
  sweep(nowMs = Date.now()): void {
    for (const [pid, at] of this.exitedAt) {
      if (nowMs - at < EXITED_GRACE_MS) continue;
      this.exitedAt.delete(pid);
      this.skipped.delete(pid);
    }
  }

  /** A new filter (config reload): re-applied to every running process. */
  replace(filter: ProcessFilter): void {
    this.filter = filter;
    this.applyToRunning(true);
  }

  skipOf(pid: number): ProcessSkip {
    return this.skipped.get(pid) ?? SKIP_NOTHING;
  }

  /** Running processes that are ignored. */
  get ignoredCount(): number {
    return this.skipped.size - this.exitedAt.size;
  }

  private apply(pid: number, skip: ProcessSkip, clearKernel = false): void {
    if (skip === SKIP_NOTHING) {
      if (this.skipped.delete(pid) || clearKernel) this.target.setProcessSkip(pid, 0);
      return;
    }
    this.skipped.set(pid, skip);
    this.target.setProcessSkip(pid, kernelSkipBits(skip));
  }
}
