import assert from 'node:assert/strict';
import { it } from 'node:test';
import { asConfigObject, readBool, readChoice, readObjectList, readString, readStringList, snakeCase } from './config-readers.ts';

it('snakeCase turns Qtap README keys into YAML keys', () => {
  assert.equal(snakeCase('triggerStatusCodes'), 'trigger_status_codes');
  assert.equal(snakeCase('batchPeriodMS'), 'batch_period_ms');
  assert.equal(snakeCase('level'), 'level');
});

it('readers take camelCase or snake_case keys and fall back on absence or another type', () => {
  const c = asConfigObject({ trigger_empty_body: true, triggerDuration: '2s', format: ' TEXT ', codes: [404, '5xx', null], rules: [{ a: 1 }, 'x', null] });
  assert.equal(readBool(c, 'triggerEmptyBody', false), true);
  assert.equal(readString(c, 'triggerDuration', ''), '2s');
  assert.equal(readString(c, 'missing', 'dflt'), 'dflt');
  assert.equal(readBool(c, 'triggerDuration', false), false);
  assert.equal(readChoice(c, 'format', ['json', 'text']), 'text');
  assert.equal(readChoice(c, 'triggerDuration', ['json', 'text']), undefined);
  assert.deepEqual(readStringList(c, 'codes'), ['404', '5xx']);
  assert.deepEqual(readStringList(c, 'triggerDuration'), ['2s']);
  assert.deepEqual(readObjectList(c, 'rules'), [{ a: 1 }]);
  assert.deepEqual(asConfigObject(null), {});
  assert.deepEqual(asConfigObject([1]), {});
});
