// The command line as a user meets it: help, version, bad flags, and what happens without privileges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from '../helpers/children.ts';

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
