import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigWatcher } from './config-watcher.ts';
import type { LoadedConfig } from './types.ts';

const yaml = (direction: string) => `version: 2\ntap:\n  direction: ${direction}\n`;

function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => (check() ? resolve() : Date.now() > deadline ? reject(new Error(`timed out: ${what}`)) : setTimeout(tick, 20));
    tick();
  });
}

test('a changed file is reloaded; an invalid one is reported and not applied; SIGHUP forces a reload', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cleartap-watch-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, yaml('all'));
  const configs: LoadedConfig[] = [];
  const errors: unknown[] = [];
  const signals = new EventEmitter();
  const w = new ConfigWatcher(file, yaml('all'), { onConfig: (c) => configs.push(c), onError: (e) => errors.push(e), signals, debounceMs: 50 });
  try {
    writeFileSync(file, yaml('ingress'));
    await until('the reload', () => configs.length === 1);
    assert.equal(configs[0].config.tap.direction, 'ingress');

    writeFileSync(file, yaml('sideways'));
    await until('the error', () => errors.length === 1);
    assert.equal((errors[0] as { code: string }).code, 'CT_ERR_CONFIG');
    assert.equal(configs.length, 1, 'nothing applied');

    // An editor that writes a temporary file and renames it over the config.
    writeFileSync(join(dir, 'tmp.yaml'), yaml('egress-internal'));
    renameSync(join(dir, 'tmp.yaml'), file);
    await until('the reload after a rename', () => configs.length === 2);
    assert.equal(configs[1].config.tap.direction, 'egress-internal');

    signals.emit('SIGHUP');
    assert.equal(configs.length, 3, 'SIGHUP reloads even an unchanged file');
  } finally {
    w.close();
  }
  assert.equal(signals.listenerCount('SIGHUP'), 0, 'close() detaches from the signal');
});

test('a Kubernetes ConfigMap update (a symlink swap beside the file) is seen; rewriting the same text is no reload', async () => {
  // The layout kubelet writes: config.yaml → ..data/config.yaml, ..data → a timestamped directory.
  const dir = mkdtempSync(join(tmpdir(), 'cleartap-watch-cm-'));
  const version = (name: string, direction: string) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'config.yaml'), yaml(direction));
  };
  version('..v1', 'all');
  symlinkSync('..v1', join(dir, '..data'));
  symlinkSync('..data/config.yaml', join(dir, 'config.yaml'));
  const file = join(dir, 'config.yaml');
  const configs: LoadedConfig[] = [];
  const errors: unknown[] = [];
  const w = new ConfigWatcher(file, yaml('all'), { onConfig: (c) => configs.push(c), onError: (e) => errors.push(e), signals: null, debounceMs: 20 });
  try {
    writeFileSync(join(dir, '..v1', 'config.yaml'), yaml('all'));
    writeFileSync(join(dir, 'unrelated.txt'), 'x');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(configs.length, 0, 'same text, other files: nothing to reload');

    version('..v2', 'ingress');
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    await until('the reload after the swap', () => configs.length === 1);
    assert.equal(configs[0].config.tap.direction, 'ingress');
    assert.deepEqual(errors, []);
  } finally {
    w.close();
  }
});
