// Rulekit expression text → tokens (qtap-reference.md §2.1). Literals are decoded here, so the parser sees
// values (numbers, unescaped strings, parsed IPs and CIDRs, hex bytes) and every error names a column.
import { parseCidr, parseIp, type Cidr, type IpAddress } from '../core/ip.ts';
import { ruleErrorAt } from './rule-error.ts';

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'contains';

interface Span {
  /** UTF-16 offsets of the token in the expression: [start, end). */
  start: number;
  end: number;
}

export type Token = Span &
  (
    | { kind: 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma' | 'not' | 'and' | 'or' | 'matches' | 'in' | 'eof' }
    | { kind: 'compare'; op: CompareOp }
    | { kind: 'number'; value: number }
    | { kind: 'bool'; value: boolean }
    | { kind: 'string'; value: string }
    | { kind: 'ip'; value: IpAddress }
    | { kind: 'cidr'; value: Cidr }
    | { kind: 'hex'; value: Uint8Array }
    /** The pattern between the delimiters, escapes kept as written. */
    | { kind: 'regex'; source: string }
    | { kind: 'ident'; name: string }
  );

type TokenKind = Token['kind'];

type KeywordToken =
  | { kind: 'not' | 'and' | 'or' | 'matches' | 'in' }
  | { kind: 'compare'; op: CompareOp }
  | { kind: 'bool'; value: boolean };

/** Keywords are case-insensitive; a field cannot be named like one. */
const KEYWORDS: ReadonlyMap<string, KeywordToken> = new Map<string, KeywordToken>([
  ['not', { kind: 'not' }],
  ['and', { kind: 'and' }],
  ['or', { kind: 'or' }],
  ['matches', { kind: 'matches' }],
  ['in', { kind: 'in' }],
  ['eq', { kind: 'compare', op: 'eq' }],
  ['ne', { kind: 'compare', op: 'ne' }],
  ['lt', { kind: 'compare', op: 'lt' }],
  ['le', { kind: 'compare', op: 'le' }],
  ['gt', { kind: 'compare', op: 'gt' }],
  ['ge', { kind: 'compare', op: 'ge' }],
  ['contains', { kind: 'compare', op: 'contains' }],
  ['true', { kind: 'bool', value: true }],
  ['false', { kind: 'bool', value: false }],
]);

const STRING_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '"': '"', "'": "'", '\\': '\\' };

/** After these a value comes next, so `/` and `|` open a regex there rather than being operators. */
const BEFORE_VALUE: ReadonlySet<TokenKind> = new Set(['lparen', 'lbracket', 'comma', 'not', 'and', 'or', 'compare', 'matches', 'in']);

const IPV4_SHAPE = /^\d+\.\d+\.\d+\.\d+$/;
const INT = /^\d+$/;
const FLOAT = /^\d*\.\d+$/;
const HEX_BYTES = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentChar(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Characters a number, address, hex bytes or field name is made of. */
function isWordChar(c: number): boolean {
  return isIdentChar(c) || c === 46 || c === 58;
}

function quote(text: string): string {
  const shown = text.length > 24 ? `${text.slice(0, 24)}…` : text;
  return /^[\x21-\x7e]+$/.test(shown) ? `'${shown}'` : JSON.stringify(shown);
}

class Lexer {
  private readonly expr: string;
  private pos = 0;
  private readonly tokens: Token[] = [];

  constructor(expr: string) {
    this.expr = expr;
  }

  run(): Token[] {
    for (;;) {
      this.skipSpaceAndComments();
      if (this.pos >= this.expr.length) {
        this.tokens.push({ kind: 'eof', start: this.expr.length, end: this.expr.length });
        return this.tokens;
      }
      this.tokens.push(this.next());
    }
  }

  private fail(offset: number, reason: string, hint?: string): never {
    throw ruleErrorAt(this.expr, offset, reason, hint);
  }

  private skipSpaceAndComments(): void {
    const e = this.expr;
    while (this.pos < e.length) {
      const c = e.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        this.pos++;
      } else if (e.startsWith('--', this.pos)) {
        const nl = e.indexOf('\n', this.pos);
        this.pos = nl < 0 ? e.length : nl + 1;
      } else if (e.startsWith('/*', this.pos)) {
        const close = e.indexOf('*/', this.pos + 2);
        if (close < 0) this.fail(this.pos, 'unterminated comment — expected */');
        this.pos = close + 2;
      } else {
        return;
      }
    }
  }

  private next(): Token {
    const e = this.expr;
    const start = this.pos;
    const c = e.charCodeAt(start);
    const c1 = e.charCodeAt(start + 1);
    const previous = this.tokens.at(-1);
    const valueNext = previous === undefined || BEFORE_VALUE.has(previous.kind);
    const simple = (kind: 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma' | 'not' | 'and' | 'or' | 'matches', length: number): Token => {
      this.pos = start + length;
      return { kind, start, end: this.pos };
    };
    const compare = (op: CompareOp, length: number): Token => {
      this.pos = start + length;
      return { kind: 'compare', op, start, end: this.pos };
    };
    switch (e[start]) {
      case '(': return simple('lparen', 1);
      case ')': return simple('rparen', 1);
      case '[': return simple('lbracket', 1);
      case ']': return simple('rbracket', 1);
      case ',': return simple('comma', 1);
      case '"':
      case "'": return this.string();
      case '!': return c1 === 61 ? compare('ne', 2) : simple('not', 1);
      case '<': return c1 === 61 ? compare('le', 2) : compare('lt', 1);
      case '>': return c1 === 61 ? compare('ge', 2) : compare('gt', 1);
      case '=':
        if (c1 === 61) return compare('eq', 2);
        if (c1 === 126) return simple('matches', 2);
        return this.fail(start, "unexpected '=' — expected == or =~");
      case '&':
        if (c1 === 38) return simple('and', 2);
        return this.fail(start, "unexpected '&' — expected && or and");
      case '|':
        if (c1 === 124) return simple('or', 2);
        if (valueNext) return this.regex('|');
        return this.fail(start, "unexpected '|' — expected || or or");
      case '/':
        if (valueNext) return this.regex('/');
        return this.fail(start, "unexpected '/' — a regex like /re/ goes where a value is expected");
    }
    if ((c === 43 || c === 45) && (isDigit(c1) || (c1 === 46 && isDigit(e.charCodeAt(start + 2))))) return this.word(true);
    if (isWordChar(c)) return this.word(false);
    const char = String.fromCodePoint(e.codePointAt(start) ?? c);
    return this.fail(start, `unexpected character ${quote(char)}`);
  }

  private string(): Token {
    const e = this.expr;
    const start = this.pos;
    const delimiter = e[start];
    let value = '';
    let i = start + 1;
    for (;;) {
      if (i >= e.length) this.fail(start, `unterminated string — expected a closing ${delimiter}`);
      const ch = e[i];
      if (ch === delimiter) break;
      if (ch !== '\\') {
        value += ch;
        i++;
        continue;
      }
      const escape = e[i + 1];
      if (escape !== undefined && Object.hasOwn(STRING_ESCAPES, escape)) {
        value += STRING_ESCAPES[escape];
        i += 2;
      } else if (escape === 'x' && /^[0-9A-Fa-f]{2}$/.test(e.slice(i + 2, i + 4))) {
        value += String.fromCharCode(Number.parseInt(e.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (escape === 'u' && /^[0-9A-Fa-f]{4}$/.test(e.slice(i + 2, i + 6))) {
        value += String.fromCharCode(Number.parseInt(e.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        this.fail(i, `unknown escape ${quote(`\\${escape ?? ''}`)} — expected \\n \\t \\r \\" \\' \\\\ \\xHH or \\uHHHH`);
      }
    }
    this.pos = i + 1;
    return { kind: 'string', value, start, end: this.pos };
  }

  private regex(delimiter: '/' | '|'): Token {
    const e = this.expr;
    const start = this.pos;
    let i = start + 1;
    while (i < e.length && e[i] !== delimiter) i += e[i] === '\\' ? 2 : 1;
    if (i >= e.length) this.fail(start, `unterminated regex — expected a closing ${delimiter}`);
    this.pos = i + 1;
    return { kind: 'regex', source: e.slice(start + 1, i), start, end: this.pos };
  }

  /** A number, IP address, CIDR, hex bytes, keyword or field name: one run of word characters, then classified. */
  private word(signed: boolean): Token {
    const e = this.expr;
    const start = this.pos;
    let i = signed ? start + 1 : start;
    while (i < e.length && isWordChar(e.charCodeAt(i))) i++;
    if (!signed && /[A-Za-z_]/.test(e[start])) {
      // Hyphens inside field names (user-agent), but never "--", which starts a comment.
      while (e[i] === '-' && isIdentChar(e.charCodeAt(i + 1))) {
        i++;
        while (i < e.length && isWordChar(e.charCodeAt(i))) i++;
      }
    }
    const text = e.slice(start, i);
    const body = signed ? text.slice(1) : text;
    this.pos = i;
    const span = { start, end: i };

    if (signed || INT.test(body) || FLOAT.test(body)) {
      if (INT.test(body)) return { kind: 'number', value: this.integer(text, start), ...span };
      if (FLOAT.test(body)) return { kind: 'number', value: Number(text), ...span };
      return this.fail(start, `invalid number ${quote(text)}`);
    }
    if (text.includes(':') || IPV4_SHAPE.test(text)) return this.address(text, start);
    if (IDENT.test(text)) {
      const keyword = KEYWORDS.get(text.toLowerCase());
      return keyword === undefined ? { kind: 'ident', name: text, ...span } : { ...keyword, ...span };
    }
    return this.fail(start, `unexpected ${quote(text)} — expected a field name, a number or an address`);
  }

  private integer(text: string, start: number): number {
    const big = BigInt(text);
    if (big < INT64_MIN || big > UINT64_MAX) this.fail(start, `integer ${quote(text)} is out of range — expected a 64-bit integer`);
    return Number(big);
  }

  /** IPv4 / IPv6 (then maybe /prefix for a CIDR) or colon-separated hex bytes such as 47:45:54. */
  private address(text: string, start: number): Token {
    const e = this.expr;
    const ip = parseIp(text);
    if (ip === undefined) {
      if (HEX_BYTES.test(text)) {
        const bytes = Uint8Array.from(text.split(':'), (pair) => Number.parseInt(pair, 16));
        return { kind: 'hex', value: bytes, start, end: this.pos };
      }
      return this.fail(start, `invalid address ${quote(text)} — expected an IPv4 or IPv6 address, or hex bytes like 47:45:54`);
    }
    if (e[this.pos] !== '/' || !isDigit(e.charCodeAt(this.pos + 1))) return { kind: 'ip', value: ip, start, end: this.pos };
    let i = this.pos + 1;
    while (isDigit(e.charCodeAt(i))) i++;
    const cidr = parseCidr(e.slice(start, i));
    if (cidr === undefined) {
      this.fail(this.pos + 1, `invalid prefix length ${quote(e.slice(this.pos + 1, i))} — expected 0 to ${ip.family === 4 && !text.includes(':') ? 32 : 128}`);
    }
    this.pos = i;
    return { kind: 'cidr', value: cidr, start, end: i };
  }
}

export function tokenize(expr: string): Token[] {
  return new Lexer(expr).run();
}
