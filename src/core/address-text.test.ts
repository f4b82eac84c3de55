import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAddress } from './address-text.ts';

const v6 = (...b: number[]) => Uint8Array.from([...b, ...new Array(16 - b.length).fill(0)]);

test('IPv4 addresses use the first four bytes', () => {
  assert.equal(formatAddress(2, v6(127, 0, 0, 1)), '127.0.0.1');
});

test('IPv6 loopback and zero runs are compressed', () => {
  assert.equal(formatAddress(10, Uint8Array.from([...new Array(15).fill(0), 1])), '::1');
  assert.equal(formatAddress(10, v6(0x20, 0x01, 0x0d, 0xb8)), '2001:db8::');
  assert.equal(formatAddress(10, Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])), '2001:db8::1:0:0:1');
});

test('IPv4-mapped IPv6 addresses print as IPv4', () => {
  assert.equal(formatAddress(10, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 7])), '198.51.100.7');
});
