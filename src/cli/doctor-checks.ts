// `cleartap doctor`'s checks: each turns what a probe saw on the host into ok / warn / fail and, when it is
// not ok, what to do about it. The probes (doctor-host.ts) do the I/O; everything here is pure, so the
// tests run every check against fakes.
import { effectiveCapabilities, missingCapabilities } from '../capture/preflight.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable name, for scripts reading --json. */
  id: string;
  status: CheckStatus;
  /** What was found. */
  summary: string;
  /** What to do, when the status is not ok. */
  fix?: string;
}

/** An outcome of something the doctor tried for real (loading an addon, the BPF programs). */
export type Attempt<T = string> = { ok: true; value: T } | { ok: false; error: string };

export interface TlsLibraryFound {
  path: string;
  library: string;
  version?: string;
  /** A shared library (libssl, libgnutls) or an executable with OpenSSL linked in (node). */
  kind: string;
}

export interface BpfSelfTest {
  /** Tracepoints attached, when the shipped BPF object says how many. */
  tracepoints?: number;
  /** Tracepoints left unattached because this kernel lacks them (category/name). */
  tracepointsSkipped?: string[];
  /** The TLS binary the uprobes were tried on, with what attached and what failed. */
  uprobe?: { path: string; attached: string[]; failed: string[] };
}

export interface ConfigCheck {
  /** The file, or "built-in default". */
  source: string;
  errors: string[];
  warnings: string[];
  /** Secrets read from environment variables that are not set. */
  missingSecrets: string[];
}

/** What the checks read. The real host is doctor-host.ts; tests pass fakes. */
export interface DoctorProbes {
  platform: string;
  arch: string;
  kernelRelease: string;
  nodeVersion: string;
  euid: number;
  /** A file's text, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
  exists(path: string): boolean;
  /** Whether this process could create files in dir (or create dir). */
  writableDir(dir: string): boolean;
  /** The local store's directory ($CLEARTAP_DATA_DIR, else /var/lib/cleartap). */
  dataDir: string;
  addon(kind: 'bpf' | 'packet'): Attempt;
  /** Section names of the shipped BPF object (which tracepoints it attaches to), when present. */
  bpfSections(): string[] | undefined;
  tlsLibraries(): TlsLibraryFound[];
  /** Loads the programs, attaches the tracepoints and uprobes on `tls`, then unloads everything. */
  bpfSelfTest(tls: TlsLibraryFound | undefined): Attempt<BpfSelfTest>;
  config(): Attempt<ConfigCheck>;
}

export const BTF_PATH = '/sys/kernel/btf/vmlinux';
export const LOCKDOWN_PATH = '/sys/kernel/security/lockdown';
export const TRACEFS_DIRS = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'] as const;
export const BPFFS_DIR = '/sys/fs/bpf';
export const UPROBE_PMU = '/sys/bus/event_source/devices/uprobe/type';
/** What the BPF object attaches to when the object itself is not there to ask (a source checkout before `make build`). */
export const DEFAULT_TRACEPOINTS = [
  'syscalls/sys_enter_read', 'syscalls/sys_exit_read', 'syscalls/sys_enter_write', 'syscalls/sys_exit_write',
  'syscalls/sys_enter_connect', 'syscalls/sys_exit_connect', 'syscalls/sys_exit_accept4', 'syscalls/sys_enter_close',
  'sched/sched_process_exec', 'sched/sched_process_exit',
] as const;

/** Kernel 5.17 brought bpf_loop, which the programs use; 5.11 started charging BPF memory to the memory cgroup. */
const MIN_KERNEL: readonly [number, number] = [5, 17];
const MEMCG_ACCOUNTING: readonly [number, number] = [5, 11];
const MIN_NODE: readonly [number, number] = [22, 18];
/** The agent's working set with the default 16 MiB ring (mapped twice) and the local store. */
const AGENT_MEMORY_BYTES = 256 << 20;

const CAPS = { CAP_DAC_READ_SEARCH: 2, CAP_NET_RAW: 13, CAP_SYS_PTRACE: 19, CAP_SYS_ADMIN: 21, CAP_SYS_RESOURCE: 24 } as const;

function versionAtLeast(have: readonly number[], want: readonly [number, number]): boolean {
  return have[0] > want[0] || (have[0] === want[0] && (have[1] ?? 0) >= want[1]);
}

function parseVersion(text: string): number[] {
  return (/^(\d+)\.(\d+)/.exec(text) ?? []).slice(1).map(Number);
}

const ok = (id: string, summary: string): CheckResult => ({ id, status: 'ok', summary });
const warn = (id: string, summary: string, fix: string): CheckResult => ({ id, status: 'warn', summary, fix });
const fail = (id: string, summary: string, fix: string): CheckResult => ({ id, status: 'fail', summary, fix });
const skip = (id: string, summary: string): CheckResult => ({ id, status: 'skip', summary });

export function checkNode(p: DoctorProbes): CheckResult {
  const v = parseVersion(p.nodeVersion);
  if (versionAtLeast(v, MIN_NODE)) return ok('node', `Node.js ${p.nodeVersion}`);
  return fail('node', `Node.js ${p.nodeVersion} cannot run cleartap's TypeScript`, 'use Node.js 22.18 or newer (the release tarball ships Node 24)');
}

export function checkPlatform(p: DoctorProbes): CheckResult {
  if (p.platform !== 'linux') return fail('platform', `${p.platform}: eBPF capture is Linux only`, 'run cleartap on a Linux host');
  if (p.arch !== 'x64' && p.arch !== 'arm64') return fail('platform', `linux/${p.arch}: not a supported architecture`, 'use an x86_64 or arm64 host');
  return ok('platform', `linux/${p.arch}`);
}

export function checkKernel(p: DoctorProbes): CheckResult {
  const v = parseVersion(p.kernelRelease);
  if (v.length < 2) return warn('kernel', `cannot read the kernel version from "${p.kernelRelease}"`, 'cleartap needs Linux 5.17 or newer');
  if (!versionAtLeast(v, MIN_KERNEL)) return fail('kernel', `Linux ${p.kernelRelease} is older than 5.17 (bpf_loop)`, 'upgrade the kernel to 5.17 or newer, or use passive mode (`cleartap passive`, no eBPF)');
  return ok('kernel', `Linux ${p.kernelRelease}`);
}

export function checkBtf(p: DoctorProbes): CheckResult {
  if (p.exists(BTF_PATH)) return ok('btf', `kernel BTF at ${BTF_PATH} (one CO-RE object serves this kernel)`);
  return fail('btf', `no kernel BTF at ${BTF_PATH}`, 'use a kernel built with CONFIG_DEBUG_INFO_BTF=y (the default of Debian, Ubuntu, RHEL 8.2+ and most cloud images)');
}

export function checkPrivileges(p: DoctorProbes): CheckResult {
  const status = p.readText('/proc/self/status');
  if (status === undefined) return warn('privileges', 'cannot read /proc/self/status', 'mount /proc');
  const caps = effectiveCapabilities(status);
  const who = p.euid === 0 ? 'root' : `uid ${p.euid}`;
  const missing = missingCapabilities(caps);
  if (missing.length) {
    return fail('privileges', `${who} without ${missing.join(', ')}`, 'run as root (sudo cleartap), or grant CAP_BPF,CAP_PERFMON,CAP_SYS_ADMIN (systemd: the shipped unit; a container: --privileged --pid=host)');
  }
  const has = (bit: number) => ((caps >> BigInt(bit)) & 1n) === 1n;
  const lacking: string[] = [];
  if (!has(CAPS.CAP_SYS_PTRACE)) lacking.push('CAP_SYS_PTRACE (reading other users\' /proc/PID/maps to find their TLS libraries)');
  if (!has(CAPS.CAP_DAC_READ_SEARCH)) lacking.push('CAP_DAC_READ_SEARCH (opening libraries inside containers through /proc/PID/root)');
  if (!has(CAPS.CAP_NET_RAW)) lacking.push('CAP_NET_RAW (passive mode only)');
  if (lacking.length) return warn('privileges', `${who}: eBPF capabilities present; missing ${lacking.join('; ')}`, 'grant the missing capabilities if you need what they are for');
  return ok('privileges', `${who} with the capabilities eBPF capture needs`);
}

export function checkLockdown(p: DoctorProbes): CheckResult {
  const text = p.readText(LOCKDOWN_PATH);
  // Without securityfs the mode is not readable; the boot parameter, when given, says it.
  const mode = text !== undefined ? (/\[(\w+)\]/.exec(text)?.[1] ?? text.trim()) : /(?:^|\s)lockdown=(\w+)/.exec(p.readText('/proc/cmdline') ?? '')?.[1];
  if (mode === undefined) return ok('lockdown', `not readable (no ${LOCKDOWN_PATH}: securityfs not mounted, or no lockdown LSM); the bpf-load check shows whether it allows capture`);
  if (mode === 'confidentiality') {
    return fail('lockdown', 'kernel lockdown is "confidentiality": BPF may not read process memory', 'boot with lockdown=integrity (or none); with Secure Boot, check the distribution\'s lockdown policy');
  }
  return ok('lockdown', `lockdown "${mode}"`);
}

function mounted(p: DoctorProbes, fsType: string): string[] {
  const mounts = p.readText('/proc/self/mounts') ?? '';
  return mounts.split('\n').map((l) => l.split(' ')).filter((f) => f[2] === fsType).map((f) => f[1]);
}

function kernelHasFs(p: DoctorProbes, fsType: string): boolean {
  return (p.readText('/proc/filesystems') ?? '').split('\n').some((l) => l.trim().split(/\s+/).at(-1) === fsType);
}

/** The tracefs directory whose events/ can be read, if any. */
export function tracefsEvents(p: DoctorProbes): string | undefined {
  return TRACEFS_DIRS.find((d) => p.exists(`${d}/events/syscalls`) || p.exists(`${d}/events/sched`));
}

export function checkTracefs(p: DoctorProbes): CheckResult {
  const dir = tracefsEvents(p);
  if (dir) return ok('tracefs', `tracefs at ${dir}`);
  const at = mounted(p, 'tracefs');
  if (at.length) return warn('tracefs', `tracefs is mounted at ${at.join(', ')} but its events are not readable here`, 'run as root (tracefs is readable by root only)');
  if (kernelHasFs(p, 'tracefs') && p.exists(TRACEFS_DIRS[0])) {
    return warn('tracefs', `tracefs is not mounted at ${TRACEFS_DIRS[0]} (cleartap mounts it at start)`, `mount it now if the agent runs without CAP_SYS_ADMIN in this mount namespace: mount -t tracefs tracefs ${TRACEFS_DIRS[0]}`);
  }
  return fail('tracefs', 'tracefs is neither mounted nor mountable', 'use a kernel with CONFIG_FTRACE_SYSCALLS=y; in a container, mount the host\'s /sys (-v /sys:/sys) and /sys/kernel/debug');
}

export function checkBpffs(p: DoctorProbes): CheckResult {
  if (mounted(p, 'bpf').length) return ok('bpffs', `bpffs at ${mounted(p, 'bpf').join(', ')} (not needed: nothing is pinned)`);
  return ok('bpffs', `not mounted${kernelHasFs(p, 'bpf') ? ' (mountable)' : ''}; not needed: cleartap pins nothing`);
}

/** Tracepoints (category/name) the BPF object attaches to. */
export function wantedTracepoints(sections: readonly string[] | undefined): string[] {
  if (!sections) return [...DEFAULT_TRACEPOINTS];
  return [...new Set(sections.filter((s) => s.startsWith('tracepoint/')).map((s) => s.slice('tracepoint/'.length)))];
}

export function checkTracepoints(p: DoctorProbes): CheckResult {
  const dir = tracefsEvents(p);
  if (!dir) return skip('tracepoints', 'tracefs events are not readable: not checked (the bpf-load check attaches them)');
  const wanted = wantedTracepoints(p.bpfSections());
  const missing = wanted.filter((tp) => !p.exists(`${dir}/events/${tp}`));
  const fix = 'use a kernel with CONFIG_FTRACE_SYSCALLS=y (syscalls/*) and the sched tracepoints';
  if (missing.length === wanted.length) return fail('tracepoints', `none of the ${wanted.length} tracepoints is in this kernel: ${missing.join(', ')}`, fix);
  if (missing.length) {
    // The agent attaches the others and names these in its log and `cleartap status`.
    return warn('tracepoints', `missing ${missing.join(', ')}: the agent skips them, so what they would see is not captured`, fix);
  }
  const groups = [...new Set(wanted.map((tp) => tp.split('/')[0]))].join(', ');
  return ok('tracepoints', `${wanted.length} tracepoints (${groups}) present`);
}

export function checkUprobes(p: DoctorProbes): CheckResult {
  if (p.exists(UPROBE_PMU)) return ok('uprobes', 'uprobe PMU present (CONFIG_UPROBE_EVENTS)');
  return fail('uprobes', `no ${UPROBE_PMU}: TLS plaintext cannot be captured`, 'use a kernel with CONFIG_UPROBE_EVENTS=y; without it only plaintext sockets are captured');
}

function parseLimit(limits: string | undefined, name: string): number | undefined {
  const line = limits?.split('\n').find((l) => l.startsWith(name));
  const soft = line?.slice(name.length).trim().split(/\s+/)[0];
  if (soft === undefined) return undefined;
  return soft === 'unlimited' ? Infinity : Number(soft);
}

/** The memory limit of this process's cgroup (v2 memory.max, else v1 memory.limit_in_bytes), if any. */
function cgroupMemoryLimit(p: DoctorProbes): number | undefined {
  const lines = (p.readText('/proc/self/cgroup') ?? '').split('\n');
  const v2 = lines.find((l) => l.startsWith('0::'))?.slice(3);
  const v1 = lines.map((l) => l.split(':')).find((f) => f[1]?.split(',').includes('memory'))?.[2];
  const candidates = [
    v1 !== undefined ? `/sys/fs/cgroup/memory${v1}/memory.limit_in_bytes` : undefined,
    v1 !== undefined ? '/sys/fs/cgroup/memory/memory.limit_in_bytes' : undefined,
    v2 !== undefined ? `/sys/fs/cgroup${v2}/memory.max` : undefined,
    '/sys/fs/cgroup/memory.max',
  ];
  for (const path of candidates) {
    if (!path) continue;
    const text = p.readText(path)?.trim();
    if (text === undefined) continue;
    const n = Number(text);
    // v1 says "no limit" with a huge page-rounded number.
    return text === 'max' || !Number.isFinite(n) || n >= 2 ** 62 ? undefined : n;
  }
  return undefined;
}

const mib = (n: number) => `${Math.round(n / (1 << 20))} MiB`;

export function checkMemory(p: DoctorProbes): CheckResult {
  const memlock = parseLimit(p.readText('/proc/self/limits'), 'Max locked memory');
  const memcg = versionAtLeast(parseVersion(p.kernelRelease), MEMCG_ACCOUNTING);
  const cgLimit = cgroupMemoryLimit(p);
  const lockText = memlock === undefined ? 'memlock unknown' : memlock === Infinity ? 'memlock unlimited' : `memlock ${mib(memlock)}`;
  if (cgLimit !== undefined && cgLimit < AGENT_MEMORY_BYTES) {
    return warn('memory', `${lockText}; the cgroup's memory limit is ${mib(cgLimit)}`, `give the agent at least ${mib(AGENT_MEMORY_BYTES)} (Kubernetes: resources.limits.memory; systemd: MemoryMax=)`);
  }
  const cgText = cgLimit === undefined ? 'no cgroup memory limit' : `cgroup memory limit ${mib(cgLimit)}`;
  if (memcg) return ok('memory', `${lockText}, ${cgText} (BPF maps are charged to the memory cgroup on this kernel, not memlock)`);
  if (memlock !== undefined && memlock < 64 << 20) {
    const caps = effectiveCapabilities(p.readText('/proc/self/status') ?? '');
    if (((caps >> BigInt(CAPS.CAP_SYS_RESOURCE)) & 1n) === 0n) {
      return fail('memory', `${lockText} on a kernel that charges BPF maps to memlock, and no CAP_SYS_RESOURCE to raise it`, 'ulimit -l unlimited (systemd: LimitMEMLOCK=infinity; docker: --ulimit memlock=-1)');
    }
    return ok('memory', `${lockText}; raised at load (CAP_SYS_RESOURCE), ${cgText}`);
  }
  return ok('memory', `${lockText}, ${cgText}`);
}

export function checkAddon(p: DoctorProbes, kind: 'bpf' | 'packet'): CheckResult {
  const id = kind === 'bpf' ? 'addon' : 'packet-addon';
  const name = kind === 'bpf' ? 'build/cleartap.node' : 'build/cleartap_packet.node';
  const res = p.addon(kind);
  if (res.ok) return ok(id, `${name} loads (${res.value})`);
  const libs = /lib(bpf|elf|z)\.so/.exec(res.error);
  const fix = libs
    ? 'install the runtime libraries: apt-get install libbpf1 libelf1 zlib1g (dnf install libbpf elfutils-libelf zlib)'
    : /missing|ENOENT|not built/i.test(res.error)
      ? 'build it: make build (a source checkout), or reinstall the package'
      : 'rebuild it for this host: make build';
  // The eBPF addon is what capture runs on; the packet one only serves passive mode.
  return kind === 'bpf' ? fail(id, res.error, fix) : warn(id, `${res.error} (passive mode only)`, fix);
}

export function checkTlsLibraries(found: readonly TlsLibraryFound[]): CheckResult {
  if (found.length === 0) {
    return warn('tls-libraries', 'no TLS library found at the usual paths (libssl.so*, libgnutls.so*, node)', 'TLS plaintext is seen only for libraries found; processes are still scanned at start and exec; plaintext sockets are captured regardless');
  }
  const list = found.map((t) => `${t.library}${t.version ? ` ${t.version}` : ''} ${t.path}`);
  return ok('tls-libraries', list.join('; '));
}

export function checkSelfTest(res: Attempt<BpfSelfTest> | undefined): CheckResult {
  if (res === undefined) return skip('bpf-load', 'not tried (a check above failed, or --no-load)');
  if (!res.ok) {
    return fail('bpf-load', res.error, 'check the failures above; "Operation not permitted" means missing capabilities, lockdown "confidentiality", or a seccomp/AppArmor profile denying bpf()');
  }
  const u = res.value.uprobe;
  const uprobe = u === undefined ? 'no TLS binary to try uprobes on' : `uprobes on ${u.path}: ${u.attached.length} attached${u.failed.length ? `, failed: ${u.failed.join(', ')}` : ''}`;
  const skipped = res.value.tracepointsSkipped ?? [];
  const tps = `${res.value.tracepoints === undefined ? 'tracepoints attached' : `${res.value.tracepoints} tracepoints attached`}${skipped.length ? ` (skipped, not in this kernel: ${skipped.join(', ')})` : ''}`;
  const summary = `programs loaded and verified, ${tps}, ${uprobe}; everything detached again`;
  if (skipped.length) return warn('bpf-load', summary, 'the agent runs without the skipped tracepoints (what they would see is not captured); a kernel with CONFIG_FTRACE_SYSCALLS=y has them all');
  if (u && (u.attached.length === 0 || u.failed.length)) return warn('bpf-load', summary, 'uprobes failed: check CONFIG_UPROBE_EVENTS and that the file is not on a noexec/overlay mount the kernel refuses');
  return ok('bpf-load', summary);
}

export function checkConfig(res: Attempt<ConfigCheck>): CheckResult {
  if (!res.ok) return fail('config', res.error, 'fix it: cleartap config validate FILE names each error with file:line:column');
  const c = res.value;
  if (c.errors.length) return fail('config', `${c.source}: ${c.errors.join('; ')}`, 'fix it: cleartap config validate FILE names each error with file:line:column');
  if (c.missingSecrets.length) {
    return fail('config', `${c.source}: ${c.missingSecrets.join('; ')}`, 'set the variables (systemd: /etc/cleartap/cleartap.env; Kubernetes: the Secret named in envFrom)');
  }
  if (c.warnings.length) return warn('config', `${c.source}: valid, ${c.warnings.length} warning(s): ${c.warnings.join('; ')}`, 'see cleartap config validate');
  return ok('config', c.source === 'built-in default' ? 'no config file: the built-in default (stdout + local store)' : `${c.source}: valid`);
}

export function checkDataDir(p: DoctorProbes): CheckResult {
  if (p.writableDir(p.dataDir)) return ok('data-dir', `${p.dataDir} writable (local store and spools)`);
  return warn('data-dir', `${p.dataDir} is not writable`, 'create it (systemd: StateDirectory=cleartap does) or set CLEARTAP_DATA_DIR; needed only by the local store and the spools of remote stores');
}

export interface DoctorOptions {
  /** Load the BPF programs for real (the last, decisive check). */
  load: boolean;
}

/** Every check, in the order a person fixes things. */
export function runChecks(p: DoctorProbes, opts: DoctorOptions): CheckResult[] {
  const results = [checkNode(p), checkPlatform(p), checkKernel(p), checkBtf(p), checkPrivileges(p), checkLockdown(p), checkTracefs(p), checkBpffs(p), checkTracepoints(p), checkUprobes(p), checkMemory(p)];
  const addon = checkAddon(p, 'bpf');
  results.push(addon, checkAddon(p, 'packet'));
  const tls = p.tlsLibraries();
  results.push(checkTlsLibraries(tls));
  const blocking = results.some((r) => r.status === 'fail');
  // Prefer a shared library for the uprobe try: it is what most processes use.
  const target = tls.find((t) => t.library === 'openssl') ?? tls.find((t) => t.kind === 'libssl') ?? tls[0];
  results.push(checkSelfTest(opts.load && !blocking ? p.bpfSelfTest(target) : undefined));
  results.push(checkConfig(p.config()), checkDataDir(p));
  return results;
}
