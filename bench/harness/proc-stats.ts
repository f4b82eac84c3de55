// CPU time and peak memory of a process, from /proc.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clkTck: number | undefined;

/** Clock ticks per second (USER_HZ), the unit of utime/stime in /proc/PID/stat. */
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clkTck = Number(out.trim()) || 100;
  }
  return clkTck;
}

/** utime + stime of `pid` (all its threads), in seconds. */
export function cpuSeconds(pid: number): number {
  return parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / clockTicksPerSecond();
}

/** utime + stime in ticks from the text of /proc/PID/stat. */
export function parseCpuTicks(stat: string): number {
  return Number(statField(stat, 14)) + Number(statField(stat, 15));
}

/** Field `n` (1-based, as in proc(5)) of /proc/PID/stat; comm (field 2) may hold spaces and ")". */
export function statField(stat: string, n: number): string {
  if (n <= 2) throw new Error('statField: fields 1 and 2 are not supported');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - 3] ?? '';
}

/** Peak resident set size (VmHWM) of `pid` in KiB. */
export function peakRssKiB(pid: number): number {
  return parsePeakRssKiB(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

export function parsePeakRssKiB(status: string): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (m === null) throw new Error('no VmHWM line in /proc/PID/status');
  return Number(m[1]);
}

/** CPU use of a process over an interval, as a fraction of one core. */
export interface CpuMeter {
  stop(): { cpuFraction: number; cpuSeconds: number; wallSeconds: number };
}

export function startCpuMeter(pid: number): CpuMeter {
  const cpu0 = cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  return {
    stop() {
      const used = cpuSeconds(pid) - cpu0;
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      return { cpuFraction: wall > 0 ? used / wall : 0, cpuSeconds: used, wallSeconds: wall };
    },
  };
}
