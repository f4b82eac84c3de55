// The one error a rule expression can produce: where (a column of the expression) and what was expected there.
import { CleartapError } from '../core/errors.ts';

export class RuleError extends CleartapError {
  /** 1-based column in the expression, counted in characters; 0 when the problem has no single position. */
  readonly column: number;
  /** What went wrong and what was expected, without the position (e.g. "unexpected ')' — expected a value"). */
  readonly reason: string;
  /** The macro whose expression this is about, if any. */
  readonly macro: string | undefined;

  constructor(column: number, reason: string, options?: { macro?: string; hint?: string }) {
    const where = column > 0 ? ` at column ${column}` : '';
    const dash = reason.indexOf(' — ');
    const text = dash < 0 ? `${reason}${where}` : `${reason.slice(0, dash)}${where}${reason.slice(dash)}`;
    const subject = options?.macro === undefined ? 'rule' : `rule macro "${options.macro}"`;
    super('CT_ERR_RULE', `${subject}: ${text}`, options?.hint);
    this.name = 'RuleError';
    this.column = column;
    this.reason = reason;
    this.macro = options?.macro;
  }
}

/** The 1-based character column of a UTF-16 offset (astral characters count once). */
export function columnAt(expr: string, offset: number): number {
  let column = 1;
  for (let i = 0; i < offset && i < expr.length; i++) {
    const c = expr.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < offset) {
      const next = expr.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    column++;
  }
  return column;
}

/** A RuleError for the character at `offset` of `expr`. */
export function ruleErrorAt(expr: string, offset: number, reason: string, hint?: string): RuleError {
  return new RuleError(columnAt(expr, offset), reason, hint === undefined ? undefined : { hint });
}
