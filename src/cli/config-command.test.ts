import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';
import { addConfigCommands, type ConfigCommandDeps } from './config-command.ts';

const dir = mkdtempSync(join(tmpdir(), 'cleartap-config-cmd-'));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Runs `cleartap config …` with its output captured and no standard config path present. */
async function run(args: string[], deps: ConfigCommandDeps = {}): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  let code = 0;
  const program = new Command('cleartap').exitOverride();
  addConfigCommands(program, {
    env: {},
    candidates: [join(dir, 'absent.yaml')],
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    exit: (c) => void (code = c),
    ...deps,
  });
  await program.parseAsync(['config', ...args], { from: 'user' });
  return { out, err, code };
}

test('config validate: "FILE: ok" for a valid file, its warnings and unset secrets on stderr', async () => {
  const path = file('ok.yaml', 'version: 2\nservices:\n  object_stores:\n    - type: s3\n      bucket: b\n      secret_key: {type: env, value: S3_SECRET_KEY}\ntap:\n  directon: all\n');
  const { out, err, code } = await run(['validate', path]);
  assert.equal(code, 0);
  assert.equal(out, `${path}: ok\n`);
  assert.equal(err, `${path}:8:3: tap.directon: unknown key 'directon' (ignored) (warning)\n${path}: services.object_stores[0].secret_key: environment variable S3_SECRET_KEY is not set (needed at start)\n`);
});

test('config validate: every error with file:line:column and key path, a count, exit status 1', async () => {
  const path = file('bad.yaml', 'tap:\n  direction: egres\n  http:\n    stack: nowhere\n');
  const { out, err, code } = await run(['validate', path]);
  assert.equal(code, 1);
  assert.equal(out, '');
  assert.equal(
    err,
    `${path}:2:14: tap.direction: 'egres' is not one of egress, egress-external, egress-internal, ingress, all\n${path}:4:12: tap.http.stack: stack 'nowhere' is not defined under stacks\n2 errors\n`,
  );
});

test('config validate with no FILE checks the one cleartap would use: $CLEARTAP_CONFIG, else a standard path, else the built-in default', async () => {
  const fromEnv = file('env.yaml', 'version: 2\n');
  assert.equal((await run(['validate'], { env: { CLEARTAP_CONFIG: fromEnv } })).out, `${fromEnv}: ok\n`);
  const standard = file('standard.yaml', 'version: 2\n');
  assert.equal((await run(['validate'], { candidates: [join(dir, 'absent.yaml'), standard] })).out, `${standard}: ok\n`);
  assert.equal((await run(['validate'])).out, 'built-in default: ok\n');
});

test('config validate: a file that cannot be read is a CT_ERR_CONFIG error naming it', async () => {
  const missing = join(dir, 'missing.yaml');
  await assert.rejects(run(['validate', missing]), (err: Error & { code?: string }) => err.code === 'CT_ERR_CONFIG' && err.message.includes(missing));
});

test('config print: the effective config with defaults filled in and text secrets masked', async () => {
  const path = file('print.yaml', 'services:\n  object_stores:\n    - type: s3\n      access_key: {type: env, value: S3_ACCESS_KEY}\n      secret_key: {type: text, value: hunter2}\nstacks:\n  s:\n    plugins:\n      - type: http_capture\n');
  const { out, code } = await run(['print', path]);
  assert.equal(code, 0);
  assert.ok(out.startsWith(`# ${path}\n`));
  assert.ok(!out.includes('hunter2'));
  const printed = parse(out);
  assert.deepEqual(printed.services.object_stores[0], { type: 's3', access_key: { type: 'env', value: 'S3_ACCESS_KEY' }, secret_key: { type: 'text', value: '***' } });
  assert.deepEqual(printed.stacks.s.plugins[0].config, { level: 'none', format: 'json' });
  assert.equal(printed.tap.direction, 'egress');
  assert.equal(printed.tap.ignore_loopback, false);
});

test('config print with no file found shows the built-in default', async () => {
  const { out } = await run(['print']);
  assert.ok(out.startsWith('# built-in default\n'));
  const printed = parse(out);
  assert.equal(printed.tap.direction, 'all');
  assert.equal(printed.tap.http.stack, 'default');
  assert.deepEqual(printed.stacks.default.plugins[0], { type: 'http_capture', config: { level: 'details', format: 'json' } });
});
