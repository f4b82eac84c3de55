import { after, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFakeProc, type FakeProc } from './fake-proc-fixture.ts';
import { PasswdUserNames } from './passwd-users.ts';
import { ProcessTable, type ProcessTableOptions } from './process-table.ts';

const ID = '3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f';
const DOCKER = `0::/system.slice/docker-${ID}.scope\n`;

describe('ProcessTable on a fake procRoot', () => {
  let fake: FakeProc;
  let users: PasswdUserNames;
  const table = (opts: ProcessTableOptions = {}): ProcessTable =>
    new ProcessTable({ procRoot: fake.procRoot, users, ...opts });

  beforeEach(() => {
    fake?.cleanup();
    fake = createFakeProc();
    users = new PasswdUserNames(fake.passwdPath);
  });
  after(() => fake.cleanup());

  test('get reads /proc once, then serves from the cache', () => {
    fake.add({ pid: 10, exe: '/usr/bin/curl', argv: ['curl', 'https://x'], uid: 33, cgroup: DOCKER });
    const t = table();
    const first = t.get(10);
    assert.equal(first?.exe, '/usr/bin/curl');
    assert.equal(first?.user, 'www-data');
    assert.equal(first?.containerId, ID);
    fake.remove(10);
    assert.equal(t.get(10), first);
    assert.equal(t.counters.procReads, 1);
    assert.equal(t.counters.hits, 1);
    assert.equal(t.counters.misses, 1);
  });

  test('a pid absent from /proc is remembered as absent until the next sweep', () => {
    const t = table();
    assert.equal(t.get(11), undefined);
    fake.add({ pid: 11, exe: '/usr/bin/python3', argv: ['python3'] });
    // A forked child without exec gets no event; the absence mark must not outlive a sweep.
    assert.equal(t.get(11), undefined);
    assert.equal(t.counters.procReads, 1);
    t.sweep(1000);
    assert.equal(t.get(11)?.exe, '/usr/bin/python3');
    assert.equal(t.counters.vanished, 1);
  });

  test('exec seeds from the kernel when /proc is already gone', () => {
    const t = table();
    t.noteExec(12, { exe: '/usr/bin/curl', argv: ['curl', '-s'], uid: 33, ppid: 1 }, 0);
    assert.deepEqual(t.get(12), {
      pid: 12,
      exe: '/usr/bin/curl',
      cmdline: ['curl', '-s'],
      uid: 33,
      user: 'www-data',
      cgroupPath: '',
      ppid: 1,
    });
  });

  test('exec of a process gone before /proc was read: its cgroup and container come from its parent', () => {
    fake.add({ pid: 40, exe: '/bin/sh', argv: ['sh', '-c', 'curl …; sleep 30'], uid: 0, cgroup: DOCKER });
    const t = table();
    t.noteExec(41, { exe: '/usr/bin/curl', argv: ['curl', '-s'], uid: 0, ppid: 40 }, 0);
    const ctx = t.get(41);
    assert.equal(ctx?.exe, '/usr/bin/curl');
    assert.equal(ctx?.containerId, ID);
    assert.equal(ctx?.cgroupPath, `/system.slice/docker-${ID}.scope`);
  });

  test('exec: kernel values win, /proc resolves the exe and fills cgroup, container and what the kernel lacks', () => {
    fake.add({ pid: 13, exe: '/usr/local/bin/tool', argv: ['tool', 'a', 'b', 'c'], uid: 0, ppid: 9, cgroup: DOCKER });
    const t = table();
    t.noteExec(13, { exe: '/usr/bin/tool-from-kernel', argv: ['tool', 'a'], argvTruncated: true, uid: 33 }, 0);
    const ctx = t.get(13);
    assert.equal(ctx?.exe, '/usr/local/bin/tool', 'the resolved /proc/PID/exe, not the path given to execve');
    assert.deepEqual(ctx?.cmdline, ['tool', 'a', 'b', 'c'], 'a truncated kernel argv is replaced by /proc');
    assert.equal(ctx?.uid, 33);
    assert.equal(ctx?.user, 'www-data');
    assert.equal(ctx?.ppid, 9);
    assert.equal(ctx?.containerId, ID);
    // So is a relative path from execve("./tool").
    t.noteExec(13, { exe: './tool' }, 1);
    assert.equal(t.get(13)?.exe, '/usr/local/bin/tool');
    assert.deepEqual(t.get(13)?.cmdline, ['tool', 'a', 'b', 'c']);
  });

  test('a reused pid does not inherit the old context: exec resets it', () => {
    fake.add({ pid: 14, exe: '/usr/sbin/nginx', argv: ['nginx'], uid: 33, cgroup: DOCKER });
    const t = table();
    assert.equal(t.get(14)?.containerId, ID);
    t.noteExit(14, 100);
    fake.remove(14);
    fake.add({ pid: 14, exe: '/usr/bin/sleep', argv: ['sleep', '1'], uid: 0 });
    t.noteExec(14, { exe: '/usr/bin/sleep', argv: ['sleep', '1'] }, 200);
    const ctx = t.get(14);
    assert.equal(ctx?.exe, '/usr/bin/sleep');
    assert.equal(ctx?.containerId, undefined);
    assert.equal(ctx?.cgroupPath, '');
    assert.equal(ctx?.user, 'root');
    assert.equal(t.hasExited(14), false);
    // The new process's entry must not expire on the old process's exit time.
    t.sweep(100 + 60_000);
    assert.equal(t.peek(14)?.exe, '/usr/bin/sleep');
  });

  test('exit keeps the context for the grace period, then sweep expires it', () => {
    fake.add({ pid: 15, exe: '/usr/bin/curl', argv: ['curl'], cgroup: DOCKER });
    const t = table({ exitGraceMs: 30_000 });
    assert.ok(t.get(15));
    t.noteExit(15, 1_000);
    fake.remove(15);
    assert.equal(t.sweep(30_999).expired, 0);
    assert.equal(t.get(15)?.containerId, ID, 'late transactions still get context');
    assert.equal(t.sweep(31_000).expired, 1);
    assert.equal(t.peek(15), undefined);
    assert.equal(t.get(15), undefined);
    assert.equal(t.counters.expired, 1);
  });

  test('exit of a process never looked up reads what the zombie still has', () => {
    fake.add({ pid: 16, argv: [], uid: 33, cgroup: DOCKER });
    const t = table();
    t.noteExit(16, 5);
    assert.equal(t.peek(16)?.containerId, ID);
    assert.equal(t.hasExited(16), true);
    t.noteExit(17, 5);
    assert.equal(t.peek(17), undefined);
  });

  test('size is bounded: least recently used entries are evicted and counted', () => {
    const t = table({ maxEntries: 3 });
    for (const pid of [21, 22, 23]) t.noteExec(pid, { exe: `/bin/p${pid}` }, 0);
    assert.ok(t.get(21));
    t.noteExec(24, { exe: '/bin/p24' }, 0);
    t.noteExec(25, { exe: '/bin/p25' }, 0);
    assert.equal(t.size, 3);
    assert.equal(t.counters.evictions, 2);
    assert.deepEqual([21, 22, 23, 24, 25].map((p) => t.peek(p) !== undefined), [true, false, false, true, true]);
  });

  test('readOnExec=false defers /proc to the first get', () => {
    fake.add({ pid: 30, exe: '/usr/bin/node', argv: ['node'], cgroup: DOCKER });
    const t = table({ readOnExec: false });
    t.noteExec(30, { exe: '/usr/bin/node', argv: ['node'], uid: 0 }, 0);
    assert.equal(t.counters.procReads, 0);
    assert.equal(t.peek(30)?.user, 'root');
    assert.equal(t.get(30)?.containerId, ID);
    assert.equal(t.counters.procReads, 1);
  });

  test('sweep re-checks old live entries: a missed exit starts the grace period, a changed start time drops', () => {
    fake.add({ pid: 40, exe: '/a', startTime: 100 });
    fake.add({ pid: 41, exe: '/b', startTime: 200 });
    const t = table({ revalidateAfterMs: 10_000, exitGraceMs: 5_000 });
    assert.ok(t.get(40));
    assert.ok(t.get(41));
    t.sweep(0); // first sight: stamps the check time
    fake.remove(40);
    fake.add({ pid: 41, exe: '/c', startTime: 999 });
    assert.equal(t.sweep(5_000).revalidated, 0, 'too early to re-check');
    assert.equal(t.sweep(10_000).revalidated, 2);
    assert.equal(t.hasExited(40), true);
    assert.equal(t.peek(41), undefined);
    assert.equal(t.counters.reused, 1);
    assert.equal(t.get(41)?.exe, '/c');
    t.sweep(15_000);
    assert.equal(t.peek(40), undefined);
  });

  test('sweep caps the number of /proc re-checks', () => {
    const t = table({ revalidateAfterMs: 1, maxRevalidationsPerSweep: 2 });
    for (let pid = 50; pid < 60; pid++) {
      fake.add({ pid, exe: '/x' });
      t.get(pid);
    }
    t.sweep(0);
    assert.equal(t.sweep(10).revalidated, 2);
  });
});

describe('ProcessTable on the real /proc', () => {
  test('a sleep child: exec info, exit, grace, expiry', async () => {
    const child = spawn('/usr/bin/sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = child.pid;
      assert.ok(pid !== undefined);
      for (let i = 0; i < 500; i++) {
        try {
          if (readlinkSync(`/proc/${pid}/exe`) === '/usr/bin/sleep') break;
        } catch {
          // not exec'd yet
        }
        await sleep(10);
      }
      const t = new ProcessTable();
      t.noteExec(pid, { exe: '/usr/bin/sleep', argv: ['sleep', '30'], uid: 0, ppid: process.pid }, 0);
      const ctx = t.get(pid);
      assert.equal(ctx?.exe, '/usr/bin/sleep');
      assert.equal(ctx?.user, 'root');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      t.noteExit(pid, 1_000);
      assert.equal(t.get(pid)?.exe, '/usr/bin/sleep');
      t.sweep(1_000 + 30_000);
      assert.equal(t.get(pid), undefined);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
