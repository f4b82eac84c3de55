import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CT_SKIP_ALL, CT_SKIP_TLS } from '../capture/wire.ts';
import { ProcessFilter } from '../tap/index.ts';
import { ProcessSkips } from './process-skips.ts';

// A copy of sleep under a path of this test's own, so that no other process on the host matches the filter.
const SLEEP = join(mkdtempSync(join(tmpdir(), 'cleartap-skips-')), 'ignored-sleep');
copyFileSync('/usr/bin/sleep', SLEEP);
chmodSync(SLEEP, 0o755);

function recorder() {
  const calls: Array<[number, number]> = [];
  return { calls, setProcessSkip: (pid: number, bits: number) => void calls.push([pid, bits]) };
}

test('running processes, exec and exit: kernel bits set, cleared and remembered', async (t) => {
  const child = spawn(SLEEP, ['30'], { stdio: 'ignore' });
  t.after(() => child.kill());
  await new Promise((r) => child.once('spawn', r));
  const pid = child.pid!;
  const target = recorder();
  const skips = new ProcessSkips(new ProcessFilter({ groups: [], custom: [{ exe: SLEEP, strategy: 'exact' }] }), target);

  skips.applyToRunning();
  assert.deepEqual(target.calls, [[pid, CT_SKIP_ALL]], 'only the ignored process is written at start');
  assert.equal(skips.skipOf(pid).http, true);

  // A reload that ignores only its TLS; then one that ignores nothing clears the kernel entry.
  target.calls.length = 0;
  skips.replace(new ProcessFilter({ groups: [], custom: [{ exe: SLEEP, strategy: 'exact', only: ['tls'] }] }));
  assert.deepEqual(target.calls.filter(([p]) => p === pid), [[pid, CT_SKIP_TLS]]);
  target.calls.length = 0;
  skips.replace(new ProcessFilter({ groups: [], custom: [] }));
  assert.deepEqual(target.calls.filter(([p]) => p === pid), [[pid, 0]]);
  assert.equal(skips.skipOf(pid).http, false);

  // Exec into an ignored path (the exec'd name counts even when /proc says otherwise); exit forgets.
  skips.replace(new ProcessFilter({ groups: [], custom: [{ exe: '/opt/ignored', strategy: 'exact' }] }));
  target.calls.length = 0;
  skips.onExec(pid, '/opt/ignored');
  assert.deepEqual(target.calls, [[pid, CT_SKIP_ALL]]);
  assert.equal(skips.ignoredCount, 1);
  skips.onExit(pid, 1000);
  assert.equal(skips.ignoredCount, 0);
  assert.equal(skips.skipOf(pid).http, true, 'still known for the exchanges finished after the exit');
  skips.sweep(1000 + 10_000);
  assert.equal(skips.skipOf(pid).http, false);
});
