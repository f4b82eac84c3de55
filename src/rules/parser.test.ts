import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Cidr, formatCidr, formatIp, IpAddress } from '../core/ip.ts';
import type { Condition, Operand } from './ast.ts';
import { MAX_NESTING, parseRule } from './parser.ts';
import { RuleError } from './rule-error.ts';
import { HexBytes } from './rule-values.ts';

function operand(o: Operand): string {
  switch (o.kind) {
    case 'literal': {
      const v = o.value;
      if (v instanceof IpAddress) return `ip(${formatIp(v)})`;
      if (v instanceof Cidr) return `cidr(${formatCidr(v)})`;
      if (v instanceof RegExp) return `re(${v.source}/${v.flags})`;
      if (v instanceof HexBytes) return `hex(${v.key})`;
      return JSON.stringify(v);
    }
    case 'field': return o.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1);
    case 'array': return `[${o.items.map(operand).join(', ')}]`;
    case 'call': return `${o.name}(${o.args.map(operand).join(', ')})`;
  }
}

/** Fully parenthesized form, to read the tree's shape. */
function show(c: Condition): string {
  switch (c.kind) {
    case 'and': return `(${c.items.map(show).join(' AND ')})`;
    case 'or': return `(${c.items.map(show).join(' OR ')})`;
    case 'not': return `NOT ${show(c.item)}`;
    case 'compare': return `{${operand(c.left)} ${c.op} ${operand(c.right)}}`;
    case 'truthy': return `{${operand(c.operand)}}`;
  }
}

describe('shapes', () => {
  const table: Array<[expr: string, shape: string]> = [
    ['a', '{a}'],
    ['a == 1', '{a eq 1}'],
    ['1 == a', '{1 eq a}'],
    ['a == b', '{a eq b}'],
    ['a and b and c', '({a} AND {b} AND {c})'],
    ['a or b or c', '({a} OR {b} OR {c})'],
    // Rulekit's precedence: `or` binds tighter than `and`.
    ['a and b or c', '({a} AND ({b} OR {c}))'],
    ['a or b and c', '(({a} OR {b}) AND {c})'],
    ['a or b and c or d', '(({a} OR {b}) AND ({c} OR {d}))'],
    ['(a and b) or c', '(({a} AND {b}) OR {c})'],
    ['(a and b) and (c and d)', '({a} AND {b} AND {c} AND {d})'],
    ['not a and b', '(NOT {a} AND {b})'],
    ['!a or b', '(NOT {a} OR {b})'],
    ['not a == 1', 'NOT {a eq 1}'],
    ['!!a', 'NOT NOT {a}'],
    ['not (a or b)', 'NOT ({a} OR {b})'],
    ['((a))', '{a}'],
    ['a ne 1 AND b LT 2 Or c GE 3', '({a ne 1} AND ({b lt 2} OR {c ge 3}))'],
    ['s contains "x"', '{s contains "x"}'],
    ['s matches /^x$/', '{s matches re(^x$/)}'],
    ['s =~ |(?i)get|', '{s matches re(get/i)}'],
    ['a in [1, "two", 3.5, true, 10.0.0.1, b]', '{a in [1, "two", 3.5, true, ip(10.0.0.1), b]}'],
    ['dst.ip in 10.0.0.0/8', '{dst.ip in cidr(10.0.0.0/8)}'],
    ['dst.ip in "10.0.0.0/8"', '{dst.ip in cidr(10.0.0.0/8)}'],
    ['"x" in tags', '{"x" in tags}'],
    ['m == 47:45:54', '{m eq "GET"}'],
    ['mac == 00:1a:ff:3c', '{mac eq hex(001aff3c)}'],
    ['headers["User-Agent"]', '{headers.user-agent}'],
    ['http.req.headers.User-Agent == "x"', '{http.req.headers.user-agent eq "x"}'],
    ['labels["app.kubernetes.io/name"] == "web"', '{labels.app.kubernetes.io/name eq "web"}'],
    ['items[0] == items [1]', '{items[0] eq items[1]}'],
    ['a["b"][2]["C"]', '{a.b[2].C}'],
    ['f()', '{f()}'],
    ['starts_with(a.b, "x") and zone(d) == "e.com"', '({starts_with(a.b, "x")} AND {zone(d) eq "e.com"})'],
    ['in_zone(zone(d), [1])', '{in_zone(zone(d), [1])}'],
    ['a -- note\n and /* x */ b', '({a} AND {b})'],
  ];
  for (const [expr, shape] of table) {
    test(JSON.stringify(expr), () => assert.equal(show(parseRule(expr)), shape));
  }
});

describe('syntax errors name the column', () => {
  const table: Array<[expr: string, column: number]> = [
    ['', 1],
    ['  -- only a comment', 20],
    ['a ==', 5],
    ['== 1', 1],
    ['a == 1 b', 8],
    ['a == 1 == 2', 8],
    ['(a == 1', 8],
    ['a == 1)', 7],
    ['http.res.status >= 400 and )', 28],
    ['a and', 6],
    ['a or or b', 6],
    ['not', 4],
    ['()', 2],
    ['(a) == 1', 5],
    ['a == []', 7],
    ['a == [1, [2]]', 10],
    ['a == [1 2]', 9],
    ['a == [1,]', 9],
    ['f(1 2)', 5],
    ['f(1,)', 5],
    ['f(', 3],
    ['a.b(1)', 1],
    ['my-fn()', 1],
    ['a matches "x"', 11],
    ['a matches b', 11],
    ['a in 5', 6],
    ['a in "text"', 6],
    ['a in 1.2.3.4', 6],
    ['a in /x/', 6],
    ['a matches /(/', 11],
    ['a matches |[[:nope:]]|', 11],
    ['a["b"', 6],
    ['a[b]', 3],
    ['a[-1]', 3],
    ['a[1.5]', 3],
    ['a ! b', 3],
  ];
  for (const [expr, column] of table) {
    test(`${JSON.stringify(expr)} → column ${column}`, () => {
      assert.throws(
        () => parseRule(expr),
        (err: unknown) => err instanceof RuleError && err.code === 'CT_ERR_RULE' && err.column === column && err.reason.length > 0,
      );
    });
  }

  test('the message says what was found, where, and what was expected', () => {
    assert.throws(() => parseRule('http.res.status >= 400 and )'), {
      message: "rule: unexpected ')' at column 28 — expected a value",
    });
  });
});

describe('nesting limit', () => {
  test(`${MAX_NESTING} levels parse; one more is a RuleError, not a stack overflow`, () => {
    const ok = `${'('.repeat(MAX_NESTING)}a${')'.repeat(MAX_NESTING)}`;
    assert.equal(show(parseRule(ok)), '{a}');
    for (const deep of [
      `${'('.repeat(MAX_NESTING + 1)}a${')'.repeat(MAX_NESTING + 1)}`,
      `${'!'.repeat(MAX_NESTING + 1)}a`,
      `${'not '.repeat(100_000)}a`,
      `${'f('.repeat(MAX_NESTING + 1)}${')'.repeat(MAX_NESTING + 1)}`,
      '('.repeat(1_000_000),
    ]) {
      assert.throws(() => parseRule(deep), (err: unknown) => err instanceof RuleError);
    }
  });

  test('long flat chains are fine', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => `f${i} == ${i}`).join(' and ');
    const c = parseRule(chain);
    assert.equal(c.kind === 'and' && c.items.length, 10_000);
  });
});
