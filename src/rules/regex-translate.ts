// Rulekit regexes are Go RE2; ours run on JS RegExp. The RE2 forms a rule is likely to use are rewritten:
// (?P<name>…), flag groups (?i) (?s) (?m) (?i:…), \A \z, \Q…\E, \x{…}, \pL, [[:alpha:]] and escaped
// punctuation. JS extras (lookaround, backreferences) are accepted as they are; (?U) is refused.

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** Punctuation JS accepts escaped even with the u flag; other escaped punctuation becomes \xHH. */
const JS_SYNTAX = '^$\\.*+?()[]{}|/';
const PUNCTUATION = /^[!-/:-@[-`{-~]$/;
const FLAG_GROUP = /^\(\?([imsU]*)(?:-([imsU]*))?([:)])/;

class Translator {
  private readonly src: string;
  private i = 0;
  private out = '';
  /** \p and \u{…} need the u flag; without them the pattern compiles in the more lenient legacy mode. */
  unicode = false;
  /** Flags from a leading (?i) / (?s) / (?m), which become RegExp flags. */
  flags = '';
  /** Per open group: how many extra ')' close the (?flags) groups opened inside it. */
  private readonly closers: number[] = [];
  private topClosers = 0;

  constructor(src: string) {
    this.src = src;
  }

  run(): string {
    const leading = FLAG_GROUP.exec(this.src);
    if (leading !== null && leading[3] === ')' && leading[2] === undefined && !leading[1].includes('U')) {
      this.flags = [...new Set(leading[1])].join('');
      this.i = leading[0].length;
    }
    while (this.i < this.src.length) {
      const ch = this.src[this.i];
      if (ch === '\\') this.out += this.escape(false);
      else if (ch === '[') this.characterClass();
      else if (ch === '(') this.openGroup();
      else if (ch === ')') {
        this.out += `${')'.repeat(this.closers.pop() ?? 0)})`;
        this.i++;
      } else {
        this.out += ch;
        this.i++;
      }
    }
    return this.out + ')'.repeat(this.topClosers);
  }

  private escape(inClass: boolean): string {
    const s = this.src;
    const next = s[this.i + 1];
    if (next === undefined) throw new Error('trailing backslash');
    this.i += 2;
    switch (next) {
      case 'A':
        if (!inClass) return '(?<![\\s\\S])';
        break;
      case 'z':
        if (!inClass) return '(?![\\s\\S])';
        break;
      case 'a':
        return '\\x07';
      case 'Q': {
        const end = s.indexOf('\\E', this.i);
        const literal = s.slice(this.i, end < 0 ? s.length : end);
        this.i = end < 0 ? s.length : end + 2;
        return literal.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
      }
      case 'x':
        if (s[this.i] === '{') {
          const close = s.indexOf('}', this.i);
          if (close < 0) throw new Error('missing } in \\x{…}');
          const hex = s.slice(this.i + 1, close);
          this.i = close + 1;
          this.unicode = true;
          return `\\u{${hex}}`;
        }
        break;
      case 'p':
      case 'P':
        this.unicode = true;
        if (s[this.i] !== '{' && this.i < s.length) return `\\${next}{${s[this.i++]}}`;
        break;
    }
    if (PUNCTUATION.test(next) && !JS_SYNTAX.includes(next)) return `\\x${next.charCodeAt(0).toString(16).padStart(2, '0')}`;
    return `\\${next}`;
  }

  private characterClass(): void {
    const s = this.src;
    let out = '[';
    this.i++;
    if (s[this.i] === '^') {
      out += '^';
      this.i++;
    }
    // RE2 reads a ']' right after '[' or '[^' as a literal; JS would read "[]" as an empty class.
    if (s[this.i] === ']') {
      out += '\\]';
      this.i++;
    }
    while (this.i < s.length && s[this.i] !== ']') {
      if (s.startsWith('[:', this.i) && s.indexOf(':]', this.i + 2) > 0) {
        const end = s.indexOf(':]', this.i + 2);
        const name = s.slice(this.i + 2, end);
        const set = POSIX_CLASSES[name];
        if (set === undefined || !Object.hasOwn(POSIX_CLASSES, name)) throw new Error(`unsupported character class [:${name}:]`);
        out += set;
        this.i = end + 2;
      } else if (s[this.i] === '\\') {
        out += this.escape(true);
      } else if (s[this.i] === '[') {
        out += '\\[';
        this.i++;
      } else {
        out += s[this.i++];
      }
    }
    if (this.i >= s.length) throw new Error('missing closing ]');
    this.out += `${out}]`;
    this.i++;
  }

  private openGroup(): void {
    const rest = this.src.slice(this.i);
    if (rest.startsWith('(?P<')) {
      this.out += '(?<';
      this.i += 4;
      this.closers.push(0);
      return;
    }
    const flags = FLAG_GROUP.exec(rest);
    if (flags !== null && (flags[1] !== '' || (flags[2] ?? '') !== '')) {
      if (flags[0].includes('U')) throw new Error('the ungreedy flag (?U) is not supported');
      const modifiers = `${flags[1]}${flags[2] === undefined ? '' : `-${flags[2]}`}`;
      this.out += `(?${modifiers}:`;
      this.i += flags[0].length;
      if (flags[3] === ':') this.closers.push(0);
      // (?i) without ':' applies up to the end of the enclosing group: close it there.
      else if (this.closers.length > 0) this.closers[this.closers.length - 1]++;
      else this.topClosers++;
      return;
    }
    this.out += '(';
    this.i++;
    this.closers.push(0);
  }
}

/** Compiles an RE2-style pattern; the reason is a sentence for a RuleError when it cannot. */
export function compileRegex(source: string): { regex: RegExp } | { reason: string } {
  try {
    const t = new Translator(source);
    const pattern = t.run();
    return { regex: new RegExp(pattern, t.flags + (t.unicode ? 'u' : '')) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { reason: message.replace(/^Invalid regular expression: /, '') };
  }
}
