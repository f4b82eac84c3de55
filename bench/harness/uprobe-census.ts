// Which uprobes are attached right now, and by whom: an "untraced" figure means nothing if a colleague's agent
// or a forgotten bpftrace still traps every SSL_read on the machine.

import { readFileSync } from 'node:fs';
import { isOurs, onPath, run } from './processes.ts';

interface PerfEntry {
  pid: number;
  fd_type: string;
  filename?: string;
}

async function perfList(): Promise<PerfEntry[] | undefined> {
  if (onPath('bpftool') === undefined) return undefined;
  const r = await run('bpftool', 'bpftool', ['-j', 'perf', 'list'], 10_000);
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout === '' ? '[]' : r.stdout) as PerfEntry[];
  } catch {
    return undefined;
  }
}

const isUprobe = (e: PerfEntry): boolean => e.fd_type === 'uprobe' || e.fd_type === 'uretprobe';

/** How many uprobes and uretprobes `pid` holds; undefined when bpftool cannot tell. */
export async function uprobeCount(pid: number): Promise<number | undefined> {
  return (await perfList())?.filter((e) => e.pid === pid && isUprobe(e)).length;
}

/** One line per process outside this harness that holds uprobes ("6 uprobes of pid 123 (bpftrace) on /lib/x"). */
export async function foreignUprobes(): Promise<string[] | undefined> {
  const entries = await perfList();
  if (entries === undefined) return undefined;
  const byOwner = new Map<string, number>();
  for (const e of entries) {
    if (!isUprobe(e) || isOurs(e.pid)) continue;
    const key = `pid ${e.pid} (${comm(e.pid)}) on ${e.filename ?? '?'}`;
    byOwner.set(key, (byOwner.get(key) ?? 0) + 1);
  }
  return [...byOwner].map(([owner, n]) => `${n} uprobes of ${owner}`);
}

export interface UprobeWatch {
  /** Stops sampling; every foreign holder seen at any sample, or undefined when bpftool is missing. */
  stop(): Promise<string[] | undefined>;
}

/**
 * Samples foreign uprobes now, every `intervalMs` and at stop(). A colleague's agent or test that attaches
 * for a few seconds in the middle of a run would otherwise go unnoticed. One bpftool call costs ~10 ms.
 */
export function watchForeignUprobes(intervalMs = 2000): UprobeWatch {
  const seen = new Set<string>();
  let available = true;
  const sample = async (): Promise<void> => {
    const now = await foreignUprobes();
    if (now === undefined) available = false;
    else for (const line of now) seen.add(line);
  };
  let pending = sample();
  const timer = setInterval(() => {
    pending = pending.then(sample);
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending.then(sample);
      return available ? [...seen] : undefined;
    },
  };
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
