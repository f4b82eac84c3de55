// The floor: the cheapest possible uprobe tracer of the TLS calls cleartap hooks. bpftrace only counts
// entries and returns of SSL_read/SSL_write(_ex) in libssl, so whatever throughput it costs is the price of the
// traps themselves; no capture design based on these uprobes can do better (kernel-notes.md, "Costs").
// The probes are attached to the library file, so they fire in every process using it: nginx AND the load
// generator (wrk and h2load link the same libssl.so.3), exactly as a library-wide capture agent would.

import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Exit, run, type Started, startProcess, stopProcess, tail, waitForLine } from './processes.ts';
import { uprobeCount } from './uprobe-census.ts';

export const LIBSSL = '/usr/lib/x86_64-linux-gnu/libssl.so.3';
export const SSL_FUNCTIONS = ['SSL_read', 'SSL_write', 'SSL_read_ex', 'SSL_write_ex'] as const;

export interface Floor {
  process: Started;
  attached: string;
  /** SIGINT, then the probe counts bpftrace prints on exit (undefined when it had to be killed). */
  stop(): Promise<{ counts?: { entries: number; returns: number }; exit: Exit }>;
}

export function floorScript(lib = LIBSSL): string {
  const probes = (kind: string): string => SSL_FUNCTIONS.map((fn) => `${kind}:${lib}:${fn}`).join(',\n');
  return `${probes('uprobe')}\n{ @entries = count(); }\n${probes('uretprobe')}\n{ @returns = count(); }\n`;
}

/** bpftrace needs tracefs (uprobe events) and bpffs; a fresh machine of this kind has neither mounted. */
export async function ensureTracingMounts(): Promise<string[]> {
  const done: string[] = [];
  const mounts = readFileSync('/proc/mounts', 'utf8');
  if (!existsSync('/sys/kernel/tracing/events')) {
    const r = await run('mount tracefs', 'mount', ['-t', 'tracefs', 'tracefs', '/sys/kernel/tracing'], 10_000);
    if (r.code !== 0) throw new Error(`mount -t tracefs tracefs /sys/kernel/tracing failed: ${r.stderr.trim()}`);
    done.push('tracefs at /sys/kernel/tracing');
  }
  if (!/^\S+ \/sys\/fs\/bpf bpf /m.test(mounts)) {
    const r = await run('mount bpffs', 'mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf'], 10_000);
    if (r.code !== 0) throw new Error(`mount -t bpf bpf /sys/fs/bpf failed: ${r.stderr.trim()}`);
    done.push('bpffs at /sys/fs/bpf');
  }
  return done;
}

/**
 * Starts bpftrace and resolves once its probes are attached. bpftrace prints "Attaching N probes..." BEFORE
 * it attaches them, so the line is only the first sign: the probes count as attached when the kernel lists all
 * of them for bpftrace's pid (bpftool perf list), or, without bpftool, one second after the line.
 */
export async function startFloor(timeoutMs = 30_000): Promise<Floor> {
  const p = startProcess('bpftrace', 'bpftrace', ['-e', floorScript()]);
  const stdout = tail(p.child.stdout, 1 << 16);
  const stderr = tail(p.child.stderr);
  const deadline = Date.now() + timeoutMs;
  let attached: string;
  try {
    attached = await waitForLine(p, p.child.stdout, /^Attaching \d+ probes?/, timeoutMs);
    const want = 2 * SSL_FUNCTIONS.length;
    for (;;) {
      const n = await uprobeCount(p.pid);
      if (n === undefined) {
        await sleep(1000);
        break;
      }
      if (n >= want) break;
      if (p.hasExited()) throw new Error(`bpftrace exited after attaching ${n} of ${want} probes`);
      if (Date.now() > deadline) throw new Error(`bpftrace attached ${n} of ${want} probes in ${timeoutMs / 1000} s`);
      await sleep(50);
    }
  } catch (err) {
    await stopProcess(p, 'SIGKILL', 1000);
    throw new Error(`${(err as Error).message}; bpftrace said: ${stderr().trim()}`);
  }
  return {
    process: p,
    attached,
    async stop() {
      const exit = await stopProcess(p, 'SIGINT', 10_000);
      return exit.signal === 'SIGKILL' ? { exit } : { counts: parseCounts(stdout()), exit };
    },
  };
}

/** The `@entries: N` / `@returns: N` lines bpftrace prints when it exits. */
export function parseCounts(out: string): { entries: number; returns: number } {
  const count = (name: string): number => Number(new RegExp(`^@${name}: (\\d+)`, 'm').exec(out)?.[1] ?? 0);
  return { entries: count('entries'), returns: count('returns') };
}
