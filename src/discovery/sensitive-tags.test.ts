import { test } from 'node:test';
import assert from 'node:assert/strict';
import { luhnValid, tagNames, tagsOfName, tagsOfValue } from './sensitive-tags.ts';
import { EXAMPLE_EMAIL, REDACTED, redactExample } from './redact-example.ts';

test('tags from names', () => {
  assert.deepEqual(tagNames(tagsOfName('password')), ['secret:password']);
  assert.deepEqual(tagNames(tagsOfName('X-API-Key')), ['secret:api-key']);
  assert.deepEqual(tagNames(tagsOfName('first_name')), ['pii:person-name']);
  assert.deepEqual(tagNames(tagsOfName('dateOfBirth')), ['pii:date-of-birth']);
  assert.deepEqual(tagNames(tagsOfName('title')), []);
});

test('tags from values', () => {
  assert.deepEqual(tagNames(tagsOfValue('bob@example.com')), ['pii:email']);
  assert.deepEqual(tagNames(tagsOfValue('4111 1111 1111 1111')), ['pii:card-number']);
  assert.deepEqual(tagNames(tagsOfValue('4111 1111 1111 1112')), []);
  assert.deepEqual(tagNames(tagsOfValue('123-45-6789')), ['pii:ssn']);
  assert.deepEqual(tagNames(tagsOfValue('+1 415 555 0100')), ['pii:phone']);
  assert.deepEqual(tagNames(tagsOfValue('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl')), ['secret:jwt']);
  assert.deepEqual(tagNames(tagsOfValue('sk_live_abcdefghijklmnop')), ['secret:api-key']);
  assert.deepEqual(tagNames(tagsOfValue('12345678901234')), []);
  assert.equal(luhnValid('79927398713'), false, 'too short for a card');
  assert.equal(luhnValid('4012888888881881'), true);
});

test('examples: secrets replaced, e-mails and cards masked, other values kept', () => {
  const masked = redactExample({
    id: 7,
    email: 'real.person@corp.example',
    password: 'hunter2',
    card: '4111-1111-1111-1111',
    token: { nested: 'x' },
    note: 'hello',
    contact: { phone: '+44 20 7946 0958' },
    list: [1, 2, 3, 4, 5],
  });
  assert.deepEqual(masked, {
    id: 7,
    email: EXAMPLE_EMAIL,
    password: REDACTED,
    card: '************1111',
    token: REDACTED,
    note: 'hello',
    contact: { phone: REDACTED },
    list: [1, 2, 3],
  });
});
