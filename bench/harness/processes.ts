// Child processes of a benchmark run. Each one is started in its own process group (detached), so a signal
// reaches it and everything it forked (nginx's worker, a shell's child) and a Ctrl-C on the terminal reaches
// only the harness, which then stops them in order. Every child is tracked until it exits, so one call can
// kill whatever is left when the harness fails or is interrupted.

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { statField } from './proc-stats.ts';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  error?: Error;
}

export interface Started {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Settles once, when the process has exited (or failed to start). */
  exited: Promise<Exit>;
  hasExited(): boolean;
}

export interface StartOptions {
  /** 'pipe' to read it, 'ignore', or an open file descriptor to write it to. */
  stdout?: 'pipe' | 'ignore' | number;
  stderr?: 'pipe' | 'ignore' | number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const live = new Set<Started>();

export function startProcess(name: string, command: string, args: readonly string[], opts: StartOptions = {}): Started {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', opts.stdout ?? 'pipe', opts.stderr ?? 'pipe'],
    env: opts.env ?? process.env,
    cwd: opts.cwd,
  });
  let done = false;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      // 'error' without 'exit' means spawn failed; after a start, 'exit' settles the promise first.
      if (child.pid === undefined) {
        done = true;
        resolve({ code: null, signal: null, error });
      }
    });
  });
  const started: Started = { name, child, pid: child.pid ?? -1, exited, hasExited: () => done };
  live.add(started);
  void exited.then(() => live.delete(started));
  return started;
}

/** True when `pid` belongs to a process group this harness started (its children and their children). */
export function isOurs(pid: number): boolean {
  let pgid: number;
  try {
    pgid = Number(statField(readFileSync(`/proc/${pid}/stat`, 'utf8'), 5)); // pgrp
  } catch {
    return false;
  }
  for (const p of live) if (p.pid === pgid) return true;
  return false;
}

/** Sends `signal` to the process group; a group that is already gone is not an error. */
export function signalGroup(p: Started, signal: NodeJS.Signals): void {
  if (p.pid <= 0 || p.hasExited()) return;
  try {
    process.kill(-p.pid, signal);
  } catch {
    // ESRCH: it exited between the check and the kill
  }
}

/** `signal`, then SIGKILL after `graceMs`; resolves with the exit. */
export async function stopProcess(p: Started, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<Exit> {
  signalGroup(p, signal);
  const timer = setTimeout(() => signalGroup(p, 'SIGKILL'), graceMs);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * SIGKILLs every process group this harness started that is still running, and waits up to `waitMs` for them
 * to be reaped (so no zombie outlives the harness and bpftrace's probes are gone when this resolves).
 */
export async function killAll(waitMs = 2000): Promise<string[]> {
  const victims = [...live];
  for (const p of victims) signalGroup(p, 'SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(victims.map((p) => p.exited)),
    new Promise((resolve) => (timer = setTimeout(resolve, waitMs))),
  ]);
  clearTimeout(timer);
  return victims.map((p) => `${p.name} (pid ${p.pid})`);
}

/** Keeps the last `max` characters written to a readable stream (for error messages). */
export function tail(stream: Readable | null, max = 4000): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (d: string) => {
    text = (text + d).slice(-max);
  });
  return () => text;
}

/**
 * Resolves with the first line of `stream` that matches `pattern`; rejects when the process exits or `timeoutMs`
 * passes first. The stream keeps being drained afterwards by whoever else listens (see `tail`).
 */
export function waitForLine(p: Started, stream: Readable | null, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (stream === null) {
      reject(new Error(`${p.name}: no stream to watch`));
      return;
    }
    let buffered = '';
    const finish = (err: Error | undefined, line?: string): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      if (err !== undefined) reject(err);
      else resolve(line ?? '');
    };
    const onData = (d: Buffer | string): void => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const hit = lines.find((l) => pattern.test(l));
      if (hit !== undefined) finish(undefined, hit);
      else if (buffered.length > 1 << 16) buffered = buffered.slice(-4096);
    };
    const timer = setTimeout(
      () => finish(new Error(`${p.name}: no line matching ${pattern} within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    stream.on('data', onData);
    void p.exited.then((e) => {
      const how = e.error !== undefined ? e.error.message : `exited (code ${e.code}, signal ${e.signal})`;
      finish(new Error(`${p.name}: ${how} before printing a line matching ${pattern}`));
    });
  });
}

export interface RunResult extends Exit {
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to completion, killing it after `timeoutMs`. */
export async function run(name: string, command: string, args: readonly string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<RunResult> {
  const p = startProcess(name, command, args, { env });
  let stdout = '';
  let stderr = '';
  p.child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  p.child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalGroup(p, 'SIGKILL');
  }, timeoutMs);
  try {
    const exit = await p.exited;
    // 'exit' can come before the pipes are drained
    await Promise.all([streamEnd(p.child.stdout), streamEnd(p.child.stderr)]);
    return { ...exit, stdout, stderr, timedOut };
  } finally {
    clearTimeout(timer);
  }
}

function streamEnd(stream: Readable | null): Promise<void> {
  if (stream === null || stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', resolve);
    stream.once('end', resolve);
  });
}

/** The absolute path of `name` on $PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const candidate = `${dir}/${name}`;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
