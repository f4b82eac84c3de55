import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addLatency, mergeLatency, newLatencySketch, quantile, summarizeLatency } from './latency-sketch.ts';
import { SeededRandom } from '../core/fixtures/seeded-random.ts';

test('percentiles within the bucket width of the exact ones', () => {
  const rng = new SeededRandom(7);
  const values: number[] = [];
  const s = newLatencySketch();
  for (let i = 0; i < 20000; i++) {
    const v = Math.exp(rng.next() * 8) * 0.05; // 0.05 ms .. 150 ms, log-uniform
    values.push(v);
    addLatency(s, v);
  }
  values.sort((a, b) => a - b);
  for (const q of [0.5, 0.9, 0.99]) {
    const exact = values[Math.ceil(q * values.length) - 1];
    const got = quantile(s, q);
    assert.ok(Math.abs(got - exact) / exact < 0.04, `q${q}: ${got} vs ${exact}`);
  }
});

test('merge adds histograms; nonsense durations ignored; empty has no summary', () => {
  const a = newLatencySketch();
  const b = newLatencySketch();
  for (let i = 1; i <= 100; i++) addLatency(i <= 50 ? a : b, i);
  addLatency(a, -1);
  addLatency(a, Number.NaN);
  mergeLatency(a, b);
  assert.equal(a.count, 100);
  assert.equal(a.max, 100);
  const sum = summarizeLatency(a);
  assert.ok(sum !== undefined && Math.abs(sum.p50 - 50) < 2 && sum.mean === 50.5);
  assert.equal(summarizeLatency(newLatencySketch()), undefined);
  addLatency(a, 1e9);
  assert.equal(quantile(a, 1), 1e9, 'beyond the last bucket: the exact maximum');
});
