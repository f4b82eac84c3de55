// The agent's side of `cleartap serve`: every interval it reports its status (version, TLS probes, drop
// counters, how the last config went) and asks for the config rolled out to agents. A new one is written over
// the agent's config file, where the ConfigWatcher validates and applies it like any edit; the outcome is
// reported with the next status. The server being down costs a warning, never the capture.

import { hostname } from 'node:os';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Logger } from '../core/logger.ts';
import type { StatusSnapshot } from './status-file.ts';

export interface ControlClientOptions {
  /** The server's base URL, e.g. http://10.0.0.5:10001. */
  url: string;
  /** The agent token (ct_agt_…) from POST /api/v1/agents/register. */
  token: string;
  /** The config file the server's rollouts are written to. */
  configPath: string;
  log: Logger;
  snapshot: () => StatusSnapshot | undefined;
  fetch?: typeof fetch;
}

interface AgentConfig {
  version: number;
  yaml: string;
}

export class ControlClient {
  readonly #o: ControlClientOptions;
  readonly #fetch: typeof fetch;
  #etag: string | undefined;
  /** The version written to the config file and not yet reported applied or failed. */
  #pending: number | undefined;
  #outcome: { version: number; state: 'applied' | 'failed'; error?: string } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #failing = false;

  constructor(options: ControlClientOptions) {
    this.#o = { ...options, url: options.url.replace(/\/+$/, '') };
    this.#fetch = options.fetch ?? fetch;
  }

  start(intervalMs: number): void {
    void this.tick();
    this.#timer = setInterval(() => void this.tick(), intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The config file was reloaded (or refused): the version written last is what that was about. */
  configApplied(ok: boolean, error?: string): void {
    if (this.#pending === undefined) return;
    this.#outcome = ok ? { version: this.#pending, state: 'applied' } : { version: this.#pending, state: 'failed', error: (error ?? 'refused').slice(0, 60_000) };
    this.#pending = undefined;
    void this.tick();
  }

  async tick(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.#report();
      await this.#fetchConfig();
      if (this.#failing) this.#o.log.info({ control: this.#o.url }, 'control plane reachable again');
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) this.#o.log.warn({ control: this.#o.url, error: (err as Error).message }, 'control plane unreachable; capture goes on, retrying');
      this.#failing = true;
    } finally {
      this.#busy = false;
    }
  }

  async #call(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await this.#fetch(`${this.#o.url}/api/v1${path}`, {
      ...init,
      headers: { authorization: `Bearer ${this.#o.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status === 404 && path === '/agent/config') return res; // nothing rolled out yet
    if (res.status >= 400) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    return res;
  }

  async #report(): Promise<void> {
    const s = this.#o.snapshot();
    if (s === undefined) return;
    const k = s.status.kernel;
    const body = {
      version: s.version,
      hostname: hostname(),
      uptimeSeconds: Math.max(0, Math.round((Date.now() - s.startedAt) / 1000)),
      probes: [
        ...s.tlsAttached.map((a) => ({ pid: 0, exe: a.path, library: a.library, attached: true })),
        ...s.tlsUnsupported.map((u) => ({ pid: 0, exe: u.displayPath, library: 'unknown', attached: false, error: u.reason })),
      ].slice(0, 10_000),
      drops: {
        ringbuf_full: k.ringbufFull,
        calls_truncated: k.callsTruncated,
        batches_dropped: k.batchesDropped,
        gap_bytes: s.status.stream.gapBytes,
        sink_backlog_dropped: s.status.sinkBacklogDropped,
      },
      ...(this.#outcome ? { config: this.#outcome } : {}),
    };
    await this.#call('/agent/status', { method: 'PUT', body: JSON.stringify(body) });
    this.#outcome = undefined;
  }

  async #fetchConfig(): Promise<void> {
    const res = await this.#call('/agent/config', { headers: this.#etag ? { 'if-none-match': this.#etag } : {} });
    if (res.status === 304 || res.status === 404) return; // unchanged, or nothing rolled out yet
    const cfg = (await res.json()) as AgentConfig;
    this.#etag = res.headers.get('etag') ?? undefined;
    let current = '';
    try {
      current = readFileSync(this.#o.configPath, 'utf8');
    } catch {
      // a missing file is simply not the same
    }
    if (current === cfg.yaml) {
      this.#outcome = { version: cfg.version, state: 'applied' };
      return;
    }
    const tmp = `${this.#o.configPath}.control-${process.pid}.tmp`;
    writeFileSync(tmp, cfg.yaml, { mode: 0o600 });
    renameSync(tmp, this.#o.configPath); // the watcher sees one complete file, as with a ConfigMap swap
    this.#pending = cfg.version;
    this.#o.log.info({ control: this.#o.url, version: cfg.version }, 'config version from the control plane written; reloading');
  }
}
