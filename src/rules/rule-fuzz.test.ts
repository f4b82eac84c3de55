// Seeded property tests. (a) Token soups, random text and mutated rules: compiling either succeeds or throws a
// RuleError with a column inside the text, never anything else, and never hangs. (b) Random well-formed rules
// on random fields: the compiled closures agree with the plain reference interpreter, and evaluation never
// throws, even on fields of the wrong shape.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Condition } from './ast.ts';
import { ExpressionGenerator, GENERATED_MACROS, randomFields } from './fixtures/expression-generator.ts';
import { ReferenceInterpreter } from './fixtures/reference-interpreter.ts';
import { SeededRandom } from '../core/fixtures/seeded-random.ts';
import { compileMacros } from './macros.ts';
import { parseRule } from './parser.ts';
import { compileRule, type CompiledRule } from './rule.ts';
import { RuleError, columnAt } from './rule-error.ts';
import type { RuleFields } from './rule-values.ts';

const macros = compileMacros(GENERATED_MACROS);
const reference = new ReferenceInterpreter(new Map<string, Condition>(GENERATED_MACROS.map((m) => [m.name, parseRule(m.expr)])));
const OUTCOMES = new Set(['pass', 'fail', 'missing']);

/** Compiles, or checks that the failure is a well-formed RuleError. */
function compileOrRuleError(expr: string): CompiledRule | undefined {
  try {
    return compileRule(expr, { macros });
  } catch (err) {
    if (!(err instanceof RuleError)) throw new Error(`${JSON.stringify(expr)} threw a non-RuleError: ${String(err)}`);
    const last = columnAt(expr, expr.length);
    assert.ok(err.column >= 1 && err.column <= last, `${JSON.stringify(expr)}: column ${err.column} outside 1..${last}`);
    assert.equal(err.code, 'CT_ERR_RULE');
    return undefined;
  }
}

const SOUP = [
  '(', ')', '[', ']', ',', '!', 'not', '&&', 'and', '||', 'or', '==', '!=', '<', '<=', '>', '>=', 'eq', 'contains', 'matches',
  '=~', 'in', '=', '&', '|', '/', '-', '+', '*', '--', '/*', '*/', '"', "'", '\\', 'a', 'b.c', 'h["k"]', 'x[0]', 'f(', 'zone(',
  'starts_with(', 'in_zone(', 'is_get()', '1', '-2', '3.5', '.5', '1.', 'true', 'FALSE', '"s"', "'t'", '"unterminated', '10.0.0.1',
  '::1', 'fe80::', '10.0.0.0/8', '::/129', '1.2.3', '47:45:54', 'ab:cd:', '/re/', '|re|', '/(/', '/[/', '(?P<x>a)', '\n', '\t',
  'é', '😀', '\u0000', '$', '#', '@', '`', '~', '^', '?', ':', ';', '{', '}', '99999999999999999999999',
];

describe('parser robustness', () => {
  test('token soups', { timeout: 60_000 }, () => {
    const rng = new SeededRandom(0x5eed1);
    let compiled = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = rng.int(1, 12);
      let expr = '';
      for (let k = 0; k < n; k++) expr += rng.pick(SOUP) + (rng.chance(0.6) ? ' ' : '');
      const rule = compileOrRuleError(expr);
      if (rule !== undefined) {
        compiled++;
        assert.ok(OUTCOMES.has(rule.evaluate(randomFields(rng))));
      }
    }
    assert.ok(compiled > 100, `only ${compiled} soups compiled: the soup is too salty to exercise evaluation`);
  });

  test('random characters', { timeout: 60_000 }, () => {
    const rng = new SeededRandom(0x5eed2);
    const alphabet = [...'ab1.:/|"\'\\()[],!=<>&-+* \n\t~é'];
    for (let i = 0; i < 20_000; i++) {
      let expr = '';
      const n = rng.int(0, 24);
      for (let k = 0; k < n; k++) expr += rng.chance(0.02) ? String.fromCharCode(rng.int(0, 0xffff)) : rng.pick(alphabet);
      compileOrRuleError(expr);
    }
  });

  test('well-formed rules with one character deleted, inserted or swapped', { timeout: 60_000 }, () => {
    const rng = new SeededRandom(0x5eed3);
    const gen = new ExpressionGenerator(rng);
    for (let i = 0; i < 5_000; i++) {
      const expr = gen.condition(3);
      const at = rng.int(0, expr.length);
      const mutated = rng.pick([
        expr.slice(0, at) + expr.slice(at + 1),
        expr.slice(0, at) + rng.pick(['(', ')', '"', '/', '|', '[', ',', 'x', '.', ':', '-', ' ']) + expr.slice(at),
        expr.slice(0, at) + expr.slice(at + 1, at + 2) + expr.slice(at, at + 1) + expr.slice(at + 2),
      ]);
      compileOrRuleError(mutated);
    }
  });

  test('huge inputs stay fast', { timeout: 60_000 }, () => {
    for (const expr of ['('.repeat(200_000), '!'.repeat(200_000), '"'.repeat(200_000), 'a'.repeat(200_000), '[1,'.repeat(50_000), 'a and '.repeat(50_000)]) {
      const start = performance.now();
      compileOrRuleError(expr);
      assert.ok(performance.now() - start < 5_000, `${expr.slice(0, 8)}… took too long`);
    }
  });
});

describe('compiled closures agree with the reference interpreter', () => {
  for (const seed of [1, 2, 3, 4]) {
    test(`seed ${seed}: 1500 rules × 8 field sets`, { timeout: 60_000 }, () => {
      const rng = new SeededRandom(seed);
      const gen = new ExpressionGenerator(rng);
      const seen = { pass: 0, fail: 0, missing: 0 };
      for (let i = 0; i < 1_500; i++) {
        const expr = gen.condition(rng.int(0, 4));
        const ast = parseRule(expr);
        const rule = compileRule(expr, { macros });
        for (let k = 0; k < 8; k++) {
          const fields = randomFields(rng);
          const expected = reference.evaluate(ast, fields);
          const got = rule.evaluate(fields);
          if (got !== expected) assert.fail(`${expr}\nfields: ${inspectFields(fields)}\ncompiled: ${got}, reference: ${expected}`);
          seen[got]++;
        }
      }
      // The generator must exercise all three outcomes, or agreement means little.
      for (const [outcome, count] of Object.entries(seen)) assert.ok(count > 500, `${outcome} seen only ${count} times`);
    });
  }
});

function inspectFields(fields: RuleFields): string {
  return JSON.stringify(fields, (_k, v: unknown) => (v instanceof Object && 'family' in v ? `ip:${JSON.stringify(v)}` : v));
}

describe('evaluation never throws', () => {
  test('fields of every odd shape', () => {
    const rng = new SeededRandom(0x0dd);
    const gen = new ExpressionGenerator(rng);
    const odd: unknown[] = [
      null, undefined, 0n, 5n, Symbol('s'), () => 1, new Date(0), new Map([['x', 1]]), new Uint8Array(3), NaN, Infinity, -0,
      [[1, 2], [3]], [null, undefined], { length: 2 }, Object.create(null), /re/, [Symbol('t')], 'x'.repeat(10_000),
    ];
    const fieldSets = [
      {},
      ...odd.map((v) => ({ a: v, b: v, s: v, n: v, ip: v, tags: v, flag: v, nested: v, h: v, absent: v })),
      ...odd.map((v) => ({ nested: { x: v, y: v }, h: { 'k-1': v }, tags: [v, v] })),
    ] as unknown as RuleFields[];
    for (let i = 0; i < 3_000; i++) {
      const rule = compileRule(gen.condition(3), { macros });
      for (const fields of fieldSets) assert.ok(OUTCOMES.has(rule.evaluate(fields)));
    }
  });
});
