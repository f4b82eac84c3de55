// Keeps TLS uprobes on every binary that needs them: the ones found at start (well-known paths and a
// scan of every process's maps), and the ones new processes bring (checked on their exec event), except
// files only ignored processes use (AttachPolicy).
// Uprobes are per file, so each (dev, inode) is attached once, whatever path it was found under.
import { readlinkSync } from 'node:fs';
import type { Logger } from '../core/logger.ts';
import type { BpfCapture } from './bpf-capture.ts';
import { scanAllProcesses, scanProcess, wellKnownTargets, type TlsSkip, type TlsTarget } from './tls/index.ts';

/** When a new process's libraries are mapped: the dynamic loader runs right after exec, and a
 * library opened later (python's `import ssl`) appears whenever the program gets to it. */
const RESCAN_AFTER_EXEC_MS = [20, 250, 1500];
/** Rescans are done in ticks, with a budget, so that an exec storm (a build) costs bounded CPU. */
const TICK_MS = 20;
const SCANS_PER_TICK = 20;

/**
 * Which processes tap.filters ignores for TLS. A uprobe traps in every process that maps the file, ignored
 * or not (the kernel-side skip avoids the copy, not the trap), so a file whose every user is ignored is
 * better left unprobed:
 * - a binary with TLS linked in (node, Go programs) runs only as itself: declined exactly when its exe is ignored;
 * - a library copy of its own (a container's libssl is a different inode from the host's): declined
 *   while every process that maps it is ignored, attached as soon as one that is not maps it;
 * - the host's own libraries (well-known paths) are always attached, so that a process started later is
 *   traced from its first call, before any rescan could see it.
 */
export interface AttachPolicy {
  ignoresExe(exe: string): boolean;
  ignoresPid(pid: number): boolean;
}

const IGNORES_NOTHING: AttachPolicy = { ignoresExe: () => false, ignoresPid: () => false };

export class TlsAttachManager {
  private readonly capture: BpfCapture;
  private readonly log: Logger;
  private readonly seen = new Set<string>();
  /** Keys of the host's well-known TLS files (always attached). */
  private readonly hostFiles = new Set<string>();
  /** Mount namespaces whose well-known TLS libraries were looked at. */
  private readonly namespaces = new Set<string>();
  private ownNamespace: string | undefined;
  /** pid → when its next rescans are due (ms, ascending). */
  private readonly rescans = new Map<number, number[]>();
  private timer: NodeJS.Timeout | undefined;
  private policy: AttachPolicy = IGNORES_NOTHING;
  /** Rescans given up because the budget was spent (each such process may be missed if it brings a new TLS binary). */
  scansSkipped = 0;
  /** Files left unprobed because every process using them is ignored (path → pids seen using it). */
  readonly declined = new Map<string, number[]>();
  /** TLS files that cannot be probed, and why (file key → skip): what `cleartap status` reports. */
  readonly unsupported = new Map<string, TlsSkip>();
  /** Attached files by key (dev:ino), so a process's mapping can be matched to what is attached. */
  readonly attachedKeys = new Map<string, { path: string; library: string; version?: string }>();

  /** `onChange` runs after a file is attached or found unprobeable (what `cleartap status` shows changed). */
  private readonly onChange: () => void;

  constructor(capture: BpfCapture, log: Logger, onChange: () => void = () => {}) {
    this.capture = capture;
    this.log = log;
    this.onChange = onChange;
  }

  /** A new policy (a config reload): files declined before are looked at again. */
  setPolicy(policy: AttachPolicy): void {
    this.policy = policy;
    if (this.declined.size === 0 || !this.timer) return;
    this.declined.clear();
    this.attachAll();
  }

  attachKnown(): void {
    this.ownNamespace = this.mountNamespace(process.pid);
    this.considerNamespace(process.pid);
    this.attachAll();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private attachAll(): void {
    for (const t of wellKnownTargets()) {
      this.hostFiles.add(t.key);
      this.consider(t, []);
    }
    const scan = scanAllProcesses({ excludePid: process.pid });
    for (const t of scan.targets) this.consider(t, scan.pidsByTarget.get(t.key) ?? []);
    for (const skip of scan.skips) this.noteSkip(skip, skip.pids);
  }

  /** A file that is TLS but cannot be probed is worth a line in the log and in `status`; others are not. */
  private noteSkip(skip: TlsSkip, pids: readonly number[]): void {
    if (skip.code === 'no-tls') return;
    const key = skip.key ?? skip.path;
    if (this.unsupported.has(key)) return;
    this.log.info({ path: skip.displayPath, reason: skip.reason, pids: pids.slice(0, 5) }, 'TLS binary not probed');
    this.unsupported.set(key, skip);
    this.onChange();
  }

  /**
   * A new program image. `filename` (as exec was given it) is examined when the process is gone before its
   * scan (a short-lived Go client), so that the file is attached for its next run; it is looked up under the
   * parent's root, which is the process's own when both live in a container. The first process of a mount
   * namespace not seen before (a new container) also brings that root's well-known TLS libraries, attached
   * before any of its processes use them, as the host's are at start.
   */
  onExec(pid: number, filename: string, ppid: number): void {
    const alive = this.scan(pid);
    const rootOf = alive ? pid : ppid;
    this.considerNamespace(rootOf);
    if (!alive && filename.startsWith('/')) {
      const root = this.mountNamespace(ppid) === this.ownNamespace ? '' : `/proc/${ppid}/root`;
      for (const t of wellKnownTargets({ root, libDirs: [], executables: [filename] })) this.consider(t, []);
    }
    const now = Date.now();
    this.rescans.set(pid, RESCAN_AFTER_EXEC_MS.map((d) => now + d));
  }

  private mountNamespace(pid: number): string | undefined {
    try {
      return readlinkSync(`/proc/${pid}/ns/mnt`);
    } catch {
      return undefined; // gone, or a kernel thread
    }
  }

  private considerNamespace(pid: number): void {
    const ns = this.mountNamespace(pid);
    if (ns === undefined || this.namespaces.has(ns)) return;
    this.namespaces.add(ns);
    if (ns === this.ownNamespace) return; // ours: attachKnown covers it
    for (const t of wellKnownTargets({ root: `/proc/${pid}/root` })) this.consider(t, [pid]);
  }

  onExit(pid: number): void {
    this.rescans.delete(pid);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.rescans.clear();
  }

  private tick(): void {
    const now = Date.now();
    let budget = SCANS_PER_TICK;
    for (const [pid, due] of this.rescans) {
      if (due[0] > now) continue;
      while (due.length && due[0] <= now) due.shift();
      if (due.length === 0) this.rescans.delete(pid);
      if (budget-- > 0) this.scan(pid);
      else this.scansSkipped++;
    }
  }

  /** False when the process could not be scanned (gone, or unreadable). */
  private scan(pid: number): boolean {
    const result = scanProcess(pid);
    if (!result.ok) return false;
    for (const t of result.targets) this.consider(t, [pid]);
    for (const skip of result.skips) this.noteSkip(skip, [pid]);
    return true;
  }

  /** Attaches t unless the policy says every user of it is ignored (see AttachPolicy). */
  private consider(t: TlsTarget, pids: readonly number[]): void {
    if (this.seen.has(t.key)) return;
    const declined =
      t.kind === 'static-openssl' || t.kind === 'go'
        ? this.policy.ignoresExe(t.displayPath)
        : !this.hostFiles.has(t.key) && pids.length > 0 && pids.every((pid) => this.policy.ignoresPid(pid));
    if (!declined) return this.attach(t);
    if (!this.declined.has(t.displayPath)) this.log.info({ path: t.displayPath, pids: pids.slice(0, 5) }, 'TLS probes not attached: every process using this file is ignored by tap.filters');
    this.declined.set(t.displayPath, [...pids]);
  }

  private attach(t: TlsTarget): void {
    this.seen.add(t.key);
    this.declined.delete(t.displayPath);
    this.attachedKeys.set(t.key, { path: t.displayPath, library: t.library, ...(t.version === undefined ? {} : { version: t.version }) });
    const res = this.capture.attachTls({ path: t.path, library: t.library, functions: t.symbols, offsets: t.offsets, ...(t.points ? { points: t.points } : {}) });
    if (res.attached.length) this.log.info({ path: t.path, library: t.library, version: t.version, probes: res.attached }, 'TLS probes attached');
    for (const f of res.failed) this.log.warn({ path: t.path, probe: f.func, error: f.error }, 'TLS probe not attached');
    this.onChange();
  }
}
