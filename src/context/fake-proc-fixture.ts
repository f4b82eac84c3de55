// Test support: a fake /proc tree (and passwd file) in a temporary directory, so context code can be tested
// against processes that do not exist, containers this VM cannot run, and files that vanish mid-read.
// Not part of the folder's public surface.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeProcess {
  pid: number;
  /** Target text of the exe symlink (may end in " (deleted)"); omitted = no exe link, like a kernel thread. */
  exe?: string;
  argv?: string[];
  uid?: number;
  ppid?: number;
  name?: string;
  cgroup?: string;
  startTime?: number;
}

export interface FakeProc {
  root: string;
  procRoot: string;
  passwdPath: string;
  add(p: FakeProcess): void;
  remove(pid: number): void;
  writePasswd(text: string): void;
  cleanup(): void;
}

export function statusText(p: FakeProcess): string {
  const uid = p.uid ?? 0;
  return [
    `Name:\t${p.name ?? 'fake'}`,
    'Umask:\t0022',
    'State:\tS (sleeping)',
    `Tgid:\t${p.pid}`,
    'Ngid:\t0',
    `Pid:\t${p.pid}`,
    `PPid:\t${p.ppid ?? 1}`,
    'TracerPid:\t0',
    `Uid:\t${uid}\t${uid}\t${uid}\t${uid}`,
    `Gid:\t${uid}\t${uid}\t${uid}\t${uid}`,
    '',
  ].join('\n');
}

export function statText(p: FakeProcess): string {
  // comm with a space and a ')' on purpose: parsers must split after the last ')'.
  const fields = ['S', String(p.ppid ?? 1), ...Array<string>(17).fill('0'), String(p.startTime ?? 1000), '0', '0'];
  return `${p.pid} (fake) name) ${fields.join(' ')}\n`;
}

export function createFakeProc(): FakeProc {
  const root = mkdtempSync(join(tmpdir(), 'cleartap-fakeproc-'));
  const procRoot = join(root, 'proc');
  const passwdPath = join(root, 'passwd');
  mkdirSync(procRoot);
  writeFileSync(passwdPath, 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n');
  return {
    root,
    procRoot,
    passwdPath,
    add(p) {
      const dir = join(procRoot, String(p.pid));
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      writeFileSync(join(dir, 'status'), statusText(p));
      writeFileSync(join(dir, 'stat'), statText(p));
      writeFileSync(join(dir, 'cmdline'), (p.argv ?? []).map((a) => `${a}\0`).join(''));
      writeFileSync(join(dir, 'cgroup'), p.cgroup ?? '0::/\n');
      if (p.exe !== undefined) symlinkSync(p.exe, join(dir, 'exe'));
    },
    remove(pid) {
      rmSync(join(procRoot, String(pid)), { recursive: true, force: true });
    },
    writePasswd(text) {
      writeFileSync(passwdPath, text);
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
