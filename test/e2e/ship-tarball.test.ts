// The release tarball, installed the way a user would: install.sh checks the checksum, installs into a clean
// root, and the installed cleartap runs (--version, and doctor on this host, which loads the BPF programs for
// real). Then the installed systemd unit passes `systemd-analyze verify`.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DoctorReport } from '../../src/cli/doctor.ts';
import { run } from '../helpers/children.ts';
import { haveCommand } from '../helpers/tshark.ts';
import { ensureDist, type Dist } from './ship-support.ts';

const isRoot = process.getuid?.() === 0;
const haveAnalyze = await haveCommand('systemd-analyze');

describe('release tarball + install.sh', () => {
  let d: Dist;
  let root = '';
  const cleartap = () => join(root, 'opt/cleartap/bin/cleartap');

  before(async () => {
    d = await ensureDist();
    root = mkdtempSync(join(tmpdir(), 'cleartap-install-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('dist/ has the tarball, its checksum and the installer; the tarball holds Node 24, the app and the prebuilt objects', async () => {
    const sums = readFileSync(d.sums, 'utf8');
    assert.match(sums, new RegExp(`^[0-9a-f]{64}  ${d.release}\\.tar\\.gz$`, 'm'));
    const list = await run('tar', ['-tzf', d.tarball], { timeoutMs: 60_000 });
    assert.equal(list.code, 0, list.stderr);
    const names = new Set(list.stdout.split('\n'));
    for (const f of ['bin/cleartap', 'node/bin/node', 'app/src/cli/main.ts', 'app/bin/cleartap.js', 'app/build/cleartap.node', 'app/build/cleartap_packet.node', 'app/build/cleartap.bpf.o', 'app/lib/libbpf.so.1', 'app/lib/libelf.so.1', 'app/node_modules/commander/package.json', 'etc/cleartap.service', 'etc/config.yaml', 'install.sh', 'SHA256SUMS', 'VERSION']) {
      assert.ok(names.has(`${d.release}/${f}`), `${f} in the tarball`);
    }
    const leaked = [...names].filter((n) => /^[^/]+\/app\/src\/.*\.test\.ts$|\/app\/node_modules\/(typescript|@types|kubernetes-models|s3rver)\//.test(n));
    assert.deepEqual(leaked, [], 'no tests, no dev dependencies');
  });

  it('refuses a tarball whose checksum does not match, and one without any checksum', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'cleartap-bad-'));
    try {
      const copy = join(bad, `${d.release}.tar.gz`);
      copyFileSync(d.tarball, copy);
      writeFileSync(join(bad, 'SHA256SUMS'), `${'0'.repeat(64)}  ${d.release}.tar.gz\n`);
      const r = await run('sh', [d.installer, '--root', join(bad, 'root'), copy]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /checksum mismatch/);
      assert.equal(existsSync(join(bad, 'root/opt/cleartap/current')), false, 'nothing installed');
      rmSync(join(bad, 'SHA256SUMS'));
      const none = await run('sh', [d.installer, '--root', join(bad, 'root'), copy]);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /no checksum/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('installs into a clean root: release, current link, bin links, config and env examples, unit', async () => {
    const r = await run('sh', [d.installer, '--root', root, d.tarball], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /checksum ok/);
    assert.equal(readlinkSync(join(root, 'opt/cleartap/current')), `releases/${d.release}`);
    assert.equal(readlinkSync(join(root, 'usr/local/bin/cleartap')), '/opt/cleartap/bin/cleartap');
    assert.equal(statSync(join(root, 'etc/cleartap/cleartap.env')).mode & 0o777, 0o600);
    assert.ok(existsSync(join(root, 'etc/cleartap/config.yaml')));
    const unit = readFileSync(join(root, 'etc/systemd/system/cleartap.service'), 'utf8');
    assert.match(unit, /^ExecStart=\/opt\/cleartap\/bin\/cleartap \$CLEARTAP_ARGS$/m);
  });

  it('the installed cleartap runs on its own Node: --version and config validate', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    // A PATH without any node: the wrapper must use the bundled runtime.
    const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: root };
    const v = await run(cleartap(), ['--version'], { env, timeoutMs: 30_000 });
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), pkg.version);
    const c = await run(cleartap(), ['config', 'validate', join(root, 'etc/cleartap/config.yaml')], { env, timeoutMs: 30_000 });
    assert.equal(c.code, 0, c.stderr);
  });

  it('doctor on this host: every check passes, the BPF programs load and uprobes attach', { skip: !isRoot && 'needs root' }, async () => {
    const r = await run(cleartap(), ['doctor', '--json'], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', CLEARTAP_DATA_DIR: join(root, 'data') }, timeoutMs: 60_000 });
    const report = JSON.parse(r.stdout) as DoctorReport;
    const failed = report.checks.filter((c) => c.status === 'fail');
    assert.deepEqual(failed, []);
    assert.equal(r.code, 0, r.stderr);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    assert.equal(byId['bpf-load'].status, 'ok', byId['bpf-load'].summary);
    assert.match(byId['bpf-load'].summary, /uprobes on .*libssl\.so\.3: \d+ attached/);
    assert.match(byId.addon.summary, new RegExp(`releases/${d.release}/app/build/cleartap.node`));
    assert.match(byId['tls-libraries'].summary, /openssl 3\./);
    // The host's config (none here: the built-in default) and the tarball's own Node.
    assert.match(byId.node.summary, /^Node\.js 24\./);
  });

  it('installing again changes nothing; a damaged release is replaced', async () => {
    const marker = join(root, 'opt/cleartap/releases', d.release, 'VERSION');
    const before = statSync(marker).mtimeMs;
    writeFileSync(join(root, 'etc/cleartap/config.yaml'), 'version: 2\n# mine\n');
    const again = await run('sh', [d.installer, '--root', root, d.tarball], { timeoutMs: 120_000 });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already installed and intact/);
    assert.equal(statSync(marker).mtimeMs, before);
    assert.equal(readFileSync(join(root, 'etc/cleartap/config.yaml'), 'utf8'), 'version: 2\n# mine\n', 'the user\'s config is kept');
    writeFileSync(join(root, 'opt/cleartap/releases', d.release, 'app/src/cli/main.ts'), 'tampered');
    const repair = await run('sh', [d.installer, '--root', root, d.tarball], { timeoutMs: 120_000 });
    assert.equal(repair.code, 0, repair.stderr);
    assert.match(repair.stderr, /installed /);
    assert.notEqual(readFileSync(join(root, 'opt/cleartap/releases', d.release, 'app/src/cli/main.ts'), 'utf8'), 'tampered');
    assert.ok(lstatSync(join(root, 'opt/cleartap/current')).isSymbolicLink());
  });

  it('the installed unit passes systemd-analyze verify and its security review', { skip: !haveAnalyze && 'systemd-analyze is missing' }, async () => {
    // verify resolves ExecStart on this machine: point the unit at the release installed under the temp root.
    const unit = join(root, 'cleartap.service');
    const text = readFileSync(join(root, 'etc/systemd/system/cleartap.service'), 'utf8').replaceAll('/opt/cleartap/', `${root}/opt/cleartap/`);
    writeFileSync(unit, text);
    const v = await run('systemd-analyze', ['verify', unit], { timeoutMs: 30_000 });
    assert.equal(v.code, 0, `${v.stdout}${v.stderr}`);
    assert.equal(v.stderr.trim(), '', 'no warnings');
    const s = await run('systemd-analyze', ['security', '--offline=true', unit], { timeoutMs: 30_000 });
    const exposure = /Overall exposure level for cleartap\.service: ([\d.]+)/.exec(s.stdout);
    assert.ok(exposure, s.stdout + s.stderr);
    // An agent that loads BPF and reads every process cannot reach "OK"; this is what the hardening buys.
    assert.ok(Number(exposure[1]) <= 5.0, `exposure ${exposure[1]}`);
  });
});
