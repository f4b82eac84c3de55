// Tokens → AST by recursive descent. Precedence is Rulekit's, whose grammar (parser.y) declares op_AND before
// op_OR and so makes `or` bind tighter than `and`: `a and b or c` is `a and (b or c)`. `not` binds tightest and
// applies to a whole comparison: `not a == 1` is `not (a == 1)`. Comparisons do not chain.
import type { Condition, LiteralValue, Operand, PathSegment } from './ast.ts';
import { tokenize, type Token } from './lexer.ts';
import { compileRegex } from './regex-translate.ts';
import { columnAt, ruleErrorAt } from './rule-error.ts';
import { HexBytes } from './rule-values.ts';
import { Cidr, parseCidr } from '../core/ip.ts';

/** Parentheses, `not`, arrays and calls nest at most this deep, so no input can exhaust the stack. */
export const MAX_NESTING = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Hex bytes that spell UTF-8 text are that text (47:45:54 == "GET"); others stay bytes. */
function hexValue(bytes: Uint8Array): LiteralValue {
  try {
    return utf8.decode(bytes);
  } catch {
    return new HexBytes(bytes);
  }
}

class Parser {
  private readonly expr: string;
  private readonly tokens: Token[];
  private pos = 0;
  private depth = 0;

  constructor(expr: string) {
    this.expr = expr;
    this.tokens = tokenize(expr);
  }

  parse(): Condition {
    if (this.peek().kind === 'eof') this.fail(this.peek().start, 'empty rule — expected a condition');
    const condition = this.andChain();
    const rest = this.peek();
    if (rest.kind !== 'eof') this.unexpected(rest, "expected 'and', 'or' or the end of the rule");
    return condition;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private fail(offset: number, reason: string, hint?: string): never {
    throw ruleErrorAt(this.expr, offset, reason, hint);
  }

  private unexpected(t: Token, expected: string): never {
    const text = this.expr.slice(t.start, t.end);
    const what = t.kind === 'eof' ? 'end of rule' : text.length > 24 ? `'${text.slice(0, 24)}…'` : `'${text}'`;
    return this.fail(t.start, `unexpected ${what} — ${expected}`);
  }

  private enter(at: Token): void {
    if (++this.depth > MAX_NESTING) this.fail(at.start, `too deeply nested — at most ${MAX_NESTING} levels of (), not, [] and calls`);
  }

  private andChain(): Condition {
    const items = [this.orChain()];
    while (this.peek().kind === 'and') {
      this.next();
      items.push(this.orChain());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items: items.flatMap((c) => (c.kind === 'and' ? c.items : [c])) };
  }

  private orChain(): Condition {
    const items = [this.unary()];
    while (this.peek().kind === 'or') {
      this.next();
      items.push(this.unary());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items: items.flatMap((c) => (c.kind === 'or' ? c.items : [c])) };
  }

  private unary(): Condition {
    const t = this.peek();
    if (t.kind === 'not') {
      this.next();
      this.enter(t);
      const item = this.unary();
      this.depth--;
      return { kind: 'not', item };
    }
    if (t.kind === 'lparen') {
      this.next();
      this.enter(t);
      const inner = this.andChain();
      const close = this.next();
      if (close.kind !== 'rparen') this.unexpected(close, `expected ')' to close the '(' at column ${columnAt(this.expr, t.start)}`);
      this.depth--;
      return inner;
    }
    return this.predicate();
  }

  private predicate(): Condition {
    const left = this.operand();
    const t = this.peek();
    if (t.kind === 'compare') {
      this.next();
      return { kind: 'compare', op: t.op, left, right: this.operand() };
    }
    if (t.kind === 'matches') {
      this.next();
      const r = this.next();
      if (r.kind !== 'regex') this.unexpected(r, "expected a regex like /re/ or |re| after 'matches'");
      return { kind: 'compare', op: 'matches', left, right: this.regexLiteral(r) };
    }
    if (t.kind === 'in') {
      this.next();
      return { kind: 'compare', op: 'in', left, right: this.inTarget() };
    }
    return { kind: 'truthy', operand: left };
  }

  /** The right side of `in`: a list or a CIDR, or a field / call that yields one. A quoted CIDR is a CIDR here. */
  private inTarget(): Operand {
    const right = this.operand();
    if (right.kind !== 'literal' || right.value instanceof Cidr) return right;
    if (typeof right.value === 'string') {
      const cidr = parseCidr(right.value);
      if (cidr !== undefined) return { kind: 'literal', value: cidr, at: right.at };
    }
    return this.unexpected(this.tokens[this.pos - 1], "expected a list like [1, 2] or a CIDR like 10.0.0.0/8 after 'in'");
  }

  private regexLiteral(t: Token & { kind: 'regex' }): Operand {
    const compiled = compileRegex(t.source);
    if ('reason' in compiled) {
      this.fail(t.start, `invalid regex — ${compiled.reason}`, 'Patterns follow Go RE2 syntax: (?i) for case-insensitive, \\/ for a slash inside /…/');
    }
    return { kind: 'literal', value: compiled.regex, at: t.start };
  }

  private operand(): Operand {
    const t = this.next();
    switch (t.kind) {
      case 'number':
      case 'bool':
      case 'string':
      case 'ip':
      case 'cidr':
        return { kind: 'literal', value: t.value, at: t.start };
      case 'hex':
        return { kind: 'literal', value: hexValue(t.value), at: t.start };
      case 'regex':
        return this.regexLiteral(t);
      case 'lbracket':
        return this.array(t);
      case 'ident':
        return this.peek().kind === 'lparen' ? this.call(t) : this.field(t);
      default:
        return this.unexpected(t, 'expected a value');
    }
  }

  private array(open: Token): Operand {
    this.enter(open);
    if (this.peek().kind === 'rbracket') this.unexpected(this.peek(), 'expected a value (an array cannot be empty)');
    const items: Operand[] = [];
    for (;;) {
      if (this.peek().kind === 'lbracket') this.unexpected(this.peek(), 'expected a value (arrays cannot be nested)');
      items.push(this.operand());
      const t = this.next();
      if (t.kind === 'rbracket') break;
      if (t.kind !== 'comma') this.unexpected(t, "expected ',' or ']'");
    }
    this.depth--;
    return { kind: 'array', items, at: open.start };
  }

  private call(name: Token & { kind: 'ident' }): Operand {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.name)) {
      this.fail(name.start, `invalid function name '${name.name}' — function names have no dots or hyphens`);
    }
    const open = this.next();
    this.enter(open);
    const args: Operand[] = [];
    if (this.peek().kind === 'rparen') {
      this.next();
    } else {
      for (;;) {
        args.push(this.operand());
        const t = this.next();
        if (t.kind === 'rparen') break;
        if (t.kind !== 'comma') this.unexpected(t, "expected ',' or ')'");
      }
    }
    this.depth--;
    return { kind: 'call', name: name.name, args, at: name.start };
  }

  /** `a.b.c`, then any `["key"]` / `[0]` steps. Keys under a `headers` map are lowercased, as its keys are. */
  private field(t: Token & { kind: 'ident' }): Operand {
    const path: PathSegment[] = t.name.split('.');
    let end = t.end;
    while (this.peek().kind === 'lbracket') {
      this.next();
      const key = this.next();
      if (key.kind === 'string') path.push(key.value);
      else if (key.kind === 'number' && /^\d+$/.test(this.expr.slice(key.start, key.end))) path.push(key.value);
      else this.unexpected(key, 'expected a quoted key like ["user-agent"] or an index like [0]');
      const close = this.next();
      if (close.kind !== 'rbracket') this.unexpected(close, "expected ']'");
      end = close.end;
    }
    for (let k = 1; k < path.length; k++) {
      const segment = path[k];
      if (typeof segment === 'string' && path[k - 1] === 'headers') path[k] = segment.toLowerCase();
    }
    return { kind: 'field', path, text: this.expr.slice(t.start, end), at: t.start };
  }
}

/** Parses a rule expression; throws RuleError (with the column) on any syntax error. */
export function parseRule(expr: string): Condition {
  return new Parser(expr).parse();
}
