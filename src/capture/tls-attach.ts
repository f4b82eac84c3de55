// Keeps TLS uprobes on every binary that needs them: the ones found at start (well-known paths and a
// scan of every process's maps), and the ones new processes bring (checked on their exec event).
// Uprobes are per file, so each (dev, inode) is attached once, whatever path it was found under.
import type { Logger } from '../core/logger.ts';
import type { BpfCapture } from './bpf-capture.ts';
import { scanAllProcesses, scanProcess, wellKnownTargets, type TlsTarget } from './tls/index.ts';

/** When a new process's libraries are mapped: the dynamic loader runs right after exec. */
const RESCAN_AFTER_EXEC_MS = [20, 250, 1500];

export class TlsAttachManager {
  private readonly capture: BpfCapture;
  private readonly log: Logger;
  private readonly seen = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(capture: BpfCapture, log: Logger) {
    this.capture = capture;
    this.log = log;
  }

  attachKnown(): void {
    for (const t of wellKnownTargets()) this.attach(t);
    const scan = scanAllProcesses({ excludePid: process.pid });
    for (const t of scan.targets) this.attach(t);
    for (const skip of scan.skips) {
      if (skip.code !== 'no-tls') this.log.debug({ path: skip.displayPath, reason: skip.reason, pids: skip.pids.slice(0, 5) }, 'TLS binary skipped');
    }
  }

  onExec(pid: number, _filename: string): void {
    this.scan(pid);
    for (const delay of RESCAN_AFTER_EXEC_MS) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.scan(pid);
      }, delay);
      timer.unref();
      this.timers.add(timer);
    }
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
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
    this.seen.add(key);
    const res = this.capture.attachTls({ path: t.path, library: t.library, functions: t.symbols });
    if (res.attached.length) this.log.info({ path: t.path, library: t.library, version: t.version, probes: res.attached }, 'TLS probes attached');
    for (const f of res.failed) this.log.warn({ path: t.path, probe: f.func, error: f.error }, 'TLS probe not attached');
  }
}
