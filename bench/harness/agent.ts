// The agent under test, started from a shell command line. Its stdout goes straight to a file (the harness does
// no work per record while the load runs, so it steals no CPU from nginx, wrk or the agent); the records are
// counted after the agent has flushed and exited.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { startCpuMeter, type CpuMeter, peakRssKiB } from './proc-stats.ts';
import { type Exit, type Started, startProcess, stopProcess, tail, waitForLine } from './processes.ts';

/** The readiness line the agent prints on stderr once its probes are attached. */
export const READY = /capturing/i;

export interface Agent {
  process: Started;
  readyLine: string;
  /** Starts measuring CPU from now. */
  meterCpu(): CpuMeter;
  peakRssKiB(): number;
  /** SIGINT, then up to `graceMs` to flush and exit (SIGKILL after). */
  stop(graceMs?: number): Promise<Exit>;
  stderrTail(): string;
  outputFile: string;
}

export async function startAgent(commandLine: string, outputFile: string, readyTimeoutMs = 30_000): Promise<Agent> {
  const out = await open(outputFile, 'w');
  let p: Started;
  try {
    // exec: the pid we measure is the agent itself, not a shell waiting for it
    p = startProcess('agent', '/bin/sh', ['-c', `exec ${commandLine}`], { stdout: out.fd, stderr: 'pipe' });
  } finally {
    await out.close(); // the child has its own copy of the descriptor
  }
  const stderr = tail(p.child.stderr, 8000);
  let readyLine: string;
  try {
    readyLine = await waitForLine(p, p.child.stderr, READY, readyTimeoutMs);
  } catch (err) {
    await stopProcess(p, 'SIGKILL', 1000);
    const said = stderr().trim();
    throw new Error(`${(err as Error).message}${said !== '' ? `; its stderr ended with:\n${said}` : ''}`);
  }
  return {
    process: p,
    readyLine,
    meterCpu: () => startCpuMeter(p.pid),
    peakRssKiB: () => peakRssKiB(p.pid),
    stop: (graceMs = 10_000) => stopProcess(p, 'SIGINT', graceMs),
    stderrTail: stderr,
    outputFile,
  };
}

export interface CaptureCount {
  /** Records whose request URL ends with the benchmarked path. */
  matched: number;
  /** The same, by the capturing side: "<exe basename> <direction>". */
  bySide: Record<string, number>;
  /** Lines that were not JSON. */
  otherLines: number;
}

/** Counts the JSON records in the agent's output whose request.url ends with `path`. */
export async function countCaptured(file: string, path: string): Promise<CaptureCount> {
  const count: CaptureCount = { matched: 0, bySide: {}, otherLines: 0 };
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    let rec: { request?: { url?: unknown }; metadata?: { process_exe?: unknown }; direction?: unknown };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      count.otherLines++;
      continue;
    }
    const url = rec.request?.url;
    if (typeof url !== 'string' || !url.endsWith(path)) continue;
    count.matched++;
    const exe = typeof rec.metadata?.process_exe === 'string' ? basename(rec.metadata.process_exe) : '?';
    const side = `${exe} ${typeof rec.direction === 'string' ? rec.direction : '?'}`;
    count.bySide[side] = (count.bySide[side] ?? 0) + 1;
  }
  return count;
}
