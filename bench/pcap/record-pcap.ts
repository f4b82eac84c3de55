// A real capture for the read benchmark: tcpdump on loopback while wrk loads a plain-HTTP nginx (the setting of
// tshark's 17–18k transactions/s anchor in kernel-notes.md). The recording is refused if tcpdump dropped any.
import { join } from 'node:path';
import { startProcess, stopProcess, waitForLine } from '../harness/processes.ts';
import { runWrk } from '../harness/wrk.ts';
import { startPlainNginx } from './plain-nginx.ts';

export interface Recording {
  file: string;
  /** Requests wrk completed (a few more may have been in flight when it stopped). */
  wrkRequests: number;
  packets: number;
}

export async function recordWrkPcap(dir: string, durationS: number, connections: number): Promise<Recording> {
  const nginx = await startPlainNginx(join(dir, 'nginx'));
  const file = join(dir, 'wrk-nginx.pcap');
  try {
    // -Z root: stay root to write into the private directory; -B: 256 MiB of ring so nothing is dropped.
    const tcpdump = startProcess('tcpdump', 'tcpdump', ['-i', 'lo', '-B', '262144', '-Z', 'root', '-w', file, 'tcp', 'port', String(nginx.port)], { stdout: 'ignore', stderr: 'pipe' });
    let err = '';
    tcpdump.child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await waitForLine(tcpdump, tcpdump.child.stderr, /listening on/, 10_000);
    const load = await runWrk({ url: nginx.url, durationS, threads: 1, connections });
    await new Promise((r) => setTimeout(r, 1500)); // libpcap hands over a ring block at most every second
    await stopProcess(tcpdump, 'SIGINT', 30_000);
    const dropped = Number(/(\d+) packets dropped by kernel/.exec(err)?.[1] ?? NaN);
    if (dropped !== 0) throw new Error(`tcpdump dropped ${dropped} packets: the recording is incomplete (${err.trim()})`);
    return { file, wrkRequests: load.requests, packets: Number(/(\d+) packets captured/.exec(err)?.[1] ?? NaN) };
  } finally {
    await nginx.stop();
  }
}
