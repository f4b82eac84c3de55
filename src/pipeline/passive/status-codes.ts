// INVICTI_TAP_HTTP_STATUS_CODES: exact codes ("200") and patterns where x stands for any digit ("20x" is 200–209,
// "2xx" is 200–299), in a comma list. Compiled to a 1000-entry table, so a check is one lookup.
import { CleartapError } from '../../core/errors.ts';

export class StatusCodeSet {
  readonly patterns: readonly string[];
  private readonly table = new Uint8Array(1000);

  constructor(patterns: readonly string[]) {
    this.patterns = patterns;
    for (const p of patterns) {
      for (let code = 100; code < 1000; code++) if (matches(p, code)) this.table[code] = 1;
    }
  }

  /** A transaction without a response has no status, and matches nothing. */
  has(status: number | undefined): boolean {
    return status !== undefined && status >= 0 && status < 1000 && this.table[status] === 1;
  }
}

function matches(pattern: string, code: number): boolean {
  const digits = String(code);
  for (let i = 0; i < 3; i++) if (pattern[i] !== 'x' && pattern[i] !== digits[i]) return false;
  return true;
}

export const DEFAULT_STATUS_CODES = '2xx';

/** `source` names the setting (environment variable, flag or YAML key) for the error message. */
export function parseStatusCodes(text: string, source: string): StatusCodeSet {
  const patterns: string[] = [];
  for (const raw of text.split(',')) {
    const token = raw.trim();
    if (!/^[1-5xX][0-9xX]{2}$/.test(token)) {
      throw new CleartapError(
        'CT_ERR_CONFIG',
        `${source}: "${token}" is not a status code or pattern`,
        'give three characters, digits or x for any digit, separated by commas (e.g. 200,20x,2xx)',
      );
    }
    patterns.push(token.toLowerCase());
  }
  return new StatusCodeSet(patterns);
}
