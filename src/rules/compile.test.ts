// Semantics of every operator, literal and function, as outcomes of compiled rules over one set of fields.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseIp, type IpAddress } from '../core/ip.ts';
import { checkRule, compileRule, type RuleOutcome } from './rule.ts';
import { RuleError } from './rule-error.ts';
import type { RuleFields } from './rule-values.ts';

function ip(text: string): IpAddress {
  const parsed = parseIp(text);
  assert.ok(parsed);
  return parsed;
}

const fields = {
  s: 'hello world',
  empty: '',
  n: 42,
  zero: 0,
  f: 1.5,
  neg: -3,
  big: 2 ** 53,
  t: true,
  no: false,
  ip4: ip('10.1.2.3'),
  ip6: ip('2001:db8::1'),
  mapped: ip('::ffff:192.168.1.1'),
  ipText: '10.1.2.3',
  tags: ['a', 'b', 'GET'],
  none: [],
  nested: { deep: { x: 1 } },
  headers: { 'user-agent': 'curl/8.1', 'x.y': 'dotted' },
  domain: 'api.example.co.uk',
  upper: 'API.EXAMPLE.COM.',
  nothing: null,
  undef: undefined,
} as unknown as RuleFields;

type Row = [expr: string, outcome: RuleOutcome];

function table(name: string, rows: Row[]): void {
  describe(name, () => {
    for (const [expr, outcome] of rows) {
      test(`${expr} → ${outcome}`, () => {
        const rule = compileRule(expr);
        assert.equal(rule.evaluate(fields), outcome);
        assert.equal(rule.matches(fields), outcome === 'pass');
      });
    }
  });
}

table('== and !=', [
  ['s == "hello world"', 'pass'], ['"hello world" == s', 'pass'], ['s eq "x"', 'fail'], ['s != "x"', 'pass'], ['s NE "hello world"', 'fail'],
  ['n == 42', 'pass'], ['n == 42.0', 'pass'], ['42 == n', 'pass'], ['n != 41', 'pass'], ['f == 1.5', 'pass'], ['neg == -3', 'pass'],
  ['n == "42"', 'fail'], ['n != "42"', 'fail'], ['t == true', 'pass'], ['t == 1', 'fail'], ['t != 1', 'fail'], ['no == false', 'pass'], ['t != false', 'pass'],
  ['1 == 1', 'pass'], ['"a" == "b"', 'fail'], ['47:45:54 == "GET"', 'pass'], ['s == 68:65:6c:6c:6f:20:77:6f:72:6c:64', 'pass'],
  ['s == ff:fe', 'fail'], ['s != ff:fe', 'fail'], ['ff:fe == FF:FE', 'pass'], ['ff:fe != ff:fd', 'pass'],
  ['missing == 1', 'missing'], ['1 == missing', 'missing'], ['missing != 1', 'missing'], ['nothing == 1', 'missing'], ['undef == 1', 'missing'],
]);

table('addresses', [
  ['ip4 == 10.1.2.3', 'pass'], ['10.1.2.3 == ip4', 'pass'], ['ip4 == "10.1.2.3"', 'pass'], ['ip4 != 10.1.2.4', 'pass'], ['ip4 == 10.1.2.4', 'fail'],
  ['ip4 == "not an ip"', 'fail'], ['ip4 != "not an ip"', 'pass'], ['ip4 == 5', 'fail'], ['ip4 != 5', 'fail'], ['ip4 == ip6', 'fail'], ['ip4 == ipText', 'pass'],
  ['mapped == 192.168.1.1', 'pass'], ['mapped == ::ffff:192.168.1.1', 'pass'], ['ip6 == 2001:db8:0::1', 'pass'], ['ip6 == "2001:DB8::1"', 'pass'],
  ['ipText == 10.1.2.3', 'pass'], ['ipText != 10.1.2.3', 'fail'], ['s == 10.1.2.3', 'fail'], ['s != 10.1.2.3', 'pass'],
  ['ip4 == 10.0.0.0/8', 'pass'], ['10.0.0.0/8 == ip4', 'pass'], ['ip4 != 10.0.0.0/8', 'fail'], ['ip4 != 11.0.0.0/8', 'pass'],
  ['10.0.0.0/8 == 10.0.0.0/8', 'fail'], ['10.0.0.0/8 != 11.0.0.0/8', 'fail'],
]);

table('regex as a value', [
  ['s == /hello/', 'pass'], ['/^hello/ == s', 'pass'], ['s != /xyz/', 'pass'], ['s != /hello/', 'fail'], ['n == /4/', 'fail'], ['n != /4/', 'fail'],
]);

table('lists', [
  ['tags == "a"', 'pass'], ['tags == "z"', 'fail'], ['tags != "z"', 'pass'], ['tags != "a"', 'fail'], ['none == "a"', 'fail'], ['none != "a"', 'pass'],
  ['"b" == tags', 'pass'], ['s == ["x", "hello world"]', 'pass'], ['s != ["x", "y"]', 'pass'], ['s != ["hello world"]', 'fail'],
  ['tags == ["z", "GET"]', 'pass'], ['n == [1, 42]', 'pass'], ['n == [1, "42"]', 'fail'], ['ip4 == [1.1.1.1, 10.0.0.0/8]', 'pass'],
  ['tags == /^G/', 'pass'], ['n == [1, missing]', 'missing'], ['n == [42, n]', 'pass'], ['[n, f] == 1.5', 'pass'],
]);

table('ordering', [
  ['n > 41', 'pass'], ['n >= 42', 'pass'], ['n < 42', 'fail'], ['n <= 42', 'pass'], ['n gt 41', 'pass'], ['n LT 100', 'pass'], ['n ge 43', 'fail'], ['n le 41', 'fail'],
  ['f > 1', 'pass'], ['neg < 0', 'pass'], ['41 < n', 'pass'], ['big > 9007199254740991', 'pass'], ['n > -1', 'pass'],
  ['s > "a"', 'fail'], ['s < 5', 'fail'], ['t > 0', 'fail'], ['ip4 > 1.1.1.1', 'fail'], ['tags > 1', 'fail'], ['[1, 50] > n', 'pass'],
  ['n > missing', 'missing'], ['missing <= 1', 'missing'],
]);

table('contains', [
  ['s contains "lo wo"', 'pass'], ['s contains "xyz"', 'fail'], ['s contains ""', 'pass'], ['s contains /w.r/', 'pass'], ['s contains 5', 'fail'],
  ['s CONTAINS 6c:6c', 'pass'], ['tags contains "a"', 'pass'], ['tags contains "G"', 'fail'], ['tags contains /^G/', 'pass'], ['none contains "a"', 'fail'],
  ['s contains ["hello world"]', 'fail'], ['10.0.0.0/8 contains ip4', 'pass'], ['ip4 contains 10.0.0.0/8', 'pass'], ['ipText contains 10.0.0.0/8', 'pass'],
  ['n contains 4', 'fail'], ['missing contains "a"', 'missing'],
]);

table('matches', [
  ['s matches /^hello/', 'pass'], ['s =~ |WORLD|', 'fail'], ['s matches /(?i)WORLD/', 'pass'], ['s MATCHES |o w|', 'pass'], ['tags matches /^G/', 'pass'],
  ['none matches /x/', 'fail'], ['n matches /4/', 'fail'], ['missing matches /x/', 'missing'], ['headers["user-agent"] matches |^curl/|', 'pass'],
]);

table('in', [
  ['"a" in tags', 'pass'], ['"z" in tags', 'fail'], ['s in ["x", "hello world"]', 'pass'], ['n in [1, 2]', 'fail'], ['n IN [42]', 'pass'],
  ['ip4 in 10.0.0.0/8', 'pass'], ['ip4 in 11.0.0.0/8', 'fail'], ['ip6 in 2001:db8::/32', 'pass'], ['ip4 in ::/0', 'fail'], ['ip6 in 0.0.0.0/0', 'fail'],
  ['mapped in 192.168.0.0/16', 'pass'], ['ipText in 10.0.0.0/8', 'pass'], ['ip4 in "10.0.0.0/8"', 'pass'], ['s in 10.0.0.0/8', 'fail'],
  ['tags in ["z", "b"]', 'pass'], ['ip4 in [10.0.0.0/8]', 'pass'], ['missing in [1]', 'missing'], ['n in s', 'fail'], ['n in missing', 'missing'],
]);

table('bare values', [
  ['s', 'pass'], ['empty', 'fail'], ['n', 'pass'], ['zero', 'fail'], ['t', 'pass'], ['no', 'fail'], ['tags', 'pass'], ['none', 'fail'], ['ip4', 'pass'],
  ['nested', 'pass'], ['missing', 'missing'], ['"x"', 'pass'], ['""', 'fail'], ['0', 'fail'], ['1.5', 'pass'], ['[1]', 'pass'], ['/x/', 'pass'],
  ['10.0.0.0/8', 'pass'], ['0.0.0.0', 'pass'], ['true', 'pass'], ['false', 'fail'],
]);

table('three-valued logic', [
  ['t and missing', 'missing'], ['no and missing', 'fail'], ['missing and no', 'fail'], ['missing and missing', 'missing'], ['t and t', 'pass'],
  ['t or missing', 'pass'], ['missing or t', 'pass'], ['no or missing', 'missing'], ['missing or no', 'missing'], ['no or no', 'fail'],
  ['not missing', 'missing'], ['not t', 'fail'], ['not no', 'pass'], ['!(missing and no)', 'pass'], ['!!t', 'pass'],
  // `or` binds tighter than `and` (Rulekit): no and (t or t).
  ['no and t or t', 'fail'], ['t or t and no', 'fail'], ['(no and t) or t', 'pass'],
]);

table('paths', [
  ['nested.deep.x == 1', 'pass'], ['nested.deep.y == 1', 'missing'], ['nested.deep.x.z', 'missing'], ['s.length', 'missing'],
  ['tags[1] == "b"', 'pass'], ['tags[5]', 'missing'], ['headers["x.y"] == "dotted"', 'pass'], ['headers.x.y', 'missing'],
  ['headers["User-Agent"] == "curl/8.1"', 'pass'], ['headers.USER-AGENT == "curl/8.1"', 'pass'], ['nested["deep"]["x"] == 1', 'pass'],
  ['constructor', 'missing'], ['__proto__', 'missing'], ['tags.length', 'missing'], ['ip4.family', 'missing'], ['nested[0]', 'missing'], ['s[0]', 'missing'],
]);

table('functions', [
  ['starts_with(s, "hell")', 'pass'], ['starts_with(s, "x")', 'fail'], ['starts_with(n, 4)', 'pass'], ['starts_with(ip4, "10.")', 'pass'],
  ['starts_with(t, "tr")', 'pass'], ['starts_with(tags, "a")', 'fail'], ['starts_with(missing, "a")', 'missing'], ['starts_with(s, missing)', 'missing'],
  ['!starts_with(s, "x")', 'pass'], ['starts_with(s, "hell") == true', 'pass'],
  ['zone(domain) == "example.co.uk"', 'pass'], ['zone(upper) == "example.com"', 'pass'], ['zone("localhost") == ""', 'pass'],
  ['zone(n) == ""', 'pass'], ['zone(missing)', 'missing'], ['zone("a.b.github.io") == "b.github.io"', 'pass'],
  ['in_zone(domain, "example.co.uk")', 'pass'], ['in_zone(domain, "co.uk")', 'pass'], ['in_zone(domain, "ample.co.uk")', 'fail'],
  ['in_zone(upper, "example.com")', 'pass'], ['in_zone("example.com", "example.com.")', 'pass'], ['in_zone(domain, "")', 'fail'],
  ['in_zone(n, "x")', 'fail'], ['in_zone(domain, zone(domain))', 'pass'], ['in_zone("x.example.com", missing)', 'missing'],
]);

describe('compile-time errors', () => {
  const rows: Array<[expr: string, column: number]> = [
    ['nope(1)', 1],
    ['a and nope()', 7],
    ['starts_with(a)', 1],
    ['x == zone(a, b)', 6],
    ['in_zone("a")', 1],
    ['[zone()]', 2],
  ];
  for (const [expr, column] of rows) {
    test(`${expr} → column ${column}`, () => {
      assert.throws(() => compileRule(expr), (err: unknown) => err instanceof RuleError && err.code === 'CT_ERR_RULE' && err.column === column);
      assert.equal(checkRule(expr)?.column, column);
    });
  }

  test('checkRule passes good rules', () => {
    assert.equal(checkRule('http.res.status >= 400'), undefined);
    assert.match(checkRule('a ==')?.message ?? '', /^rule: unexpected end of rule at column 5 — expected a value$/);
  });
});

test('the compiled rule keeps its text', () => {
  assert.equal(compileRule('a == 1').expr, 'a == 1');
});
