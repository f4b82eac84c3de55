import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coerceText, FORMAT_BIT, formatBitsOf, formatOf } from './value-format.ts';

test('formats: each recognised by shape', () => {
  const cases: Array<[string, string | undefined]> = [
    ['2024-06-01T12:30:00Z', 'date-time'],
    ['2024-06-01T12:30:00.123+02:00', 'date-time'],
    ['2024-06-01', 'date'],
    ['2024-02-30', undefined],
    ['2024-13-01', undefined],
    ['alice@example.com', 'email'],
    ['123e4567-e89b-12d3-a456-426614174000', 'uuid'],
    ['https://example.com/a?b=c', 'uri'],
    ['10.0.0.255', 'ipv4'],
    ['256.1.1.1', undefined],
    ['2001:db8::1', 'ipv6'],
    ['fe80::1', 'ipv6'],
    ['hello world', undefined],
    ['12:30', undefined],
  ];
  for (const [s, want] of cases) assert.equal(formatOf(formatBitsOf(s)), want, s);
});

test('formats: a running AND keeps only what every sample had', () => {
  const bits = formatBitsOf('2024-06-01') & formatBitsOf('2024-06-02T00:00:00Z');
  assert.equal(bits, 0);
  assert.equal(formatBitsOf('2024-06-01') & formatBitsOf('2023-01-31'), FORMAT_BIT.date);
});

test('coerceText: numbers and booleans typed, the rest kept as text', () => {
  assert.equal(coerceText('42'), 42);
  assert.equal(coerceText('-7'), -7);
  assert.equal(coerceText('3.5'), 3.5);
  assert.equal(coerceText('true'), true);
  assert.equal(coerceText('false'), false);
  assert.equal(coerceText('007'), '007');
  assert.equal(coerceText('99999999999999999999'), '99999999999999999999');
  assert.equal(coerceText('1e5'), 100000);
  assert.equal(coerceText(''), '');
  assert.equal(coerceText('abc'), 'abc');
  assert.equal(coerceText('12abc'), '12abc');
});
