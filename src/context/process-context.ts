// Reading one process's context (exe, argv, uid/user, cgroup → container) from /proc.

import type { ProcessContext } from '../core/transaction.ts';
import { containerFromCgroup } from './cgroup-container.ts';
import { hostUserNames, type UserNameLookup } from './passwd-users.ts';
import { parseCmdline, parseStatus, readProcBytes, readProcLink, readProcText, stripDeleted } from './proc-files.ts';

/** ProcessContext plus what /proc gives for free; assignable wherever a ProcessContext is expected. */
export interface ProcessDetails extends ProcessContext {
  ppid?: number;
  /** Kubernetes pod UID when the cgroup path names one. */
  podUid?: string;
}

export interface ReadContextOptions {
  users?: UserNameLookup;
}

// Enough for any real command line we want to show; the kernel allows megabytes.
const MAX_CMDLINE_BYTES = 32 * 1024;

export function readExe(pid: number, procRoot: string): string | undefined {
  const link = readProcLink(`${procRoot}/${pid}/exe`);
  return link.ok ? stripDeleted(link.value) : undefined;
}

export function readCmdline(pid: number, procRoot: string): string[] | undefined {
  const bytes = readProcBytes(`${procRoot}/${pid}/cmdline`, MAX_CMDLINE_BYTES);
  return bytes.ok ? parseCmdline(bytes.value) : undefined;
}

export function readCgroupText(pid: number, procRoot: string): string | undefined {
  const text = readProcText(`${procRoot}/${pid}/cgroup`);
  return text.ok ? text.value : undefined;
}

/**
 * The process's context, or undefined when it has exited (its status file is gone).
 * Parts that cannot be read (a kernel thread has no exe; PID 1 may refuse readlink with EACCES) stay empty rather
 * than failing the whole context.
 */
export function readProcessContext(
  pid: number,
  procRoot = '/proc',
  options: ReadContextOptions = {},
): ProcessDetails | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  // status is the anchor: it exists for every live process (zombies included) and carries uid and ppid.
  const statusText = readProcText(`${procRoot}/${pid}/status`);
  if (!statusText.ok) return undefined;
  const status = parseStatus(statusText.value);
  const uid = status.uid ?? -1;
  const users = options.users ?? hostUserNames();
  const cgroupText = readCgroupText(pid, procRoot);
  const container = containerFromCgroup(cgroupText ?? '');
  const context: ProcessDetails = {
    pid,
    exe: readExe(pid, procRoot) ?? '',
    cmdline: readCmdline(pid, procRoot) ?? [],
    uid,
    user: uid >= 0 ? users.nameOf(uid) : '',
    cgroupPath: container.cgroupPath,
  };
  if (container.containerId !== undefined) context.containerId = container.containerId;
  if (container.podUid !== undefined) context.podUid = container.podUid;
  if (container.podQos !== undefined) context.podQos = container.podQos;
  if (status.ppid !== undefined) context.ppid = status.ppid;
  return context;
}
