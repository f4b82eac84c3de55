// The arm64 release, cross-built on this x86_64 host (scripts/package.sh --arch arm64, which installs the
// cross toolchain, arm64 libraries, qemu-user and the arm64 Node runtime when missing) and checked as far as
// an x86_64 machine can: every binary in it is AArch64, the BPF object reads arm64's registers, the
// installer refuses it here, and under qemu-user the arm64 Node runs cleartap and loads both arm64 addons
// with the libbpf and libelf the tarball carries. Loading the BPF programs needs an arm64 kernel: not here.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, openSync, readSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../helpers/children.ts';
import { ensureDist, REPO } from './ship-support.ts';

const EM_AARCH64 = 183;
const EM_BPF = 247;
const QEMU = 'qemu-aarch64-static';
const canCross = process.arch === 'x64' && process.getuid?.() === 0;

/** The ELF e_machine of a file (little-endian ELF64), or -1 when it is not ELF. */
function elfMachine(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(20);
    readSync(fd, head, 0, 20, 0);
    return head.readUInt32BE(0) === 0x7f454c46 ? head.readUInt16LE(18) : -1;
  } finally {
    closeSync(fd);
  }
}

describe('arm64 release, cross-built', { skip: canCross ? false : 'cross-building needs an x86_64 host and root (apt)' }, () => {
  let out = '';
  let rel = '';
  let release = '';
  const arm64 = (args: string[], timeoutMs = 120_000) =>
    run(QEMU, [join(rel, 'node/bin/node'), ...args], { env: { ...process.env, LD_LIBRARY_PATH: join(rel, 'app/lib') }, timeoutMs });

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'cleartap-arm64-'));
    // The x64 tarball's checksum is there first: the arm64 build adds its line beside it.
    const x64 = await ensureDist();
    copyFileSync(x64.sums, join(out, 'SHA256SUMS'));
    const built = await run(join(REPO, 'scripts/package.sh'), ['--arch', 'arm64', '--out', out], { cwd: REPO, timeoutMs: 900_000 });
    assert.equal(built.code, 0, built.stderr);
    const tarball = built.stdout.trim().split('\n').pop()!;
    release = tarball.slice(out.length + 1, -'.tar.gz'.length);
    assert.match(release, /^cleartap-\d+\.\d+\.\d+-linux-arm64$/);
    const x = await run('tar', ['-xzf', tarball, '-C', out], { timeoutMs: 120_000 });
    assert.equal(x.code, 0, x.stderr);
    rel = join(out, release);
  });
  after(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('SHA256SUMS covers both tarballs; every file inside matches the tarball\'s own SHA256SUMS', async () => {
    const sums = readFileSync(join(out, 'SHA256SUMS'), 'utf8');
    assert.match(sums, /^[0-9a-f]{64} {2}cleartap-\S+-linux-x64\.tar\.gz$/m);
    assert.match(sums, new RegExp(`^[0-9a-f]{64}  ${release}\\.tar\\.gz$`, 'm'));
    const check = await run('sha256sum', ['--quiet', '-c', 'SHA256SUMS'], { cwd: rel, timeoutMs: 60_000 });
    assert.equal(check.code, 0, check.stdout + check.stderr);
  });

  it('the runtime, both addons and the libraries they bring are AArch64; the BPF object reads arm64 registers', async () => {
    for (const f of ['node/bin/node', 'app/build/cleartap.node', 'app/build/cleartap_packet.node', 'app/lib/libbpf.so.1', 'app/lib/libelf.so.1']) {
      assert.equal(elfMachine(join(rel, f)), EM_AARCH64, f);
    }
    const bpf = join(rel, 'app/build/cleartap.bpf.o');
    assert.equal(elfMachine(bpf), EM_BPF);
    // SSL_read's entry takes (ssl, buf): x0 and x1 are regs[0] and regs[1] at offsets 0 and 8 of
    // user_pt_regs (x86_64's rdi and rsi are at 112 and 104 of pt_regs).
    const dis = await run('llvm-objdump', ['-d', '--no-show-raw-insn', bpf], { timeoutMs: 60_000 });
    assert.equal(dis.code, 0, dis.stderr);
    const body = dis.stdout.slice(dis.stdout.indexOf('<ct_uprobe_ssl_read>:'));
    const loads = [...body.slice(0, 400).matchAll(/= \*\(u64 \*\)\(r6 \+ (\d+)\)/g)].map((m) => Number(m[1]));
    assert.deepEqual(loads.sort((a, b) => a - b), [0, 8]);
  });

  it('this x86_64 host\'s installer refuses it, naming both architectures', async () => {
    const r = await run('sh', [join(out, 'install.sh'), '--root', join(out, 'root'), join(out, `${release}.tar.gz`)], { timeoutMs: 60_000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is for arm64, this machine is x64/);
  });

  it('under qemu-user, the arm64 Node runs cleartap --version and --help', async () => {
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const v = await arm64([join(rel, 'app/src/cli/main.ts'), '--version']);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.stdout.trim(), version);
    const h = await arm64([join(rel, 'app/src/cli/main.ts'), '--help']);
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /Usage: cleartap/);
  });

  it('under qemu-user, the app loads both arm64 addons through its own loaders, with the bundled libraries', async () => {
    const probe = join(out, 'load-addons.mjs');
    writeFileSync(
      probe,
      `import { loadAddon } from ${JSON.stringify(join(rel, 'app/src/capture/native.ts'))};
import { createRequire } from 'node:module';
const addon = loadAddon();
const packet = createRequire(import.meta.url)(${JSON.stringify(join(rel, 'app/build/cleartap_packet.node'))});
const libs = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8').split('\\n').filter((l) => /lib(bpf|elf)\\.so/.test(l)).map((l) => l.split(/\\s+/).pop());
console.log(JSON.stringify({ arch: process.arch, clock: addon.monotonicNs() > 0, packet: typeof packet.open, libs: [...new Set(libs)] }));
`,
    );
    const r = await arm64([probe]);
    assert.equal(r.code, 0, r.stderr);
    const seen = JSON.parse(r.stdout.trim()) as { arch: string; clock: boolean; packet: string; libs: string[] };
    assert.equal(seen.arch, 'arm64');
    assert.equal(seen.clock, true);
    assert.equal(seen.packet, 'function');
    assert.deepEqual(seen.libs.sort(), [join(rel, 'app/lib/libbpf.so.1'), join(rel, 'app/lib/libelf.so.1')]);
  });
});
