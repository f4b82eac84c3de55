import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { scanAllProcesses, scanProcess, TlsScanner, wellKnownTargets, type ProcessScan, type TlsTarget } from './index.ts';

const LIBSSL = '/usr/lib/x86_64-linux-gnu/libssl.so.3';
const LIBCRYPTO = '/usr/lib/x86_64-linux-gnu/libcrypto.so.3';
const SYSTEM_NODE = '/usr/bin/node';
const PYTHON = '/usr/bin/python3';
const SSL_IO = ['SSL_read', 'SSL_write', 'SSL_read_ex', 'SSL_write_ex'];

const keyOfFile = (path: string): string => {
  const st = statSync(path);
  return `${st.dev}:${st.ino}`;
};

const missing = (...paths: string[]): string | false => {
  const absent = paths.filter((p) => !existsSync(p));
  return absent.length > 0 ? `not on this machine: ${absent.join(', ')}` : false;
};

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function exeOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

function mapsOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return '';
  }
}

function okScan(r: ProcessScan): Extract<ProcessScan, { ok: true }> {
  if (!r.ok) assert.fail(`scan failed: ${r.error.reason} ${r.error.message}`);
  return r;
}

describe('scanProcess on real processes', { skip: missing(LIBSSL, SYSTEM_NODE, PYTHON) }, () => {
  const children: ChildProcess[] = [];
  let sleepPid = 0;
  let pythonPid = 0;
  let nodePid = 0;

  function start(cmd: string, args: string[]): number {
    const c = spawn(cmd, args, { stdio: 'ignore' });
    children.push(c);
    assert.ok(c.pid !== undefined, `spawned ${cmd}`);
    return c.pid;
  }

  before(async () => {
    sleepPid = start('/usr/bin/sleep', ['30']);
    pythonPid = start(PYTHON, ['-c', 'import ssl,time; time.sleep(30)']);
    nodePid = start(SYSTEM_NODE, ['-e', 'setTimeout(()=>{},30000)']);
    await waitFor('sleep to exec', () => exeOf(sleepPid) === '/usr/bin/sleep');
    // python maps libssl only once `import ssl` has run.
    await waitFor('python to map libssl', () => mapsOf(pythonPid).includes('libssl.so'));
    await waitFor('node to exec', () => exeOf(nodePid) === SYSTEM_NODE);
  });

  after(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGKILL');
          }),
      ),
    );
  });

  test('sleep maps no libssl and exports no OpenSSL: no target, the exe is skipped with a reason', () => {
    const r = okScan(scanProcess(sleepPid));
    assert.equal(r.exe, '/usr/bin/sleep');
    assert.deepEqual(r.targets, []);
    const skip = r.skips.find((s) => s.displayPath === '/usr/bin/sleep');
    assert.ok(skip);
    assert.equal(skip.code, 'no-tls');
    assert.match(skip.reason, /no SSL_read\b/);
  });

  test('python maps libssl.so.3: one libssl target, versioned from the mapped libcrypto', () => {
    const r = okScan(scanProcess(pythonPid));
    assert.equal(r.targets.length, 1);
    const t = r.targets[0] as TlsTarget;
    assert.equal(t.key, keyOfFile(LIBSSL));
    assert.equal(`${t.dev}:${t.ino}`, t.key);
    assert.equal(t.path, LIBSSL);
    assert.equal(t.pathVia, 'host');
    assert.equal(t.kind, 'libssl');
    assert.equal(t.library, 'openssl');
    assert.equal(t.module, 'openssl');
    for (const s of [...SSL_IO, 'SSL_free', 'SSL_do_handshake']) assert.ok(t.symbols.includes(s), s);
    assert.deepEqual(t.symbols.slice(0, 2), ['SSL_read', 'SSL_write']);
    assert.equal(t.symbols.includes('ssl_read_internal'), false, 'not exported by the stripped Debian libssl');
    assert.ok((t.offsets.SSL_read ?? 0) > 0);
    assert.match(t.version ?? '', /^3\.\d+\.\d+$/);
    assert.match(t.versionText ?? '', /^OpenSSL 3\./);
    // The interpreter itself is not a TLS binary.
    assert.ok(r.skips.some((s) => s.code === 'no-tls'));
  });

  test('node has OpenSSL linked in: one static-openssl target on the executable, no libssl', () => {
    const r = okScan(scanProcess(nodePid));
    assert.equal(r.exe, SYSTEM_NODE);
    assert.equal(r.targets.length, 1);
    const t = r.targets[0] as TlsTarget;
    assert.equal(t.key, keyOfFile(SYSTEM_NODE));
    assert.equal(t.kind, 'static-openssl');
    assert.equal(t.library, 'node-openssl');
    assert.equal(t.module, 'node');
    for (const s of [...SSL_IO, 'SSL_free', 'SSL_do_handshake', 'ssl_read_internal', 'ssl_write_internal']) assert.ok(t.symbols.includes(s), s);
    assert.match(t.version ?? '', /^3\.\d+\.\d+$/);
    assert.deepEqual(r.skips, []);
  });

  test('a process that has exited is reported as gone, not thrown', async () => {
    const c = spawn('/usr/bin/true', [], { stdio: 'ignore' });
    const pid = c.pid;
    assert.ok(pid !== undefined);
    await new Promise((resolve) => c.once('exit', resolve));
    const r = scanProcess(pid);
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual([r.error.code, r.error.reason], ['CT_ERR_TLS_SCAN', 'gone']);
  });

  test('scanAllProcesses: deduplicated targets with per-process attribution; excluded pids are not scanned', (t) => {
    const scan = scanAllProcesses({ excludePid: [process.pid, sleepPid] });
    t.diagnostic(`full /proc scan: ${scan.processes} processes in ${scan.durationMs.toFixed(1)} ms (failed: ${JSON.stringify(scan.failed)})`);
    const keys = scan.targets.map((x) => x.key);
    assert.equal(new Set(keys).size, keys.length, 'each file once');
    assert.ok(scan.pidsByTarget.get(keyOfFile(LIBSSL))?.includes(pythonPid));
    assert.ok(scan.pidsByTarget.get(keyOfFile(SYSTEM_NODE))?.includes(nodePid));
    for (const pids of scan.pidsByTarget.values()) {
      assert.equal(pids.includes(process.pid), false);
      assert.equal(pids.includes(sleepPid), false);
    }
    assert.equal(scan.skips.some((s) => s.pids.includes(sleepPid)), false);
    // Without the exclusion our own node is a target too (the agent must filter its own pid in the kernel).
    const withSelf = scanAllProcesses();
    assert.ok(withSelf.pidsByTarget.get(keyOfFile(process.execPath))?.includes(process.pid));
  });
});

describe('wellKnownTargets', () => {
  test('the host libssl once (/lib, /usr/lib and the libssl.so symlink are one inode), node, and our own node', { skip: missing(LIBSSL, SYSTEM_NODE) }, () => {
    const targets = wellKnownTargets();
    const keys = targets.map((t) => t.key);
    assert.equal(new Set(keys).size, keys.length);
    const ssl = targets.find((t) => t.key === keyOfFile(LIBSSL));
    assert.ok(ssl);
    assert.equal(ssl.path, LIBSSL, 'named by the real file, not a symlink or the /lib alias');
    assert.match(ssl.version ?? '', /^3\./);
    const node = targets.find((t) => t.key === keyOfFile(SYSTEM_NODE));
    assert.equal(node?.module, 'node');
    assert.equal(targets.find((t) => t.key === keyOfFile(process.execPath))?.library, 'node-openssl');
  });

  describe('under a foreign root', { skip: missing(LIBSSL, LIBCRYPTO) }, () => {
    let root: string;
    before(() => {
      root = mkdtempSync(join(tmpdir(), 'cleartap-wellknown-'));
      const lib = join(root, 'usr/lib/x86_64-linux-gnu');
      mkdirSync(lib, { recursive: true });
      copyFileSync(LIBSSL, join(lib, 'libssl.so.3'));
      symlinkSync(LIBCRYPTO, join(lib, 'libcrypto.so.3'));
      symlinkSync('libssl.so.3', join(lib, 'libssl.so'));
      writeFileSync(join(lib, 'libssl.so.9'), 'not an ELF file');
      writeFileSync(join(lib, 'libssl3.so'), 'NSS, never looked at');
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    test('finds, deduplicates and versions libssl; bad files become skips', () => {
      const scanner = new TlsScanner();
      const r = scanner.scanWellKnown({ root, libDirs: ['/usr/lib/x86_64-linux-gnu'], executables: ['/usr/bin/node'] });
      assert.equal(r.targets.length, 1);
      const t = r.targets[0] as TlsTarget;
      assert.equal(t.path, join(root, 'usr/lib/x86_64-linux-gnu/libssl.so.3'));
      assert.equal(t.displayPath, '/usr/lib/x86_64-linux-gnu/libssl.so.3');
      assert.equal(t.pathVia, 'proc-root');
      assert.match(t.version ?? '', /^3\./, 'version from the sibling libcrypto');
      assert.deepEqual(
        r.skips.map((s) => [s.displayPath, s.code]),
        [['/usr/lib/x86_64-linux-gnu/libssl.so.9', 'not-elf']],
      );
    });
  });
});

describe('scanProcess on a fake procRoot (containers, deleted libraries)', { skip: missing(LIBSSL, LIBCRYPTO, SYSTEM_NODE) }, () => {
  let dir: string;
  let procRoot: string;
  const LIBDIR = '/usr/lib/x86_64-linux-gnu';

  // Maps lines as the kernel prints them for a container: the container's own paths, overlay dev numbers.
  function mapsFor(exeLine: boolean, sslPath: string, deleted = false): string {
    const del = deleted ? ' (deleted)' : '';
    return [
      exeLine ? '55d1c0000000-55d1c0001000 r-xp 00000000 00:2f 501                        /usr/bin/app' : '',
      `7f0000000000-7f0000001000 r--p 00000000 00:2f 777                        ${sslPath}${del}`,
      `7f0000001000-7f0000002000 r-xp 00001000 00:2f 777                        ${sslPath}${del}`,
      `7f0000100000-7f0000101000 r-xp 00000000 00:2f 778                        ${LIBDIR}/libcrypto.so.3`,
      '7ffd00000000-7ffd00001000 r-xp 00000000 00:00 0                          [vdso]',
      '',
    ].join('\n');
  }

  function addProcess(pid: number, maps: string, exe: string | undefined, rootfs: string): void {
    const p = join(procRoot, String(pid));
    mkdirSync(join(p, 'map_files'), { recursive: true });
    writeFileSync(join(p, 'maps'), maps);
    if (exe !== undefined) symlinkSync(exe, join(p, 'exe'));
    symlinkSync(rootfs, join(p, 'root'));
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cleartap-tlsproc-'));
    procRoot = join(dir, 'proc');
    const rootfs = join(dir, 'rootfs');
    mkdirSync(join(rootfs, LIBDIR.slice(1)), { recursive: true });
    mkdirSync(join(rootfs, 'usr/bin'), { recursive: true });
    copyFileSync(LIBSSL, join(rootfs, LIBDIR.slice(1), 'libssl.so.3'));
    symlinkSync(LIBCRYPTO, join(rootfs, LIBDIR.slice(1), 'libcrypto.so.3'));
    // A renamed node inside the "image": recognised by node's own exported API, not by its name.
    symlinkSync(SYSTEM_NODE, join(rootfs, 'usr/bin/app'));
    mkdirSync(procRoot);
    addProcess(4242, mapsFor(true, `${LIBDIR}/libssl.so.3`), '/usr/bin/app', rootfs);
    addProcess(4343, mapsFor(false, `${LIBDIR}/libssl.so.3`), undefined, rootfs);
    // A process still running an upgraded-away libssl: only /proc/PID/map_files reaches the old inode.
    addProcess(4444, mapsFor(false, `${LIBDIR}/libssl.so.3`, true), undefined, join(dir, 'empty-rootfs'));
    symlinkSync(join(rootfs, LIBDIR.slice(1), 'libssl.so.3'), join(procRoot, '4444/map_files/7f0000000000-7f0000001000'));
    mkdirSync(join(procRoot, '4545')); // exited between readdir and read: no files left
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('container process: paths through /proc/PID/root, keys from maps, node found by its exports', () => {
    const r = okScan(new TlsScanner({ procRoot }).scanProcess(4242));
    assert.equal(r.exe, '/usr/bin/app');
    const ssl = r.targets.find((t) => t.module === 'openssl');
    assert.ok(ssl);
    assert.equal(ssl.path, `${procRoot}/4242/root${LIBDIR}/libssl.so.3`);
    assert.equal(ssl.displayPath, `${LIBDIR}/libssl.so.3`);
    assert.equal(ssl.pathVia, 'proc-root');
    assert.equal(ssl.key, '47:777', 'overlay dev 00:2f and the inode maps reports');
    assert.match(ssl.version ?? '', /^3\./, 'libcrypto resolved through the process mapping');
    const node = r.targets.find((t) => t.module === 'node');
    assert.ok(node);
    assert.equal(node.displayPath, '/usr/bin/app');
    assert.equal(node.key, '47:501');
  });

  test('deleted library: attached through map_files', () => {
    const r = okScan(new TlsScanner({ procRoot }).scanProcess(4444));
    assert.equal(r.targets.length, 1);
    assert.equal(r.targets[0]?.pathVia, 'map-files');
    assert.equal(r.targets[0]?.path, `${procRoot}/4444/map_files/7f0000000000-7f0000001000`);
  });

  test('vanished process and missing pid', () => {
    const s = new TlsScanner({ procRoot });
    const gone = s.scanProcess(4545);
    assert.equal(gone.ok, false);
    if (!gone.ok) assert.equal(gone.error.reason, 'gone');
    assert.equal(s.scanProcess(99999).ok, false);
  });

  test('scanAllProcesses over the fixture: one target per inode, every pid attributed', () => {
    const scan = new TlsScanner({ procRoot }).scanAllProcesses();
    assert.equal(scan.processes, 4);
    assert.deepEqual(scan.failed, { gone: 1, denied: 0, failed: 0 });
    assert.deepEqual(scan.targets.map((t) => t.key).sort(), ['47:501', '47:777']);
    assert.deepEqual(scan.pidsByTarget.get('47:777'), [4242, 4343, 4444]);
    assert.deepEqual(scan.pidsByTarget.get('47:501'), [4242]);
  });
});
