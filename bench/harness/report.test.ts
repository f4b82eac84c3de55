import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addRatios, formatLatency, formatTable, type Row, summarizeRounds } from './report.ts';

const load = (reqPerSec: number, p50Us: number, p99Us: number) => ({
  requests: reqPerSec * 5,
  seconds: 5,
  reqPerSec,
  p50Us,
  p99Us,
  errors: 0,
});

function rows(): Row[] {
  return [
    { size: '1k', bodyBytes: 1024, config: 'untraced', status: 'ok', load: load(50_000, 200, 1000) },
    { size: '1k', bodyBytes: 1024, config: 'floor', status: 'ok', load: load(15_000, 800, 2000) },
    { size: '1k', bodyBytes: 1024, config: 'agent', status: 'skipped', reason: 'no agent\n    at main (x.ts:1:1)' },
    { size: '32k', bodyBytes: 32768, config: 'untraced', status: 'ok', load: load(20_000, 500, 3000) },
    { size: '32k', bodyBytes: 32768, config: 'floor', status: 'ok', load: load(9_000, 900, 4000) },
  ];
}

describe('benchmark report', () => {
  it('ratios are taken against the untraced and floor rows of the same size', () => {
    const r = rows();
    addRatios(r);
    assert.equal(r[0]!.ratioToUntraced, 1);
    assert.equal(r[0]!.ratioToFloor, undefined);
    assert.equal(r[1]!.ratioToUntraced, 0.3);
    assert.equal(r[1]!.ratioToFloor, 1);
    assert.equal(r[1]!.p50RatioToUntraced, 4);
    assert.equal(r[2]!.ratioToUntraced, undefined);
    assert.equal(r[4]!.ratioToUntraced, 0.45);
  });

  it('the table has one line per row and explains skipped rows without stack frames', () => {
    const r = rows();
    addRatios(r);
    const text = formatTable(r, false);
    const lines = text.split('\n');
    assert.match(lines[0]!, /^size\s+config\s+req\/s\s+×untraced\s+×floor\s+p50\s+p99/);
    assert.match(lines[2]!, /^1k\s+floor\s+15,000\s+0\.30\s+1\.00\s+800 µs\s+2\.00 ms/);
    assert.match(lines[3]!, /^1k\s+agent\s+skipped/);
    assert.match(text, /\n1k agent skipped: no agent$/m);
    assert.doesNotMatch(text, /x\.ts:1:1/);
  });

  it('latency units', () => {
    assert.equal(formatLatency(274), '274 µs');
    assert.equal(formatLatency(3260), '3.26 ms');
    assert.equal(formatLatency(1.5e6), '1.50 s');
    assert.equal(formatLatency(Number.NaN), '-');
  });

  it('rounds: the median round is reported with the spread and every warning', () => {
    const round = (n: number, rps: number, warnings?: string[]): Row => ({
      size: '1k',
      bodyBytes: 1024,
      config: 'floor',
      status: 'ok',
      round: n,
      load: load(rps, 800, 2000),
      ...(warnings && { warnings }),
    });
    const skipped: Row = { size: '1k', bodyBytes: 1024, config: 'agent', status: 'skipped', reason: 'x', round: 1 };
    const out = summarizeRounds([round(1, 16_000), round(2, 12_000, ['foreign uprobes']), round(3, 14_000), skipped], false);
    assert.equal(out.length, 2);
    assert.equal(out[0]!.load!.reqPerSec, 14_000);
    assert.equal(out[0]!.round, undefined);
    assert.deepEqual([out[0]!.rounds, out[0]!.spread], [3, { min: 12_000, max: 16_000, of: 'reqPerSec' }]);
    assert.deepEqual(out[0]!.warnings, ['foreign uprobes']);
    assert.equal(out[1]!.status, 'skipped');
    assert.match(formatTable(out, false), /1k floor: median req\/s of 3 rounds, range 12,000 req\/s – 16,000 req\/s/);
  });
});
