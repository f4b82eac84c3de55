import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileMacros } from './macros.ts';
import { compileRule } from './rule.ts';
import { RuleError } from './rule-error.ts';
import type { RuleFields } from './rule-values.ts';

const fields: RuleFields = { status: 503, path: '/api/users', user: 'root' };

describe('macros', () => {
  const macros = compileMacros([
    // Defined before the macros it calls: order does not matter.
    { name: 'api_error', expr: 'server_error() and is_api()' },
    { name: 'server_error', expr: 'status >= 500' },
    { name: 'is_api', expr: 'starts_with(path, "/api/")' },
    { name: 'has_team', expr: 'team == "core"' },
  ]);

  const table: Array<[expr: string, outcome: string]> = [
    ['server_error()', 'pass'],
    ['api_error() && user != "root"', 'fail'],
    ['api_error() and user == "root"', 'pass'],
    ['!server_error()', 'fail'],
    ['server_error() == true', 'pass'],
    ['has_team()', 'missing'],
    ['not has_team()', 'missing'],
    ['has_team() or server_error()', 'pass'],
    ['has_team() and not server_error()', 'fail'],
  ];
  for (const [expr, outcome] of table) {
    test(`${expr} → ${outcome}`, () => assert.equal(compileRule(expr, { macros }).evaluate(fields), outcome));
  }

  test('names() lists them; a rule without the table does not know them', () => {
    assert.deepEqual(macros.names().sort(), ['api_error', 'has_team', 'is_api', 'server_error']);
    assert.throws(() => compileRule('server_error()'), RuleError);
  });

  test('a macro call with arguments is an error at the call', () => {
    assert.throws(() => compileRule('x and server_error(1)', { macros }), (err: unknown) => err instanceof RuleError && err.column === 7);
  });
});

describe('macro definition errors name the macro', () => {
  const table: Array<[defs: Array<{ name: string; expr: string }>, macro: string, column: number]> = [
    [[{ name: 'a', expr: 'x ==' }], 'a', 5],
    [[{ name: 'a', expr: 'x' }, { name: 'b', expr: 'a() and nope()' }], 'b', 9],
    [[{ name: 'a', expr: 'x' }, { name: 'a', expr: 'y' }], 'a', 0],
    [[{ name: 'a', expr: 'a()' }], 'a', 1],
    [[{ name: 'a', expr: 'b()' }, { name: 'b', expr: 'x and c()' }, { name: 'c', expr: 'a()' }], 'c', 1],
    [[{ name: 'zone', expr: 'x' }], 'zone', 0],
    [[{ name: 'and', expr: 'x' }], 'and', 0],
    [[{ name: 'TRUE', expr: 'x' }], 'TRUE', 0],
    [[{ name: 'a.b', expr: 'x' }], 'a.b', 0],
    [[{ name: '', expr: 'x' }], '', 0],
    [[{ name: '1a', expr: 'x' }], '1a', 0],
    [[{ name: 'a', expr: 'b(1)' }, { name: 'b', expr: 'x' }], 'a', 1],
  ];
  for (const [defs, macro, column] of table) {
    test(`${JSON.stringify(defs)} → ${macro}@${column}`, () => {
      assert.throws(
        () => compileMacros(defs),
        (err: unknown) => err instanceof RuleError && err.code === 'CT_ERR_RULE' && err.macro === macro && err.column === column && err.message.includes(`"${macro}"`),
      );
    });
  }

  test('a chain deeper than the nesting limit is refused', () => {
    const defs = Array.from({ length: 100 }, (_, i) => ({ name: `m${i}`, expr: i === 99 ? 'x' : `m${i + 1}()` }));
    assert.throws(() => compileMacros(defs), RuleError);
    assert.doesNotThrow(() => compileMacros(defs.slice(60).map((d, i) => (i === 39 ? { name: d.name, expr: 'x' } : d))));
  });
});
