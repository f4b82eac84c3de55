import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync, realpathSync, utimesSync } from 'node:fs';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { containerFromCgroup } from './cgroup-container.ts';
import { createFakeProc, type FakeProc } from './fake-proc-fixture.ts';
import { parsePasswd, PasswdUserNames } from './passwd-users.ts';
import { readProcessContext } from './process-context.ts';
import { parseCmdline, parseStatStartTime, parseStatus, readProcText, stripDeleted } from './proc-files.ts';

const ID = '3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f';

async function waitForExe(pid: number, exe: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    try {
      if (readlinkSync(`/proc/${pid}/exe`) === exe) return;
    } catch {
      // not exec'd yet
    }
    await sleep(10);
  }
  throw new Error(`pid ${pid} never became ${exe}`);
}

describe('proc file parsers', () => {
  test('cmdline splits on NUL and drops the terminator', () => {
    assert.deepEqual(parseCmdline(Buffer.from('sleep\x0030\x00')), ['sleep', '30']);
    assert.deepEqual(parseCmdline(Buffer.from('')), []);
    assert.deepEqual(parseCmdline(Buffer.from('a\x00\x00b\x00')), ['a', '', 'b']);
    // setproctitle-style rewritten argv has no NULs at all
    assert.deepEqual(parseCmdline(Buffer.from('nginx: worker process')), ['nginx: worker process']);
  });

  test('status gives real uid, ppid and name; junk gives nothing', () => {
    assert.deepEqual(parseStatus('Name:\tcurl\nPPid:\t42\nUid:\t1000\t0\t0\t0\n'), {
      name: 'curl',
      ppid: 42,
      uid: 1000,
    });
    assert.deepEqual(parseStatus('garbage\nUid:\tx\n'), {});
  });

  test('stat start time survives a comm with spaces and parentheses', () => {
    const rest = ['S', '1', ...Array<string>(17).fill('0'), '98765', '0'].join(' ');
    assert.equal(parseStatStartTime(`77 (a) b) c) ${rest}`), 98765);
    assert.equal(parseStatStartTime('nonsense'), undefined);
    assert.equal(parseStatStartTime('1 (x) S'), undefined);
  });

  test('" (deleted)" is stripped from exe links', () => {
    assert.equal(stripDeleted('/usr/bin/node (deleted)'), '/usr/bin/node');
    assert.equal(stripDeleted('/usr/bin/node'), '/usr/bin/node');
  });

  test('a vanished /proc entry is "gone", not an exception', () => {
    const r = readProcText('/proc/999999999/status');
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.failure, 'gone');
  });
});

describe('passwd user names', () => {
  let fake: FakeProc;
  before(() => {
    fake = createFakeProc();
  });
  after(() => fake.cleanup());

  test('parse: first entry for a uid wins; comments and junk lines are skipped', () => {
    const names = parsePasswd('# c\nroot:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\nbad\nx:y:notanumber\n:x:5\n');
    assert.deepEqual([...names], [[0, 'root']]);
  });

  test('unknown uid is its number as text; a changed file is re-read, an unchanged one is not', () => {
    const users = new PasswdUserNames(fake.passwdPath);
    assert.equal(users.nameOf(33), 'www-data');
    assert.equal(users.nameOf(1000), '1000');
    assert.equal(users.loads, 1);
    assert.equal(users.nameOf(0), 'root');
    assert.equal(users.loads, 1);
    fake.writePasswd('root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(fake.passwdPath, later, later);
    assert.equal(users.nameOf(1000), 'alice');
    assert.equal(users.loads, 2);
  });

  test('a missing passwd file gives numeric names', () => {
    const users = new PasswdUserNames(`${fake.root}/does-not-exist`);
    assert.equal(users.nameOf(0), '0');
  });
});

describe('readProcessContext on the real /proc', () => {
  let child: ChildProcess | undefined;
  after(() => {
    child?.kill('SIGKILL');
  });

  test('this test process', () => {
    const ctx = readProcessContext(process.pid);
    assert.ok(ctx);
    assert.equal(ctx.pid, process.pid);
    assert.equal(ctx.exe, realpathSync(process.execPath));
    assert.ok(ctx.cmdline.length >= 1);
    assert.equal(ctx.uid, process.getuid?.());
    assert.equal(ctx.user, userInfo().username);
    assert.equal(ctx.ppid, process.ppid);
    const expected = containerFromCgroup(readFileSync(`/proc/${process.pid}/cgroup`, 'utf8'));
    assert.equal(ctx.cgroupPath, expected.cgroupPath);
    assert.equal(ctx.containerId, expected.containerId);
  });

  test('a spawned sleep, then the same pid after it exits', async () => {
    const c = spawn('/usr/bin/sleep', ['30'], { stdio: 'ignore' });
    child = c;
    const pid = c.pid;
    assert.ok(pid !== undefined);
    await waitForExe(pid, '/usr/bin/sleep');
    const ctx = readProcessContext(pid);
    assert.ok(ctx);
    assert.equal(ctx.exe, '/usr/bin/sleep');
    assert.deepEqual(ctx.cmdline, ['/usr/bin/sleep', '30']);
    assert.equal(ctx.ppid, process.pid);
    assert.equal(ctx.uid, process.getuid?.());
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
    // Reaped: the /proc entry is gone, which is a normal answer, not an error.
    assert.equal(readProcessContext(pid), undefined);
  });

  test('pids that cannot exist', () => {
    assert.equal(readProcessContext(0), undefined);
    assert.equal(readProcessContext(-5), undefined);
    assert.equal(readProcessContext(Number.NaN), undefined);
    assert.equal(readProcessContext(2 ** 30), undefined);
  });
});

describe('readProcessContext on a fake procRoot', () => {
  let fake: FakeProc;
  let users: PasswdUserNames;
  before(() => {
    fake = createFakeProc();
    users = new PasswdUserNames(fake.passwdPath);
  });
  after(() => fake.cleanup());

  test('a containerised process with a replaced binary', () => {
    fake.add({
      pid: 4242,
      exe: '/usr/sbin/nginx (deleted)',
      argv: ['nginx: worker process'],
      uid: 33,
      ppid: 4200,
      cgroup: `0::/system.slice/docker-${ID}.scope\n`,
    });
    assert.deepEqual(readProcessContext(4242, fake.procRoot, { users }), {
      pid: 4242,
      exe: '/usr/sbin/nginx',
      cmdline: ['nginx: worker process'],
      uid: 33,
      user: 'www-data',
      cgroupPath: `/system.slice/docker-${ID}.scope`,
      containerId: ID,
      ppid: 4200,
    });
  });

  test('a kernel thread: no exe link, empty cmdline, still a context', () => {
    fake.add({ pid: 2, name: 'kthreadd', ppid: 0 });
    const ctx = readProcessContext(2, fake.procRoot, { users });
    assert.ok(ctx);
    assert.equal(ctx.exe, '');
    assert.deepEqual(ctx.cmdline, []);
    assert.equal(ctx.user, 'root');
    assert.equal(ctx.cgroupPath, '');
  });

  test('a kubernetes pod member carries the pod uid', () => {
    const pod = '4a7c1e0f-2b3d-4c5e-8f90-a1b2c3d4e5f6';
    fake.add({ pid: 77, exe: '/app/server', argv: ['/app/server'], uid: 1000, cgroup: `11:memory:/kubepods/burstable/pod${pod}/${ID}\n` });
    const ctx = readProcessContext(77, fake.procRoot, { users });
    assert.equal(ctx?.podUid, pod);
    assert.equal(ctx?.containerId, ID);
    assert.equal(ctx?.user, '1000');
  });

  test('a pid directory without files behaves as exited', () => {
    fake.add({ pid: 88 });
    fake.remove(88);
    assert.equal(readProcessContext(88, fake.procRoot, { users }), undefined);
  });
});
