// Public surface of rules/: the Rulekit-compatible expression language (qtap-reference.md §2). Compile once,
// evaluate per transaction; evaluation allocates nothing and never throws.
export { compileMacros, MacroTable } from './macros.ts';
export type { MacroDefinition } from './macros.ts';
export { checkRule, compileRule } from './rule.ts';
export type { CompiledRule, RuleOutcome } from './rule.ts';
export { RuleError } from './rule-error.ts';
export type { RuleFields, RuleLeaf } from './rule-values.ts';
export { transactionFields } from './transaction-fields.ts';
