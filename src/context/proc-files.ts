// Reading and parsing the few /proc/PID files process context needs.
// Processes exit at any moment, so every read returns a value that says "gone" instead of throwing: ENOENT and
// ESRCH are the normal end of a process, not errors. /proc files report size 0, so reads loop until EOF, capped.

import { closeSync, openSync, readSync, readlinkSync } from 'node:fs';

/** gone: the process (or the file) no longer exists; denied: it exists but we may not read it; failed: other. */
export type ProcFailure = 'gone' | 'denied' | 'failed';

export type ProcRead<T> = { ok: true; value: T } | { ok: false; failure: ProcFailure; errno: string };

function failureOf(err: unknown): { ok: false; failure: ProcFailure; errno: string } {
  const errno = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'UNKNOWN';
  const failure: ProcFailure =
    errno === 'ENOENT' || errno === 'ESRCH' || errno === 'ENOTDIR'
      ? 'gone'
      : errno === 'EACCES' || errno === 'EPERM'
        ? 'denied'
        : 'failed';
  return { ok: false, failure, errno };
}

/** Reads at most maxBytes of a /proc file (cmdline can be megabytes; we never need all of it). */
export function readProcBytes(path: string, maxBytes: number): ProcRead<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return failureOf(err);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    while (total < maxBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(4096, maxBytes - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
    }
    return { ok: true, value: Buffer.concat(chunks, total) };
  } catch (err) {
    return failureOf(err);
  } finally {
    closeSync(fd);
  }
}

export function readProcText(path: string, maxBytes = 64 * 1024): ProcRead<string> {
  const r = readProcBytes(path, maxBytes);
  return r.ok ? { ok: true, value: r.value.toString('utf8') } : r;
}

export function readProcLink(path: string): ProcRead<string> {
  try {
    return { ok: true, value: readlinkSync(path) };
  } catch (err) {
    return failureOf(err);
  }
}

const DELETED_SUFFIX = ' (deleted)';

/** The kernel appends " (deleted)" to /proc/PID/exe when the file was replaced (e.g. upgraded) after exec. */
export function stripDeleted(path: string): string {
  return path.endsWith(DELETED_SUFFIX) ? path.slice(0, -DELETED_SUFFIX.length) : path;
}

export function parseCmdline(bytes: Uint8Array): string[] {
  if (bytes.length === 0) return [];
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const args = text.split('\0');
  // argv is NUL-terminated, so the split leaves an empty string at the end; processes that rewrite
  // their title (nginx: "nginx: worker process") pad the old argv area with many more NULs.
  while (args.at(-1) === '') args.pop();
  return args;
}

export interface StatusFields {
  name?: string;
  /** Real uid as seen from the reader's user namespace (the host's, for the agent). */
  uid?: number;
  ppid?: number;
}

export function parseStatus(text: string): StatusFields {
  const fields: StatusFields = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === 'Name') fields.name = value;
    else if (key === 'Uid') {
      const uid = Number.parseInt(value, 10);
      if (Number.isSafeInteger(uid) && uid >= 0) fields.uid = uid;
    } else if (key === 'PPid') {
      const ppid = Number.parseInt(value, 10);
      if (Number.isSafeInteger(ppid) && ppid >= 0) fields.ppid = ppid;
    }
  }
  return fields;
}

/**
 * Field 22 of /proc/PID/stat (start time in clock ticks since boot): with the pid it identifies one process,
 * which is how a reused pid is told apart. The comm field may contain spaces and ')', so parse after the last ')'.
 */
export function parseStatStartTime(text: string): number | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ") " come fields 3.. (state is field 3), so starttime (22) is index 19 of the rest.
  const rest = text.slice(close + 2).split(' ');
  const value = Number(rest[19]);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}
