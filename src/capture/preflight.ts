// What the kernel side needs before anything is loaded, checked up front so that a missing piece is
// named with its fix instead of surfacing as a bare EPERM from libbpf.
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { CleartapError } from '../core/errors.ts';

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

export const BTF_PATH = '/sys/kernel/btf/vmlinux';
const TRACEFS_DIRS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];

/** The effective capability set of this process, from /proc/self/status. */
export function effectiveCapabilities(statusText = readFileSync('/proc/self/status', 'utf8')): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(statusText);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

export function missingCapabilities(caps: bigint): string[] {
  const has = (bit: number) => (caps >> BigInt(bit)) & 1n;
  const missing: string[] = [];
  if (!has(CAP_SYS_ADMIN)) {
    // CAP_BPF + CAP_PERFMON replace CAP_SYS_ADMIN for loading, but uprobes still need it.
    if (!has(CAP_BPF)) missing.push('CAP_BPF');
    if (!has(CAP_PERFMON)) missing.push('CAP_PERFMON');
    missing.push('CAP_SYS_ADMIN');
  }
  return missing;
}

function tracefsEvents(): string | undefined {
  return TRACEFS_DIRS.find((d) => existsSync(`${d}/events/syscalls`));
}

/** Mounts tracefs when it is missing (fresh machines often lack it); libbpf needs it for tracepoints. */
function ensureTracefs(): void {
  if (tracefsEvents()) return;
  try {
    execFileSync('mount', ['-t', 'tracefs', 'tracefs', TRACEFS_DIRS[0]], { stdio: 'pipe' });
  } catch (err) {
    throw new CleartapError(
      'CT_ERR_TRACEFS',
      `tracefs is not mounted at ${TRACEFS_DIRS[0]} and mounting it failed: ${(err as Error).message.trim()}`,
      `mount it yourself: mount -t tracefs tracefs ${TRACEFS_DIRS[0]}`,
    );
  }
  if (!tracefsEvents()) {
    throw new CleartapError('CT_ERR_TRACEFS', `tracefs at ${TRACEFS_DIRS[0]} has no events/syscalls`, 'the kernel needs CONFIG_FTRACE_SYSCALLS=y');
  }
}

export function preflight(): void {
  const missing = missingCapabilities(effectiveCapabilities());
  if (missing.length) {
    throw new CleartapError(
      process.geteuid?.() === 0 ? 'CT_ERR_NO_CAP_BPF' : 'CT_ERR_NOT_ROOT',
      `cleartap needs root or the capabilities ${missing.join(', ')} to load eBPF programs and attach uprobes`,
      'run as root (sudo), or grant CAP_BPF,CAP_PERFMON,CAP_SYS_ADMIN; in a container: --privileged --pid=host',
    );
  }
  if (!existsSync(BTF_PATH)) {
    throw new CleartapError('CT_ERR_NO_BTF', `no kernel BTF at ${BTF_PATH}`, 'cleartap needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (5.8 or newer)');
  }
  ensureTracefs();
}
