import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Direction, Transaction } from '../core/transaction.ts';
import { TAP_DIRECTIONS, TrafficFilter, type TapDirection } from './traffic-filter.ts';

function tx(direction: Direction, local: string, remote: string | undefined): Transaction {
  return { direction, local: { address: local, port: 1 }, remote: remote === undefined ? undefined : { address: remote, port: 2 } } as Transaction;
}

// [connection, its Qtap direction]
const CONNECTIONS: Array<[Transaction, string]> = [
  [tx('egress', '203.0.113.1', '203.0.113.2'), 'egress-external'],
  [tx('egress', '10.0.0.5', '10.0.0.9'), 'egress-internal'],
  [tx('egress', '192.168.1.2', '172.20.0.1'), 'egress-internal'],
  [tx('egress', 'fd00::1', 'fd00::2'), 'egress-internal'],
  [tx('egress', '2001:db8::1', '2001:db8::2'), 'egress-external'],
  [tx('egress', '10.0.0.5', undefined), 'egress-external'],
  [tx('ingress', '203.0.113.2', '203.0.113.1'), 'ingress'],
];

test('each tap.direction admits exactly its connections', () => {
  const admitted: Record<TapDirection, string[]> = {
    all: ['egress-external', 'egress-internal', 'ingress'],
    egress: ['egress-external', 'egress-internal'],
    'egress-external': ['egress-external'],
    'egress-internal': ['egress-internal'],
    ingress: ['ingress'],
  };
  for (const direction of TAP_DIRECTIONS) {
    const f = new TrafficFilter({ direction, ignoreLoopback: false });
    for (const [t, dir] of CONNECTIONS) {
      assert.equal(f.directionOf(t), dir);
      assert.equal(f.verdict(t), admitted[direction].includes(dir) ? 'pass' : 'direction', `${direction} vs ${dir}`);
    }
  }
});

test('ignore_loopback drops traffic with a loopback end, and only that', () => {
  const f = new TrafficFilter({ direction: 'all', ignoreLoopback: true });
  assert.equal(f.verdict(tx('egress', '127.0.0.1', '127.0.0.1')), 'loopback');
  assert.equal(f.verdict(tx('ingress', '::1', '::1')), 'loopback');
  assert.equal(f.verdict(tx('egress', '127.0.0.1', '127.0.0.53')), 'loopback');
  assert.equal(f.verdict(tx('egress', '203.0.113.1', '203.0.113.2')), 'pass');
  assert.equal(new TrafficFilter({ direction: 'all', ignoreLoopback: false }).verdict(tx('egress', '127.0.0.1', '127.0.0.1')), 'pass');
  // Loopback counts as internal when it is kept.
  assert.equal(new TrafficFilter({ direction: 'egress-internal', ignoreLoopback: false }).verdict(tx('egress', '127.0.0.1', '127.0.0.1')), 'pass');
});
