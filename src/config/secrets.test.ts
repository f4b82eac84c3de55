import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateConfig } from './locate.ts';
import { maskSecrets, missingSecrets, resolveValue } from './secrets.ts';

test('value sources: text as is, env from the environment, a missing variable named with its key path', () => {
  assert.equal(resolveValue({ type: 'text', value: 'k' }, 'a'), 'k');
  assert.equal(resolveValue({ type: 'env', value: 'S3_KEY' }, 'a', { S3_KEY: 'v' }), 'v');
  assert.throws(() => resolveValue({ type: 'env', value: 'S3_SECRET_KEY' }, 'services.object_stores[0].secret_key', {}), {
    code: 'CT_ERR_CONFIG_SECRET',
    message: 'services.object_stores[0].secret_key: environment variable S3_SECRET_KEY is not set',
  });
});

test('every missing env secret of a section is listed; text secrets are masked in print, env names are kept', () => {
  const services = { object_stores: [{ type: 's3', access_key: { type: 'env', value: 'A' }, secret_key: { type: 'text', value: 'hunter2' } }] };
  assert.deepEqual(missingSecrets(services, {}), ['object_stores[0].access_key: environment variable A is not set']);
  assert.deepEqual(missingSecrets(services, { A: '1' }), []);
  assert.deepEqual(maskSecrets(services).object_stores[0], { type: 's3', access_key: { type: 'env', value: 'A' }, secret_key: { type: 'text', value: '***' } });
});

test('config discovery: --config, then $CLEARTAP_CONFIG, then the standard paths in order, else built in', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cleartap-locate-'));
  const second = join(dir, 'qtap-config.yaml');
  writeFileSync(second, 'version: 2\n');
  const candidates = [join(dir, 'config.yaml'), second];
  assert.equal(locateConfig('/x.yaml', { CLEARTAP_CONFIG: '/y.yaml' }, candidates), '/x.yaml');
  assert.equal(locateConfig(undefined, { CLEARTAP_CONFIG: '/y.yaml' }, candidates), '/y.yaml');
  assert.equal(locateConfig(undefined, {}, candidates), second);
  assert.equal(locateConfig(undefined, {}, [join(dir, 'none.yaml')]), undefined);
});

test('print masks plain-string tokens too (detect_errors\' pulseToken, a user plugin\'s apiToken)', () => {
  const stack = { plugins: [{ type: 'detect_errors', config: { pulseToken: 'p', warehouse_token: 'w', pulseEndpoint: 'https://pulse' } }, { type: './mine.ts', config: { apiToken: 'a', token: { type: 'env', value: 'T' } } }] };
  assert.deepEqual(maskSecrets(stack).plugins, [
    { type: 'detect_errors', config: { pulseToken: '***', warehouse_token: '***', pulseEndpoint: 'https://pulse' } },
    { type: './mine.ts', config: { apiToken: '***', token: { type: 'env', value: 'T' } } },
  ]);
});
