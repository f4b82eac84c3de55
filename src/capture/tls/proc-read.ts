// The two /proc reads the TLS scan needs (maps, and the exe / ns links), failing with a value, never an
// exception: a process may exit between listing /proc and reading it. (src/context has its own copy of this
// because capture/ may not import context/; if a third user appears it belongs in core/.)

import { readFileSync, readlinkSync } from 'node:fs';
import type { ScanFailure } from './tls-target.ts';

export type ProcRead<T> = { ok: true; value: T } | { ok: false; failure: ScanFailure; errno: string };

function failureOf(err: unknown): { ok: false; failure: ScanFailure; errno: string } {
  const errno = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'UNKNOWN';
  const failure: ScanFailure =
    errno === 'ENOENT' || errno === 'ESRCH' || errno === 'ENOTDIR' ? 'gone' : errno === 'EACCES' || errno === 'EPERM' ? 'denied' : 'failed';
  return { ok: false, failure, errno };
}

export function readProcFile(path: string): ProcRead<string> {
  try {
    return { ok: true, value: readFileSync(path, 'utf8') };
  } catch (err) {
    return failureOf(err);
  }
}

export function readProcLink(path: string): ProcRead<string> {
  try {
    return { ok: true, value: readlinkSync(path) };
  } catch (err) {
    return failureOf(err);
  }
}
