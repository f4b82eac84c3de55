// Keeps TLS uprobes on every binary that needs them: the ones found at start (well-known paths and a
// scan of every process's maps), and the ones new processes bring (checked on their exec event).
// Uprobes are per file, so each (dev, inode) is attached once, whatever path it was found under.
import type { Logger } from '../core/logger.ts';
import type { BpfCapture } from './bpf-capture.ts';
import { scanAllProcesses, scanProcess, wellKnownTargets, type TlsTarget } from './tls/index.ts';

/** When a new process's libraries are mapped: the dynamic loader runs right after exec, and a
 * library opened later (python's `import ssl`) appears whenever the program gets to it. */
const RESCAN_AFTER_EXEC_MS = [20, 250, 1500];
/** Rescans are done in ticks, with a budget, so that an exec storm (a build) costs bounded CPU. */
const TICK_MS = 20;
const SCANS_PER_TICK = 20;

export class TlsAttachManager {
  private readonly capture: BpfCapture;
  private readonly log: Logger;
  private readonly seen = new Set<string>();
  /** pid → when its next rescans are due (ms, ascending). */
  private readonly rescans = new Map<number, number[]>();
  private timer: NodeJS.Timeout | undefined;
  /** Rescans given up because the budget was spent (each such process may be missed if it brings a new TLS binary). */
  scansSkipped = 0;

  /**
   * Executables not to attach to at all: a binary with OpenSSL linked in runs only as itself, so when
   * its exe is ignored for TLS, leaving it unprobed makes its processes free (a library's uprobe would
   * trap in every process that maps it, ignored or not, so libraries are always attached).
   */
  private declineStatic: (exe: string) => boolean = () => false;
  /** Static binaries left unprobed because their exe is ignored. */
  readonly declined = new Set<string>();

  constructor(capture: BpfCapture, log: Logger) {
    this.capture = capture;
    this.log = log;
  }

  /** Sets which static-TLS executables are left unprobed; binaries declined before are looked at again. */
  setDeclineStatic(test: (exe: string) => boolean): void {
    this.declineStatic = test;
    if (this.declined.size === 0) return;
    this.declined.clear();
    if (this.timer) for (const t of [...wellKnownTargets(), ...scanAllProcesses({ excludePid: process.pid }).targets]) this.attach(t);
  }

  attachKnown(): void {
    for (const t of wellKnownTargets()) this.attach(t);
    const scan = scanAllProcesses({ excludePid: process.pid });
    for (const t of scan.targets) this.attach(t);
    for (const skip of scan.skips) {
      if (skip.code !== 'no-tls') this.log.debug({ path: skip.displayPath, reason: skip.reason, pids: skip.pids.slice(0, 5) }, 'TLS binary skipped');
    }
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  onExec(pid: number): void {
    this.scan(pid); // a statically linked binary (node) is recognisable right away
    const now = Date.now();
    this.rescans.set(pid, RESCAN_AFTER_EXEC_MS.map((d) => now + d));
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

  private scan(pid: number): void {
    const result = scanProcess(pid);
    if (!result.ok) return; // the process is gone or unreadable: nothing to attach
    for (const t of result.targets) this.attach(t);
    for (const skip of result.skips) {
      if (skip.code !== 'no-tls') this.log.debug({ pid, path: skip.displayPath, reason: skip.reason }, 'TLS binary skipped');
    }
  }

  private attach(t: TlsTarget): void {
    const key = `${t.dev}:${t.ino}`;
    if (this.seen.has(key)) return;
    if (t.kind === 'static-openssl' && this.declineStatic(t.displayPath)) {
      if (!this.declined.has(t.displayPath)) this.log.info({ path: t.displayPath }, 'TLS probes not attached: the executable is ignored by tap.filters');
      this.declined.add(t.displayPath);
      return;
    }
    this.seen.add(key);
    const res = this.capture.attachTls({ path: t.path, library: t.library, functions: t.symbols });
    if (res.attached.length) this.log.info({ path: t.path, library: t.library, version: t.version, probes: res.attached }, 'TLS probes attached');
    for (const f of res.failed) this.log.warn({ path: t.path, probe: f.func, error: f.error }, 'TLS probe not attached');
  }
}
