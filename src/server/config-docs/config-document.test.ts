import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfigYaml } from '../../config/index.ts';
import { ApiError } from '../api-error.ts';
import { checkConfig, maskConfigSecrets } from './config-document.ts';

describe('config documents', () => {
  it('masks text secrets and plain tokens, keeping env references, comments and layout', () => {
    const yaml = [
      'services:',
      '  object_stores:',
      '    - type: s3 # primary',
      '      access_key: { type: text, value: AKIA123 }',
      '      secret_key:',
      '        type: env',
      '        value: S3_SECRET',
      '      password: {type: text, value: "p w"}',
      'stacks:',
      '  s:',
      '    plugins:',
      '      - type: detect_errors',
      '        config: { pulseToken: abc123 }',
      '',
    ].join('\n');
    const masked = maskConfigSecrets(yaml);
    assert.equal(masked.includes('AKIA123'), false);
    assert.equal(masked.includes('"p w"'), false);
    assert.equal(masked.includes('abc123'), false);
    assert.match(masked, /value: S3_SECRET/);
    assert.match(masked, /- type: s3 # primary/);
    assert.equal(masked.split('\n').length, yaml.split('\n').length);
    assert.equal(maskConfigSecrets('version: 2\n'), 'version: 2\n', 'nothing to mask: the text as it was');
    assert.equal(maskConfigSecrets('a: [unclosed'), 'a: [unclosed');
  });

  it('checks with the agent\'s validator: every error with line and column, warnings returned', () => {
    assert.deepEqual(checkConfig(defaultConfigYaml()).warnings, []);
    try {
      checkConfig('version: 2\ntap:\n  direction: up\n  ignore_loopback: maybe\n');
      assert.fail('no error');
    } catch (err) {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 'CT_ERR_CONFIG_INVALID');
      const errors = (err.details ?? []).filter((d) => d.severity === 'error');
      assert.ok(errors.some((d) => d.field === 'tap.direction' && d.line === 3 && d.column === 14), JSON.stringify(err.details));
      assert.ok(errors.some((d) => d.field === 'tap.ignore_loopback' && d.line === 4), JSON.stringify(err.details));
    }
  });
});
