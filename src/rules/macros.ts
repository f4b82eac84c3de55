// Macros: named rules that other rules call as `name()`. They are compiled once, callees first, so a call is a
// direct closure call at evaluation time. Duplicate names, names that are not callable, recursion and bad
// expressions are RuleErrors that name the macro.
import type { Condition, Operand } from './ast.ts';
import { compileCondition, type CompiledCondition, type MacroLookup } from './compile.ts';
import { BUILTINS } from './functions.ts';
import { tokenize } from './lexer.ts';
import { MAX_NESTING, parseRule } from './parser.ts';
import { columnAt, RuleError } from './rule-error.ts';

export interface MacroDefinition {
  name: string;
  expr: string;
}

export class MacroTable implements MacroLookup {
  private readonly compiled: ReadonlyMap<string, CompiledCondition>;

  constructor(compiled: ReadonlyMap<string, CompiledCondition>) {
    this.compiled = compiled;
  }

  condition(name: string): CompiledCondition | undefined {
    return this.compiled.get(name);
  }

  names(): string[] {
    return [...this.compiled.keys()];
  }
}

interface MacroCall {
  name: string;
  at: number;
}

function callsIn(c: Condition, out: MacroCall[]): MacroCall[] {
  const visitOperand = (o: Operand): void => {
    if (o.kind === 'call') out.push({ name: o.name, at: o.at });
    if (o.kind === 'call' || o.kind === 'array') for (const x of o.kind === 'call' ? o.args : o.items) visitOperand(x);
  };
  switch (c.kind) {
    case 'and':
    case 'or':
      for (const item of c.items) callsIn(item, out);
      break;
    case 'not':
      callsIn(c.item, out);
      break;
    case 'compare':
      visitOperand(c.left);
      visitOperand(c.right);
      break;
    case 'truthy':
      visitOperand(c.operand);
      break;
  }
  return out;
}

function withMacro(err: unknown, macro: string): unknown {
  return err instanceof RuleError ? new RuleError(err.column, err.reason, { macro, hint: err.hint }) : err;
}

/** A name a rule can call: an identifier that is not a keyword (`and()` would not parse as a call). */
function isCallableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && tokenize(name)[0].kind === 'ident';
}

export function compileMacros(defs: readonly MacroDefinition[]): MacroTable {
  const parsed = new Map<string, { expr: string; ast: Condition; calls: MacroCall[] }>();
  for (const def of defs) {
    if (!isCallableName(def.name)) {
      throw new RuleError(0, 'is not a usable name — expected letters, digits and _, and not a keyword', { macro: def.name });
    }
    if (BUILTINS.has(def.name)) throw new RuleError(0, 'is the name of a built-in function — pick another name', { macro: def.name });
    if (parsed.has(def.name)) throw new RuleError(0, 'is defined twice', { macro: def.name });
    try {
      const ast = parseRule(def.expr);
      parsed.set(def.name, { expr: def.expr, ast, calls: callsIn(ast, []) });
    } catch (err) {
      throw withMacro(err, def.name);
    }
  }

  // Depth-first, callees before callers; a call back into a macro on the current path is a cycle.
  const compiled = new Map<string, CompiledCondition>();
  const lookup = new MacroTable(compiled);
  const onPath: string[] = [];
  const visit = (name: string): void => {
    const macro = parsed.get(name);
    if (macro === undefined || compiled.has(name)) return;
    onPath.push(name);
    if (onPath.length > MAX_NESTING) throw new RuleError(0, `calls macros ${MAX_NESTING} deep — at most ${MAX_NESTING} levels`, { macro: name });
    for (const call of macro.calls) {
      if (onPath.includes(call.name)) {
        const cycle = [...onPath.slice(onPath.indexOf(call.name)), call.name].join(' → ');
        throw new RuleError(columnAt(macro.expr, call.at), `calls itself (${cycle}) — macros cannot be recursive`, { macro: name });
      }
      visit(call.name);
    }
    try {
      compiled.set(name, compileCondition(macro.expr, macro.ast, lookup));
    } catch (err) {
      throw withMacro(err, name);
    }
    onPath.pop();
  };
  for (const name of parsed.keys()) visit(name);
  return lookup;
}
