// The public face of a rule: compile once (at config load), then evaluate per transaction.
import { compileCondition, type CompiledCondition } from './compile.ts';
import type { MacroTable } from './macros.ts';
import { parseRule } from './parser.ts';
import { RuleError } from './rule-error.ts';
import { PASS, type RuleFields } from './rule-values.ts';

/** 'missing': a field the rule needs is absent; neither a pass nor a fail (Qtap treats it as no match). */
export type RuleOutcome = 'pass' | 'fail' | 'missing';

export interface CompiledRule {
  readonly expr: string;
  evaluate(fields: RuleFields): RuleOutcome;
  /** True only on 'pass'. */
  matches(fields: RuleFields): boolean;
}

/** Indexed by the internal Outcome numbers FAIL, PASS, UNKNOWN. */
const OUTCOMES: readonly RuleOutcome[] = ['fail', 'pass', 'missing'];

class Rule implements CompiledRule {
  readonly expr: string;
  private readonly condition: CompiledCondition;

  constructor(expr: string, condition: CompiledCondition) {
    this.expr = expr;
    this.condition = condition;
  }

  evaluate(fields: RuleFields): RuleOutcome {
    return OUTCOMES[this.condition(fields)];
  }

  matches(fields: RuleFields): boolean {
    return this.condition(fields) === PASS;
  }
}

/** Throws RuleError (code CT_ERR_RULE, with the column) for syntax errors, unknown functions and bad arity. */
export function compileRule(expr: string, options?: { macros?: MacroTable }): CompiledRule {
  return new Rule(expr, compileCondition(expr, parseRule(expr), options?.macros));
}

/** For config validation: the first problem of an expression, or undefined when it compiles. */
export function checkRule(expr: string, macros?: MacroTable): { message: string; column: number } | undefined {
  try {
    compileRule(expr, { macros });
    return undefined;
  } catch (err) {
    if (err instanceof RuleError) return { message: err.message, column: err.column };
    throw err;
  }
}
