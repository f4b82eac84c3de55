import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { DEFAULT_TRACEPOINTS, runChecks, wantedTracepoints, type CheckResult, type DoctorProbes } from './doctor-checks.ts';
import { doctorCommand, formatText, report, type DoctorReport } from './doctor.ts';

const ROOT_STATUS = 'Name:\tnode\nCapEff:\t000001ffffffffff\n';
const TRACEFS = '/sys/kernel/tracing';

/** A healthy Debian host, as the probes would see it; each test breaks one thing. */
function healthyHost(over: Partial<DoctorProbes> = {}, files: Record<string, string | undefined> = {}, paths: Record<string, boolean> = {}): DoctorProbes & { selfTests: number } {
  const text: Record<string, string | undefined> = {
    '/proc/self/status': ROOT_STATUS,
    '/sys/kernel/security/lockdown': 'none [integrity] confidentiality\n',
    '/proc/self/mounts': 'tracefs /sys/kernel/tracing tracefs rw 0 0\nbpf /sys/fs/bpf bpf rw 0 0\n',
    '/proc/filesystems': 'nodev\tbpf\nnodev\ttracefs\n',
    '/proc/self/limits': 'Limit                     Soft Limit           Hard Limit           Units\nMax locked memory         8388608              8388608              bytes\n',
    '/proc/self/cgroup': '0::/system.slice/cleartap.service\n',
    '/sys/fs/cgroup/system.slice/cleartap.service/memory.max': 'max\n',
    '/proc/cmdline': 'quiet\n',
    ...files,
  };
  const exists: Record<string, boolean> = {
    '/sys/kernel/btf/vmlinux': true,
    '/sys/bus/event_source/devices/uprobe/type': true,
    [TRACEFS]: true,
    [`${TRACEFS}/events/syscalls`]: true,
    [`${TRACEFS}/events/sched`]: true,
    ...Object.fromEntries(DEFAULT_TRACEPOINTS.map((tp) => [`${TRACEFS}/events/${tp}`, true])),
    ...paths,
  };
  const host = {
    selfTests: 0,
    platform: 'linux',
    arch: 'x64',
    kernelRelease: '6.1.0-28-amd64',
    nodeVersion: '24.11.0',
    euid: 0,
    readText: (p: string) => text[p],
    exists: (p: string) => exists[p] ?? false,
    writableDir: () => true,
    dataDir: '/var/lib/cleartap',
    addon: () => ({ ok: true as const, value: 'loaded' }),
    bpfSections: () => undefined,
    tlsLibraries: () => [
      { path: '/usr/lib/x86_64-linux-gnu/libgnutls.so.30', library: 'gnutls', kind: 'libssl', version: '3.7.9' },
      { path: '/usr/lib/x86_64-linux-gnu/libssl.so.3', library: 'openssl', kind: 'libssl', version: '3.0.15' },
      { path: '/usr/bin/node', library: 'node-openssl', kind: 'static-openssl' },
    ],
    bpfSelfTest(tls: { path: string } | undefined) {
      host.selfTests++;
      return { ok: true as const, value: { tracepoints: 26, ...(tls && { uprobe: { path: tls.path, attached: ['SSL_read', 'SSL_write'], failed: [] } }) } };
    },
    config: () => ({ ok: true as const, value: { source: 'built-in default', errors: [], warnings: [], missingSecrets: [] } }),
    ...over,
  };
  return host;
}

function byId(results: CheckResult[], id: string): CheckResult {
  const r = results.find((c) => c.id === id);
  assert.ok(r, `no check ${id}`);
  return r;
}

const check = (host: DoctorProbes, id: string, load = true) => byId(runChecks(host, { load }), id);

describe('cleartap doctor checks', () => {
  it('passes a healthy host, loading the programs once and trying uprobes on the shared libssl', () => {
    const host = healthyHost();
    const results = runChecks(host, { load: true });
    assert.deepEqual(results.filter((r) => r.status !== 'ok').map((r) => `${r.id}: ${r.summary}`), []);
    assert.equal(host.selfTests, 1);
    assert.match(byId(results, 'bpf-load').summary, /libssl\.so\.3: 2 attached/);
    assert.equal(report(results).ok, true);
  });

  it('fails an unprivileged user and skips the load, with the capabilities to grant', () => {
    const host = healthyHost({ euid: 1000 }, { '/proc/self/status': 'CapEff:\t0000000000000000\n' });
    const results = runChecks(host, { load: true });
    const r = byId(results, 'privileges');
    assert.equal(r.status, 'fail');
    assert.match(r.summary, /CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN/);
    assert.match(r.fix ?? '', /sudo/);
    assert.equal(byId(results, 'bpf-load').status, 'skip');
    assert.equal(host.selfTests, 0);
  });

  it('warns when the eBPF capabilities are there but the /proc-reading ones are not', () => {
    // CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN only (bits 39, 38, 21).
    const caps = ((1n << 39n) | (1n << 38n) | (1n << 21n)).toString(16);
    const r = check(healthyHost({}, { '/proc/self/status': `CapEff:\t${caps}\n` }), 'privileges');
    assert.equal(r.status, 'warn');
    assert.match(r.summary, /CAP_SYS_PTRACE/);
    assert.match(r.summary, /CAP_DAC_READ_SEARCH/);
  });

  it('fails a kernel older than 5.17 and accepts one it cannot parse with a warning', () => {
    assert.equal(check(healthyHost({ kernelRelease: '5.15.0-91-generic' }), 'kernel').status, 'fail');
    assert.equal(check(healthyHost({ kernelRelease: '5.17.0' }), 'kernel').status, 'ok');
    assert.equal(check(healthyHost({ kernelRelease: 'custom' }), 'kernel').status, 'warn');
  });

  it('fails without BTF, on other platforms, and with an old Node', () => {
    assert.equal(check(healthyHost({}, {}, { '/sys/kernel/btf/vmlinux': false }), 'btf').status, 'fail');
    assert.equal(check(healthyHost({ arch: 'ia32' }), 'platform').status, 'fail');
    assert.equal(check(healthyHost({ arch: 'arm64' }), 'platform').status, 'ok');
    assert.equal(check(healthyHost({ nodeVersion: '20.11.1' }), 'node').status, 'fail');
    assert.equal(check(healthyHost({ nodeVersion: '22.18.0' }), 'node').status, 'ok');
  });

  it('reads lockdown from securityfs, else the boot parameter', () => {
    assert.equal(check(healthyHost({}, { '/sys/kernel/security/lockdown': 'none integrity [confidentiality]\n' }), 'lockdown').status, 'fail');
    assert.equal(check(healthyHost({}, { '/sys/kernel/security/lockdown': undefined, '/proc/cmdline': 'ro lockdown=confidentiality' }), 'lockdown').status, 'fail');
    const unknown = check(healthyHost({}, { '/sys/kernel/security/lockdown': undefined }), 'lockdown');
    assert.equal(unknown.status, 'ok');
    assert.match(unknown.summary, /not readable/);
  });

  it('warns when tracefs is only mountable, fails when the kernel has none', () => {
    const unmounted = { [`${TRACEFS}/events/syscalls`]: false, [`${TRACEFS}/events/sched`]: false };
    const noMounts = { '/proc/self/mounts': 'bpf /sys/fs/bpf bpf rw 0 0\n' };
    const unreadable = check(healthyHost({ euid: 1000 }, {}, unmounted), 'tracefs');
    assert.equal(unreadable.status, 'warn');
    assert.match(unreadable.summary, /mounted at \/sys\/kernel\/tracing but its events are not readable/);
    const r = check(healthyHost({}, noMounts, unmounted), 'tracefs');
    assert.equal(r.status, 'warn');
    assert.match(r.fix ?? '', /mount -t tracefs tracefs \/sys\/kernel\/tracing/);
    assert.equal(check(healthyHost({}, noMounts, unmounted), 'tracepoints').status, 'skip');
    assert.equal(check(healthyHost({}, { ...noMounts, '/proc/filesystems': 'nodev\tbpf\n' }, unmounted), 'tracefs').status, 'fail');
  });

  it('takes the tracepoints from the BPF object and names the missing ones', () => {
    const sections = ['.text', 'tracepoint/syscalls/sys_enter_read', 'tracepoint/sched/sched_process_exec', 'uprobe', 'tp_btf/sched_process_fork'];
    assert.deepEqual(wantedTracepoints(sections), ['syscalls/sys_enter_read', 'sched/sched_process_exec']);
    const host = healthyHost({ bpfSections: () => [...sections, 'tracepoint/syscalls/sys_enter_sendfile64'] });
    const r = check(host, 'tracepoints');
    assert.equal(r.status, 'warn', 'the agent skips a missing tracepoint and attaches the others');
    assert.match(r.summary, /missing syscalls\/sys_enter_sendfile64: the agent skips them/);
    const none = check(healthyHost({ bpfSections: () => ['tracepoint/syscalls/sys_enter_recv', 'tracepoint/syscalls/sys_enter_poll'] }), 'tracepoints');
    assert.equal(none.status, 'fail');
    assert.match(none.summary, /none of the 2 tracepoints/);
  });

  it('bpffs is never required', () => {
    assert.equal(check(healthyHost({}, { '/proc/self/mounts': '' }), 'bpffs').status, 'ok');
  });

  it('fails without the uprobe PMU', () => {
    assert.equal(check(healthyHost({}, {}, { '/sys/bus/event_source/devices/uprobe/type': false }), 'uprobes').status, 'fail');
  });

  it('judges memlock only on kernels that charge BPF maps to it, and warns on a small cgroup limit', () => {
    assert.equal(check(healthyHost(), 'memory').status, 'ok');
    const old = healthyHost({ kernelRelease: '5.10.0' }, { '/proc/self/status': 'CapEff:\t000001fffeffffff\n' });
    const r = check(old, 'memory');
    assert.equal(r.status, 'fail', 'no CAP_SYS_RESOURCE (bit 24) on 5.10 with 8 MiB memlock');
    assert.match(r.fix ?? '', /LimitMEMLOCK=infinity/);
    assert.equal(check(healthyHost({ kernelRelease: '5.10.0' }), 'memory').status, 'ok', 'root can raise it');
    const small = check(healthyHost({}, { '/sys/fs/cgroup/system.slice/cleartap.service/memory.max': String(128 << 20) }), 'memory');
    assert.equal(small.status, 'warn');
    assert.match(small.summary, /128 MiB/);
    const v1 = check(healthyHost({}, { '/proc/self/cgroup': '4:memory:/kubepods/pod1\n0::/\n', '/sys/fs/cgroup/memory/kubepods/pod1/memory.limit_in_bytes': String(64 << 20) }), 'memory');
    assert.equal(v1.status, 'warn');
  });

  it('names the runtime libraries when the addon cannot load, and the packet addon only warns', () => {
    const host = healthyHost({
      addon: (kind) => ({ ok: false, error: `${kind === 'bpf' ? 'build/cleartap.node' : 'x'}: libbpf.so.1: cannot open shared object file: No such file or directory` }),
    });
    const results = runChecks(host, { load: true });
    const r = byId(results, 'addon');
    assert.equal(r.status, 'fail');
    assert.match(r.fix ?? '', /apt-get install libbpf1/);
    assert.equal(byId(results, 'packet-addon').status, 'warn');
    assert.equal(byId(results, 'bpf-load').status, 'skip');
  });

  it('reports a failed load with its error, and uprobe failures as a warning', () => {
    const failed = check(healthyHost({ bpfSelfTest: () => ({ ok: false, error: 'loading the eBPF programs failed: Operation not permitted [CT_ERR_BPF_LOAD]' }) }), 'bpf-load');
    assert.equal(failed.status, 'fail');
    assert.match(failed.summary, /CT_ERR_BPF_LOAD/);
    const partial = check(healthyHost({ bpfSelfTest: () => ({ ok: true, value: { tracepoints: 3, uprobe: { path: '/x', attached: [], failed: ['SSL_read: EINVAL'] } } }) }), 'bpf-load');
    assert.equal(partial.status, 'warn');
    const skipped = check(healthyHost({ bpfSelfTest: () => ({ ok: true, value: { tracepoints: 25, tracepointsSkipped: ['syscalls/sys_enter_recvfrom'] } }) }), 'bpf-load');
    assert.equal(skipped.status, 'warn');
    assert.match(skipped.summary, /25 tracepoints attached \(skipped, not in this kernel: syscalls\/sys_enter_recvfrom\)/);
    assert.equal(check(healthyHost(), 'bpf-load', false).status, 'skip');
  });

  it('warns when no TLS library is found', () => {
    const host = healthyHost({ tlsLibraries: () => [] });
    assert.equal(check(host, 'tls-libraries').status, 'warn');
    assert.match(check(host, 'bpf-load').summary, /no TLS binary/);
  });

  it('fails a config with errors or unset secrets, warns on warnings', () => {
    const cfg = (value: { errors?: string[]; warnings?: string[]; missingSecrets?: string[] }) =>
      healthyHost({ config: () => ({ ok: true, value: { source: '/etc/cleartap/config.yaml', errors: [], warnings: [], missingSecrets: [], ...value } }) });
    assert.equal(check(cfg({}), 'config').status, 'ok');
    assert.equal(check(cfg({ errors: ['config.yaml:3:14: tap.direction: bad'] }), 'config').status, 'fail');
    const secret = check(cfg({ missingSecrets: ['object_stores[0].secret_key: environment variable S3_SECRET is not set'] }), 'config');
    assert.equal(secret.status, 'fail');
    assert.match(secret.fix ?? '', /cleartap\.env/);
    assert.equal(check(cfg({ warnings: ['unknown key'] }), 'config').status, 'warn');
    assert.equal(check(healthyHost({ config: () => ({ ok: false, error: 'EACCES' }) }), 'config').status, 'fail');
  });

  it('warns when the data directory is not writable', () => {
    assert.equal(check(healthyHost({ writableDir: () => false }), 'data-dir').status, 'warn');
  });
});

describe('the doctor command', () => {
  async function run(host: DoctorProbes, args: string[]): Promise<{ out: string; code: number | undefined }> {
    let out = '';
    let code: number | undefined;
    const program = new Command().exitOverride();
    program.addCommand(doctorCommand({ probes: () => host, stdout: { write: (s: string) => (out += s) }, exit: (c) => (code = c) }));
    await program.parseAsync(['node', 'cleartap', 'doctor', ...args]);
    return { out, code };
  }

  it('prints one line per check and a verdict, exit 0 on a healthy host', async () => {
    const { out, code } = await run(healthyHost(), []);
    const lines = out.trimEnd().split('\n');
    assert.equal(code, 0);
    assert.equal(lines.length, runChecks(healthyHost(), { load: true }).length + 1);
    assert.match(lines[0], /^ok {2,}node {2,}Node\.js 24/);
    assert.match(lines.at(-1)!, /0 failed: this host can run cleartap/);
  });

  it('--json carries every check; a failure exits 1 and the line carries its fix', async () => {
    const host = healthyHost({ euid: 1000 }, { '/proc/self/status': 'CapEff:\t0\n' });
    const { out, code } = await run(host, ['--json']);
    assert.equal(code, 1);
    const r = JSON.parse(out) as DoctorReport;
    assert.equal(r.ok, false);
    assert.equal(r.counts.fail, 1);
    assert.deepEqual(Object.keys(r.checks[0]).sort(), ['id', 'status', 'summary']);
    assert.match(formatText(r), /^FAIL {2}privileges +uid 1000 without .* — fix: run as root/m);
  });

  it('--no-load leaves the programs alone', async () => {
    const host = healthyHost();
    const { code } = await run(host, ['--no-load']);
    assert.equal(code, 0);
    assert.equal(host.selfTests, 0);
  });
});

it('the fallback tracepoint list is a subset of what the BPF sources attach to', () => {
  const bpf = fileURLToPath(new URL('../../bpf', import.meta.url));
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  const text = walk(bpf).filter((f) => /\.[ch]$/.test(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
  const missing = DEFAULT_TRACEPOINTS.filter((tp) => {
    const [, name] = tp.split('/');
    // sys_exit_read and friends come from a macro: SEC("tracepoint/syscalls/sys_exit_" #name).
    return !text.includes(`tracepoint/${tp}"`) && !(tp.startsWith('syscalls/sys_exit_') && text.includes('tracepoint/syscalls/sys_exit_" #name') && text.includes(`(${name.slice('sys_exit_'.length)}`));
  });
  assert.deepEqual(missing, []);
});
