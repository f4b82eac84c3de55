// The running agent's state for `cleartap status`: a JSON snapshot rewritten every few seconds (write to a
// temporary name, then rename, so a reader never sees half a file) and removed when the agent stops.
// A file rather than a socket: it needs no listener in the agent, and root-only permissions protect it.

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AgentStatus, TlsProbeState } from './agent.ts';

export interface StatusSnapshot {
  agentPid: number;
  version: string;
  /** Unix ms. */
  startedAt: number;
  updatedAt: number;
  config: string;
  status: AgentStatus;
  /** Files with TLS probes (by dev:ino key), and TLS files found that cannot be probed (and why). */
  tlsAttached: TlsProbeState['attached'];
  tlsUnsupported: TlsProbeState['unsupported'];
  memoryMiB: { rss: number; heapUsed: number };
}

/** $CLEARTAP_STATUS_FILE, else status.json in $CLEARTAP_RUN_DIR or /run/cleartap (systemd's RuntimeDirectory). */
export function statusFilePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CLEARTAP_STATUS_FILE ?? join(env.CLEARTAP_RUN_DIR ?? '/run/cleartap', 'status.json');
}

export class StatusFile {
  readonly path: string;
  #failed = false;

  constructor(path: string) {
    this.path = path;
  }

  /** Best effort: `status` is a convenience, so a read-only /run costs one warning, never the capture. */
  write(snapshot: StatusSnapshot, onError: (err: Error) => void): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o755 });
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(snapshot), { mode: 0o600 });
      renameSync(tmp, this.path);
      this.#failed = false;
    } catch (err) {
      if (!this.#failed) onError(err as Error);
      this.#failed = true;
    }
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}

/** Keeps the status file current: on a timer, soon after a change (once per burst), and gone at stop. */
export class StatusPublisher {
  readonly #file: StatusFile;
  readonly #snapshot: () => StatusSnapshot | undefined;
  readonly #onError: (err: Error) => void;
  #timer: NodeJS.Timeout | undefined;
  #pending: NodeJS.Timeout | undefined;

  constructor(file: StatusFile, snapshot: () => StatusSnapshot | undefined, onError: (err: Error) => void) {
    this.#file = file;
    this.#snapshot = snapshot;
    this.#onError = onError;
  }

  start(intervalMs: number): void {
    this.now();
    this.#timer = setInterval(() => this.now(), intervalMs).unref();
  }

  now(): void {
    const snapshot = this.#snapshot();
    if (snapshot) this.#file.write(snapshot, this.#onError);
  }

  /** The current snapshot (for the control plane's status report). */
  snapshot(): StatusSnapshot | undefined {
    return this.#snapshot();
  }

  /** An exec storm attaches many files: one write 100 ms after the first change covers them all. */
  soon(): void {
    this.#pending ??= setTimeout(() => {
      this.#pending = undefined;
      this.now();
    }, 100).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#pending);
    this.#file.remove();
  }
}

export type StatusRead =
  | { ok: true; snapshot: StatusSnapshot; running: boolean }
  | { ok: false; code: 'CT_ERR_NO_AGENT' | 'CT_ERR_STATUS_FILE'; message: string };

/** The snapshot, and whether the process that wrote it is still alive. */
export function readStatusFile(path: string): StatusRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, code: 'CT_ERR_NO_AGENT', message: `no agent is running (no ${path})` };
    return { ok: false, code: 'CT_ERR_STATUS_FILE', message: `${path}: ${(err as Error).message}` };
  }
  let snapshot: StatusSnapshot;
  try {
    snapshot = JSON.parse(text) as StatusSnapshot;
  } catch (err) {
    return { ok: false, code: 'CT_ERR_STATUS_FILE', message: `${path}: not a status snapshot (${(err as Error).message})` };
  }
  let running = true;
  try {
    process.kill(snapshot.agentPid, 0);
  } catch (err) {
    running = (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return { ok: true, snapshot, running };
}
