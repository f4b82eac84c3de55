// The command line as a user meets it: help, version, bad flags, and what happens without privileges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, stopAll } from '../helpers/children.ts';
import { AgentProcess, onPort } from '../helpers/agent.ts';
import { startPythonHttpServer } from '../helpers/servers.ts';
import type { StatusReport } from '../../src/cli/status-command.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

test('--help lists the options and --version prints the package version', async () => {
  const help = await run(process.execPath, [MAIN, '--help']);
  assert.equal(help.code, 0);
  for (const opt of ['--config', '--format', '--level', '--log-level', '--max-body', '--nice', '--version']) assert.match(help.stdout, new RegExp(opt));
  const version = await run(process.execPath, [MAIN, '--version']);
  assert.equal(version.stdout.trim(), pkg.version);
});

test('a bad flag value is refused with the flag named, before anything is loaded', async () => {
  const r = await run(process.execPath, [MAIN, '--level', 'everything']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--level/);
  assert.match(r.stderr, /none, summary, details/);
});

test('without capabilities the agent says what it needs and exits 1', async () => {
  // root, but with an empty capability bounding set: what a locked-down container gives.
  const r = await run('setpriv', ['--bounding-set=-all', '--inh-caps=-all', process.execPath, MAIN]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /\[CT_ERR_NO_CAP_BPF\]/);
  assert.match(r.stderr, /CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN/);
  assert.match(r.stderr, /hint: /);
});

test('a tracepoint the kernel lacks is skipped: logged at debug, named by status and doctor, the rest still captures', async () => {
  // arm64 has no open, send, recv or poll syscalls (and so no tracepoints for them); the programs use none of
  // those, but a kernel lacking one they do use must cost that tracepoint only. This one pretends sendfile's
  // are missing: libbpf is asked to attach them under names no kernel has, and fails as it would there.
  const env = { CLEARTAP_FAKE_ABSENT_TRACEPOINTS: 'syscalls/sys_enter_sendfile64,syscalls/sys_exit_sendfile64' };
  const agent = await AgentProcess.startWith(['--format', 'json', '--level', 'summary', '--log-level', 'debug'], { env });
  let code: number | null = null;
  try {
    for (const tp of ['syscalls/sys_enter_sendfile64', 'syscalls/sys_exit_sendfile64']) {
      assert.match(agent.stderr, new RegExp(`"level":20,[^\n]*"tracepoint":"${tp}"[^\n]*not in this kernel`), agent.stderr.slice(-3000));
    }
    assert.match(agent.stderr, /capturing: [^"]*\(2 tracepoints not in this kernel skipped\)/);
    const { port } = await startPythonHttpServer({ 'a.txt': 'hello\n' });
    const r = await run('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/a.txt`]);
    assert.equal(r.code, 0, r.stderr);
    const [tx] = await agent.expect((t) => onPort(port)(t) && t.direction.startsWith('egress'), 1);
    assert.equal(tx.response?.status, 200);

    await waitForStatus(agent.dataDir);
    const st = await run(process.execPath, [MAIN, 'status', '--json'], { env: { ...process.env, CLEARTAP_RUN_DIR: agent.dataDir } });
    const report = JSON.parse(st.stdout) as StatusReport;
    assert.deepEqual(report.tracepointsSkipped?.map((t) => t.tracepoint), ['syscalls/sys_enter_sendfile64', 'syscalls/sys_exit_sendfile64']);
    assert.match(report.tracepointsSkipped![0].reason, /sendfile64\(\) calls are not seen/);
    const text = await run(process.execPath, [MAIN, 'status'], { env: { ...process.env, CLEARTAP_RUN_DIR: agent.dataDir } });
    assert.match(text.stdout, /tracepoint syscalls\/sys_exit_sendfile64 NOT ATTACHED: not in this kernel/);

    const doctor = await run(process.execPath, [MAIN, 'doctor', '--json'], { env: { ...process.env, ...env } });
    const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ id: string; status: string; summary: string }> }).checks;
    const byId = (id: string) => checks.find((c) => c.id === id);
    assert.equal(byId('tracepoints')?.status, 'warn');
    assert.match(byId('tracepoints')?.summary ?? '', /missing syscalls\/sys_enter_sendfile64, syscalls\/sys_exit_sendfile64/);
    assert.equal(byId('bpf-load')?.status, 'warn', JSON.stringify(byId('bpf-load')));
    assert.match(byId('bpf-load')?.summary ?? '', /skipped, not in this kernel: syscalls\/sys_enter_sendfile64, syscalls\/sys_exit_sendfile64/);
  } finally {
    code = await agent.stop();
    await stopAll();
  }
  assert.equal(code, 0, agent.stderr.slice(-2000));
});

async function waitForStatus(dir: string): Promise<void> {
  for (let i = 0; i < 50 && !existsSync(join(dir, 'status.json')); i++) await new Promise((r) => setTimeout(r, 100));
}
