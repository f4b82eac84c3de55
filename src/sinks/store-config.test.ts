import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, parseSize, readSecret, readSize } from './store-config.ts';

describe('store config readers', () => {
  it('sizes: plain numbers, SI and IEC units', () => {
    assert.equal(parseSize('512'), 512);
    assert.equal(parseSize('10k'), 10_000);
    assert.equal(parseSize('2GB'), 2e9);
    assert.equal(parseSize('256MiB'), 256 * 1024 * 1024);
    assert.equal(parseSize('1.5 Gi'), 1.5 * 1024 ** 3);
    assert.equal(parseSize('lots'), undefined);
    assert.throws(() => readSize({ max_size: '12 parsecs' }, 'max_size', 'x'), { code: 'CT_ERR_CONFIG' });
  });

  it('durations: units and combinations; a bare number is seconds', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('7d'), 604_800_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('7 days'), undefined);
  });

  it('secrets: a string, a text or env ValueSource; an unset variable is CT_ERR_CONFIG_SECRET naming it', () => {
    const env = { KEY: 'from-env' };
    assert.equal(readSecret({ k: 'plain' }, 'k', 'x', env), 'plain');
    assert.equal(readSecret({ k: { type: 'text', value: 'literal' } }, 'k', 'x', env), 'literal');
    assert.equal(readSecret({ k: { type: 'env', value: 'KEY' } }, 'k', 'x', env), 'from-env');
    assert.equal(readSecret({}, 'k', 'x', env), undefined);
    assert.throws(() => readSecret({ k: { type: 'env', value: 'MISSING' } }, 'k', 'x', env), (err: Error & { code?: string }) => err.code === 'CT_ERR_CONFIG_SECRET' && err.message.includes('MISSING'));
    assert.throws(() => readSecret({ k: { type: 'vault', value: 'a' } }, 'k', 'x', env), { code: 'CT_ERR_CONFIG' });
  });
});
