import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskJsonFields } from './json-field-mask.ts';

const fields = new Set(['password', 'token', 'secret']);

describe('maskJsonFields', () => {
  it('masks string, number, literal, object and array values at any depth; keeps the rest byte for byte', () => {
    const text = '{"user":"a", "password" : "p\\"w", "n":12345678901234567890,"deep":{"list":[{"Token":42},{"secret":{"k":[1,"}"]}}]},"ok":true}';
    assert.equal(
      maskJsonFields(text, fields),
      '{"user":"a", "password" : "[REDACTED]", "n":12345678901234567890,"deep":{"list":[{"Token":"[REDACTED]"},{"secret":"[REDACTED]"}]},"ok":true}',
    );
  });

  it('masks values that are null, booleans and arrays, and keys written with escapes', () => {
    assert.equal(maskJsonFields('[{"token":null},{"pass\\u0077ord":[1,2]},{"secret":false}]', fields), '[{"token":"[REDACTED]"},{"pass\\u0077ord":"[REDACTED]"},{"secret":"[REDACTED]"}]');
  });

  it('a string value equal to a field name is not a key', () => {
    const text = '{"kind":"password","note":"token: x"}';
    assert.equal(maskJsonFields(text, fields), text);
  });

  it('returns the same string when nothing matches, and leaves non-JSON text alone', () => {
    const text = '{"a":1}';
    assert.equal(maskJsonFields(text, fields), text);
    assert.equal(maskJsonFields('password=hunter2', fields), 'password=hunter2');
    assert.equal(maskJsonFields('', fields), '');
  });

  it('a body cut short is masked up to its end', () => {
    assert.equal(maskJsonFields('{"a":1,"password":"hun', fields), '{"a":1,"password":"[REDACTED]"');
    assert.equal(maskJsonFields('{"secret":{"x":"y', fields), '{"secret":"[REDACTED]"');
    assert.equal(maskJsonFields('{"token":', fields), '{"token":');
    assert.equal(maskJsonFields('{"tok', fields), '{"tok');
  });

  it('never throws on arbitrary input', () => {
    let seed = 7;
    const alphabet = '{}[]":,\\ abtokenpasswd0129';
    for (let round = 0; round < 2000; round++) {
      let s = '{';
      const len = round % 60;
      for (let i = 0; i < len; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        s += alphabet[seed % alphabet.length];
      }
      assert.equal(typeof maskJsonFields(s, fields), 'string');
    }
  });
});
