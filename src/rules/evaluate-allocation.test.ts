// Evaluation must not allocate: a synchronous loop that allocates nothing triggers no garbage collection, so
// the GC profiler counting zero collections over many evaluations is the check. The fields hold no floats:
// V8 boxes a float read from an object field, whoever reads it (transactionFields produces integers only).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GCProfiler } from 'node:v8';
import { parseIp } from '../core/ip.ts';
import { compileMacros } from './macros.ts';
import { compileRule } from './rule.ts';
import type { RuleFields } from './rule-values.ts';

const fields = {
  s: 'hello world',
  n: 503,
  ip: parseIp('10.1.2.3'),
  ipText: '192.168.7.7',
  v6Text: 'fe80::1:ffff:ffff',
  tags: ['a', 'b', 'GET'],
  d: 'API.Example.co.uk',
  h: { 'user-agent': 'curl/8.1' },
  nested: { deep: { x: [1, 2, 3] } },
} as unknown as RuleFields;

const macros = compileMacros([{ name: 'internal', expr: 'ip in [10.0.0.0/8, 192.168.0.0/16] or ipText in 192.168.0.0/16' }]);

const RULES = [
  'n >= 500 and n < 600.5 and n > 1.5 and n != 503.25',
  's == "hello world" && s != "x" && s contains "lo" && s matches /w.r/',
  'ip == 10.1.2.3 and ip == "10.1.2.3" and ipText == 192.168.7.7 and ip != ::1',
  'ip in 10.0.0.0/8 and ipText in 192.168.0.0/16 and 10.0.0.0/8 contains ip and v6Text in fe80::/10',
  'tags contains "GET" and "a" in tags and tags == ["x", s, "b"] and [n, 7] > 502 and n == [1.5, 2.5, 503]',
  'h["user-agent"] =~ |^curl/| and nested.deep.x[2] == 3 and not missing.field',
  'in_zone(d, "example.co.uk") and zone(d) == "example.co.uk" and starts_with(s, "hell")',
  'internal() and !(!internal())',
  'missing or (s and n and tags and ip)',
];

test('evaluating compiled rules triggers no garbage collection', () => {
  for (const expr of RULES) {
    const rule = compileRule(expr, { macros });
    const expected = rule.evaluate(fields);
    for (let i = 0; i < 50_000; i++) rule.evaluate(fields);
    const profiler = new GCProfiler();
    profiler.start();
    let same = 0;
    for (let i = 0; i < 300_000; i++) if (rule.evaluate(fields) === expected) same++;
    const collections = profiler.stop()?.statistics.length ?? 0;
    assert.equal(same, 300_000);
    assert.equal(collections, 0, `${expr}: ${collections} collections`);
  }
});
