import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRuleList } from './rule-list.ts';
import { metricValue, pluginViewOf, postOrderTx, testServices } from './test-support.ts';

const readLevel = (entry: Record<string, unknown>) =>
  typeof entry.level === 'string' ? { value: entry.level } : { problem: 'no level' };

describe('compileRuleList', () => {
  it('the first passing rule decides; fail and missing fields are no match', () => {
    const s = testServices();
    const list = compileRuleList('p', [
      { name: 'a', expr: 'isA', level: 'summary' },
      { name: 'b', expr: 'isB', level: 'full' },
      { name: 'c', expr: 'isC', level: 'details' },
    ], s, readLevel);
    const view = (fields: object) => pluginViewOf(postOrderTx(), 'egress-external', fields);
    assert.equal(list.firstMatch(view({ isA: false, isB: true, isC: true })), 'full');
    assert.equal(list.firstMatch(view({ isB: false, isC: true })), 'details'); // isA missing: skipped silently
    assert.equal(list.firstMatch(view({})), undefined);
    assert.deepEqual(s.logLines, []);
  });

  it('fields() is not computed when there are no rules', () => {
    const list = compileRuleList('p', [], testServices(), readLevel);
    const view = pluginViewOf(postOrderTx());
    view.fields = () => assert.fail('fields() computed');
    assert.equal(list.firstMatch(view), undefined);
  });

  it('empty, uncompilable and unusable rules are reported at start and left out', () => {
    const s = testServices();
    const list = compileRuleList('p', [
      { name: 'empty', expr: '  ', level: 'full' },
      { name: 'bad', expr: 'bad', level: 'full' },
      { name: 'nolevel', expr: 'isA' },
      { name: 'ok', expr: 'isA', level: 'full' },
    ], s, readLevel);
    assert.deepEqual(list.rules.map((r) => r.name), ['ok']);
    assert.deepEqual(s.logLines.map((l) => [l.level, l.rule, l.msg]), [
      [40, 'empty', 'rule has an empty expr; skipped'],
      [50, 'bad', 'rule expression does not compile; rule skipped'],
      [40, 'nolevel', 'rule skipped: no level'],
    ]);
  });

  it('a rule that throws is counted, logged once, and treated as no match', async () => {
    const s = testServices();
    const list = compileRuleList('p', [
      { name: 'boom', expr: 'throws', level: 'full' },
      { name: 'ok', expr: 'isA', level: 'summary' },
    ], s, readLevel);
    const view = pluginViewOf(postOrderTx(), 'egress-external', { isA: true });
    assert.equal(list.firstMatch(view), 'summary');
    assert.equal(list.firstMatch(view), 'summary');
    assert.equal(await metricValue(s.metrics.systemRegistry, 'cleartap_rule_errors_total', { plugin: 'p' }), 2);
    assert.equal(s.logLines.filter((l) => l.msg === 'rule evaluation failed; treated as no match').length, 1);
  });
});
