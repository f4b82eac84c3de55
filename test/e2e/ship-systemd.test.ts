// cleartap.service started for real: this machine's PID 1 is not systemd, so the test boots systemd as PID 1
// of a podman container (debootstrap base + Debian's systemd), installs the release tarball there with
// install.sh (unit included), and checks what a user of the service sees: it starts and captures into the
// journal, reloads on `systemctl reload`, restarts after a crash, and stops cleanly.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../helpers/children.ts';
import { ensureBaseImage, podmanEnv, podmanSkipReason, runContainer, stopAllContainers, type RunningContainer } from '../helpers/container-image.ts';
import { ensureDist } from './ship-support.ts';

const skip = await podmanSkipReason();
const PORT = 18_990;

const CONFIG = `version: 2
services:
  event_stores:
    - type: disabled
  object_stores:
    - type: stdout
stacks:
  default:
    plugins:
      - type: http_capture
        config:
          level: summary
          format: json
tap:
  direction: all
  ignore_loopback: false
  http:
    stack: default
`;

async function exec(c: RunningContainer, args: string[], timeoutMs = 60_000) {
  return run('podman', ['exec', c.id, ...args], { env: podmanEnv(), timeoutMs });
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('cleartap.service under systemd', { skip }, () => {
  let c: RunningContainer;
  let version = '';
  const journal = async () => (await exec(c, ['journalctl', '-u', 'cleartap', '--no-pager', '-o', 'cat'])).stdout;
  const show = async (...props: string[]) =>
    Object.fromEntries((await exec(c, ['systemctl', 'show', 'cleartap', ...props.map((p) => `--property=${p}`)])).stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

  before(async () => {
    const [d, base] = await Promise.all([ensureDist(), ensureBaseImage()]);
    version = d.release.split('-')[1];
    const ctx = mkdtempSync(join(tmpdir(), 'cleartap-systemd-'));
    try {
      for (const f of [d.tarball, d.sums, d.installer]) copyFileSync(f, join(ctx, basename(f)));
      writeFileSync(join(ctx, 'config.yaml'), CONFIG);
      writeFileSync(
        join(ctx, 'Containerfile'),
        `FROM ${base}
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd systemd-sysv >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY SHA256SUMS install.sh ${basename(d.tarball)} /tmp/ct/
RUN sh /tmp/ct/install.sh /tmp/ct/${basename(d.tarball)} && rm -rf /tmp/ct && systemctl enable cleartap
COPY config.yaml /etc/cleartap/config.yaml
CMD ["/sbin/init"]
`,
      );
      const b = await run('podman', ['build', '-t', 'localhost/cleartap-test-systemd:latest', ctx], { env: podmanEnv(), timeoutMs: 600_000 });
      assert.equal(b.code, 0, b.stderr.slice(-4000));
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
    c = await runContainer(['--systemd=always', '--privileged', 'localhost/cleartap-test-systemd:latest']);
    await until('systemd to start cleartap.service', async () => (await exec(c, ['systemctl', 'is-active', 'cleartap'])).stdout.trim() === 'active' && /capturing/.test(await journal()));
  });

  after(() => stopAllContainers());

  it('is enabled, active, and runs with the unit\'s hardening and bounded capabilities', async () => {
    assert.equal((await exec(c, ['systemctl', 'is-enabled', 'cleartap'])).stdout.trim(), 'enabled');
    const p = await show('ActiveState', 'CapabilityBoundingSet', 'AmbientCapabilities', 'NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'LimitMEMLOCK', 'Restart', 'UMask');
    assert.equal(p.ActiveState, 'active');
    assert.deepEqual(p.CapabilityBoundingSet.split(' ').sort(), ['cap_bpf', 'cap_dac_read_search', 'cap_net_raw', 'cap_perfmon', 'cap_sys_admin', 'cap_sys_ptrace', 'cap_sys_resource']);
    assert.equal(p.NoNewPrivileges, 'yes');
    assert.equal(p.ProtectSystem, 'strict');
    assert.equal(p.ProtectHome, 'read-only');
    assert.equal(p.PrivateTmp, 'yes');
    assert.equal(p.LimitMEMLOCK, 'infinity');
    assert.equal(p.Restart, 'on-failure');
    assert.equal(p.UMask, '0077');
    const v = await exec(c, ['cleartap', '--version']);
    assert.equal(v.stdout.trim(), version);
    // The agent publishes its status under its RuntimeDirectory, the one writable place in /run.
    await until('/run/cleartap/status.json', async () => (await exec(c, ['test', '-s', '/run/cleartap/status.json'])).code === 0, 20_000);
    const st = await exec(c, ['cleartap', 'status']);
    assert.equal(st.code, 0, st.stderr);
    const cgroup = (await exec(c, ['sh', '-c', 'cat /proc/$(systemctl show -p MainPID --value cleartap)/status'])).stdout;
    assert.match(cgroup, /^NoNewPrivs:\s+1$/m);
  });

  it('captures a request made inside the machine into the journal', async () => {
    const node = '/opt/cleartap/current/node/bin/node';
    const srv = await run('podman', ['exec', '-d', c.id, node, '-e', `require('http').createServer((q, s) => s.end('ok')).listen(${PORT}, '127.0.0.1')`], { env: podmanEnv() });
    assert.equal(srv.code, 0, srv.stderr);
    await until('the server in the container', async () => (await exec(c, ['curl', '-s', `http://127.0.0.1:${PORT}/ready`])).stdout === 'ok', 20_000);
    const path = `/systemd-probe-${Date.now()}`;
    assert.equal((await exec(c, ['curl', '-s', `http://127.0.0.1:${PORT}${path}`])).stdout, 'ok');
    await until('the transaction in journalctl -u cleartap', async () => (await journal()).includes(path), 20_000);
    const line = (await journal()).split('\n').find((l) => l.includes(path) && l.includes('/usr/bin/curl'));
    assert.ok(line, 'the curl side of the transaction');
    const tx = JSON.parse(line) as { request: { method: string }; response: { status: number } };
    assert.equal(tx.request.method, 'GET');
    assert.equal(tx.response.status, 200);
  });

  it('systemctl reload makes it reload its config', async () => {
    const r = await exec(c, ['systemctl', 'reload', 'cleartap']);
    assert.equal(r.code, 0, r.stderr);
    await until('"config reloaded" in the journal', async () => /config reloaded/.test(await journal()), 20_000);
  });

  it('a crash is restarted (Restart=on-failure); stop drains and exits 0', async () => {
    const first = (await show('MainPID')).MainPID;
    assert.equal((await exec(c, ['systemctl', 'kill', '--signal=SIGKILL', 'cleartap'])).code, 0);
    await until('the restart', async () => {
      const p = await show('ActiveState', 'MainPID', 'NRestarts');
      return p.ActiveState === 'active' && p.MainPID !== first && p.MainPID !== '0' && Number(p.NRestarts) >= 1;
    }, 60_000);
    // Stopped once it is capturing again (before that, SIGTERM finds no handler yet and simply ends it).
    await until('the restarted agent to capture', async () => ((await journal()).match(/capturing/g) ?? []).length >= 2, 30_000);
    const stop = await exec(c, ['systemctl', 'stop', 'cleartap']);
    assert.equal(stop.code, 0, stop.stderr);
    const p = await show('ActiveState', 'Result', 'ExecMainStatus');
    assert.deepEqual(p, { ActiveState: 'inactive', Result: 'success', ExecMainStatus: '0' });
  });
});
