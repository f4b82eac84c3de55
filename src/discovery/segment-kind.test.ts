import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLiteralKind, isStrongKind, segmentKind } from './segment-kind.ts';

test('segment kinds', () => {
  const cases: Array<[string, string]> = [
    ['users', 'word'],
    ['me', 'word'],
    ['v1', 'version'],
    ['v2beta1', 'version'],
    ['1.0', 'version'],
    ['42', 'int'],
    ['123e4567-e89b-12d3-a456-426614174000', 'uuid'],
    ['2024-06-01', 'date'],
    ['alice@example.com', 'email'],
    ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'hex'],
    ['5d41402abc4b', 'hex'],
    ['dGhpcyBpcyBhIHRva2VuMTIz', 'token'],
    ['order-1234', 'slug'],
    ['post-7', 'slug'],
    ['sku12345', 'slug'],
    ['oauth2', 'word'],
    ['s3', 'word'],
    ['user_profiles', 'word'],
  ];
  for (const [s, kind] of cases) assert.equal(segmentKind(s), kind, s);
});

test('strength: ids are parameters from one value, dates and slugs need variation', () => {
  assert.equal(isStrongKind('int'), true);
  assert.equal(isStrongKind('uuid'), true);
  assert.equal(isStrongKind('date'), false);
  assert.equal(isStrongKind('slug'), false);
  assert.equal(isLiteralKind('version'), true);
  assert.equal(isLiteralKind('int'), false);
});
