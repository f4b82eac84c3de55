// Runs the real agent (src/cli/main.ts) as a child process and collects the records it prints.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QtapHttpTransaction } from '../../src/sinks/stdout/index.ts';
import { start, waitUntil, type Started } from './children.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export class AgentProcess {
  readonly records: QtapHttpTransaction[] = [];
  private readonly proc: Started;
  private buffered = '';

  /** Where its local store (built-in default config) keeps its data. */
  readonly dataDir: string;

  private constructor(proc: Started, json: boolean, dataDir: string) {
    this.proc = proc;
    this.dataDir = dataDir;
    if (!json) return; // stdout is free text (console logs): read it through `stdout`
    proc.child.stdout!.on('data', (d: string) => {
      this.buffered += d;
      let nl: number;
      while ((nl = this.buffered.indexOf('\n')) >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        if (line.trim()) this.records.push(JSON.parse(line) as QtapHttpTransaction);
      }
    });
  }

  /** The agent printing every transaction with bodies (no config file). */
  static start(args: string[] = []): Promise<AgentProcess> {
    return AgentProcess.startWith(['--format', 'json', '--level', 'full', '--log-level', 'info', ...args]);
  }

  /** The agent with exactly these arguments (e.g. `--config FILE`). */
  static async startWith(args: string[], opts: { json?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<AgentProcess> {
    // The built-in default config keeps a local store, and every agent a status file: each agent of the tests
    // gets its own (the status file in the data dir).
    const dataDir = mkdtempSync(join(tmpdir(), 'cleartap-data-'));
    const proc = start(process.execPath, [MAIN, ...args], { env: { ...process.env, ...opts.env, CLEARTAP_DATA_DIR: dataDir, CLEARTAP_RUN_DIR: dataDir } });
    const agent = new AgentProcess(proc, opts.json ?? true, dataDir);
    await waitUntil(
      () => {
        if (proc.child.exitCode !== null) throw new Error(`the agent exited (${proc.child.exitCode}):\n${proc.stderr()}`);
        return /capturing/.test(proc.stderr()) || undefined;
      },
      'the agent to start capturing',
      30_000,
    );
    return agent;
  }

  /** Everything printed on stdout so far. */
  get stdout(): string {
    return this.proc.stdout();
  }

  get stderr(): string {
    return this.proc.stderr();
  }

  /** Waits until `count` records match, then a little longer to catch any extra ones, and returns them all. */
  async expect(match: (r: QtapHttpTransaction) => boolean, count: number, timeoutMs = 10_000): Promise<QtapHttpTransaction[]> {
    await waitUntil(() => (this.records.filter(match).length >= count ? true : undefined), `${count} matching transactions (have ${this.records.filter(match).length})`, timeoutMs).catch((err: Error) => {
      const brief = (r: QtapHttpTransaction) => `${r.direction} ${r.request.method} ${r.request.url} → ${r.response?.status} pid=${r.metadata.process_id} local=${r.cleartap?.local} remote=${r.cleartap?.remote}`;
      err.message += `\nlast records:\n${this.records.slice(-20).map(brief).join('\n')}\nagent stderr:\n${this.stderr.slice(-3000)}`;
      throw err;
    });
    await new Promise((r) => setTimeout(r, 300));
    return this.records.filter(match);
  }

  signal(sig: NodeJS.Signals): void {
    this.proc.child.kill(sig);
  }

  /** SIGINT, as a user would; resolves with the exit code once the agent has drained and detached. */
  async stop(): Promise<number | null> {
    if (this.proc.child.exitCode !== null) return this.proc.child.exitCode;
    this.proc.child.kill('SIGINT');
    const timer = setTimeout(() => this.proc.child.kill('SIGKILL'), 15_000);
    const code = await this.proc.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Records whose server side is 127.0.0.1:port (either direction). */
export function onPort(port: number): (r: QtapHttpTransaction) => boolean {
  return (r) => {
    const ext = r.cleartap;
    return ext?.remote === `127.0.0.1:${port}` || ext?.local === `127.0.0.1:${port}`;
  };
}
