// AST → closures. Everything that can be prepared is prepared here (regexes, CIDRs, constant arrays, path
// segments, arity checks), so evaluating a rule allocates nothing and cannot throw. Outcomes follow Rulekit's
// three-valued logic: a missing field makes its comparison UNKNOWN; `and` fails if any part fails, `or` passes
// if any part passes, and otherwise an UNKNOWN part makes the whole UNKNOWN; `not` keeps UNKNOWN.
import { IpAddress } from '../core/ip.ts';
import type { BinaryOp, Condition, Operand, PathSegment } from './ast.ts';
import { BUILTINS } from './functions.ts';
import { ruleErrorAt } from './rule-error.ts';
import {
  containsValue,
  equalsValue,
  FAIL,
  inValue,
  isTruthy,
  matchesValue,
  MISSING,
  notEqualsValue,
  orderedValue,
  PASS,
  UNKNOWN,
  type Outcome,
  type RuleFields,
} from './rule-values.ts';

export type CompiledCondition = (fields: RuleFields) => Outcome;
type CompiledOperand = (fields: RuleFields) => unknown;
type Test = (left: unknown, right: unknown) => boolean;

/** Where compiled macros are found by name (a MacroTable). */
export interface MacroLookup {
  condition(name: string): CompiledCondition | undefined;
  names(): string[];
}

const TESTS: Readonly<Record<BinaryOp, Test>> = {
  eq: equalsValue,
  ne: notEqualsValue,
  lt: (a, b) => orderedValue('lt', a, b),
  le: (a, b) => orderedValue('le', a, b),
  gt: (a, b) => orderedValue('gt', a, b),
  ge: (a, b) => orderedValue('ge', a, b),
  contains: containsValue,
  matches: (a, b) => b instanceof RegExp && matchesValue(a, b),
  in: inValue,
};

function step(v: unknown, key: PathSegment): unknown {
  if (typeof v !== 'object' || v === null) return MISSING;
  let next: unknown;
  if (typeof key === 'number') {
    if (!Array.isArray(v) || key >= v.length) return MISSING;
    next = v[key];
  } else {
    // Own keys only: "constructor" or "__proto__" must not reach Object.prototype.
    if (Array.isArray(v) || v instanceof IpAddress || !Object.hasOwn(v, key)) return MISSING;
    next = (v as Record<string, unknown>)[key];
  }
  return next === undefined || next === null ? MISSING : next;
}

function readPath(path: readonly PathSegment[]): CompiledOperand {
  if (path.length === 1) {
    const [a] = path;
    return (f) => step(f, a);
  }
  if (path.length === 2) {
    const [a, b] = path;
    return (f) => step(step(f, a), b);
  }
  if (path.length === 3) {
    const [a, b, c] = path;
    return (f) => step(step(step(f, a), b), c);
  }
  return (f) => {
    let v: unknown = f;
    for (let i = 0; i < path.length && v !== MISSING; i++) v = step(v, path[i]);
    return v;
  };
}

class Compiler {
  private readonly expr: string;
  private readonly macros: MacroLookup | undefined;

  constructor(expr: string, macros: MacroLookup | undefined) {
    this.expr = expr;
    this.macros = macros;
  }

  condition(c: Condition): CompiledCondition {
    switch (c.kind) {
      case 'and': {
        const parts = c.items.map((item) => this.condition(item));
        return (f) => {
          let unknown = false;
          for (let i = 0; i < parts.length; i++) {
            const o = parts[i](f);
            if (o === FAIL) return FAIL;
            if (o === UNKNOWN) unknown = true;
          }
          return unknown ? UNKNOWN : PASS;
        };
      }
      case 'or': {
        const parts = c.items.map((item) => this.condition(item));
        return (f) => {
          let unknown = false;
          for (let i = 0; i < parts.length; i++) {
            const o = parts[i](f);
            if (o === PASS) return PASS;
            if (o === UNKNOWN) unknown = true;
          }
          return unknown ? UNKNOWN : FAIL;
        };
      }
      case 'not': {
        const inner = this.condition(c.item);
        return (f) => {
          const o = inner(f);
          return o === UNKNOWN ? UNKNOWN : o === PASS ? FAIL : PASS;
        };
      }
      case 'truthy': {
        const read = this.operand(c.operand);
        return (f) => {
          const v = read(f);
          return v === MISSING ? UNKNOWN : isTruthy(v) ? PASS : FAIL;
        };
      }
      case 'compare':
        return this.compare(TESTS[c.op], c.left, c.right);
    }
  }

  private compare(test: Test, left: Operand, right: Operand): CompiledCondition {
    const readLeft = this.operand(left);
    const constant = constantOf(right);
    if (constant !== MISSING) {
      return (f) => {
        const l = readLeft(f);
        return l === MISSING ? UNKNOWN : test(l, constant) ? PASS : FAIL;
      };
    }
    const readRight = this.operand(right);
    return (f) => {
      const l = readLeft(f);
      if (l === MISSING) return UNKNOWN;
      const r = readRight(f);
      return r === MISSING ? UNKNOWN : test(l, r) ? PASS : FAIL;
    };
  }

  private operand(o: Operand): CompiledOperand {
    switch (o.kind) {
      case 'literal': {
        const value = o.value;
        return () => value;
      }
      case 'field':
        return readPath(o.path);
      case 'array': {
        const constant = constantOf(o);
        if (constant !== MISSING) return () => constant;
        // Elements that are fields are read into one array reused by every evaluation of this node.
        const reads = o.items.map((item) => this.operand(item));
        const values = genericArray(reads.length);
        return (f) => {
          for (let i = 0; i < reads.length; i++) {
            const v = reads[i](f);
            if (v === MISSING) return MISSING;
            values[i] = v;
          }
          return values;
        };
      }
      case 'call':
        return this.call(o);
    }
  }

  private call(o: Operand & { kind: 'call' }): CompiledOperand {
    const builtin = BUILTINS.get(o.name);
    if (builtin !== undefined) {
      if (o.args.length !== builtin.arity) {
        throw ruleErrorAt(this.expr, o.at, `wrong number of arguments — ${o.name}() takes ${builtin.arity}, got ${o.args.length}`);
      }
      const [a, b] = o.args.map((arg) => this.operand(arg));
      if (builtin.arity === 1) {
        const apply = builtin.apply;
        return (f) => {
          const x = a(f);
          return x === MISSING ? MISSING : apply(x);
        };
      }
      const apply = builtin.apply;
      return (f) => {
        const x = a(f);
        if (x === MISSING) return MISSING;
        const y = b(f);
        return y === MISSING ? MISSING : apply(x, y);
      };
    }
    const macro = this.macros?.condition(o.name);
    if (macro === undefined) {
      const known = [...BUILTINS.keys(), ...(this.macros?.names() ?? [])].join(', ');
      throw ruleErrorAt(this.expr, o.at, `unknown function '${o.name}' — expected one of ${known}`);
    }
    if (o.args.length > 0) throw ruleErrorAt(this.expr, o.at, `wrong number of arguments — macro ${o.name}() takes none, got ${o.args.length}`);
    return (f) => {
      const outcome = macro(f);
      return outcome === PASS ? true : outcome === FAIL ? false : MISSING;
    };
  }
}

/**
 * An array V8 keeps as tagged elements. One that held only numbers would store them unboxed, and reading a
 * float back out as a value would allocate a box on every evaluation.
 */
function genericArray(length: number): unknown[] {
  return new Array<unknown>(length).fill(MISSING);
}

/** The value of a literal or of an array of literals (built once, shared by every evaluation); else MISSING. */
function constantOf(o: Operand): unknown {
  if (o.kind === 'literal') return o.value;
  if (o.kind !== 'array' || o.items.some((item) => item.kind !== 'literal')) return MISSING;
  const values = genericArray(o.items.length);
  o.items.forEach((item, i) => {
    if (item.kind === 'literal') values[i] = item.value;
  });
  return Object.freeze(values);
}

/** Compiles a parsed rule; throws RuleError for unknown functions and wrong argument counts. */
export function compileCondition(expr: string, ast: Condition, macros: MacroLookup | undefined): CompiledCondition {
  return new Compiler(expr, macros).condition(ast);
}
