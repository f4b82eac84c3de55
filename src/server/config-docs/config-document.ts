// Config documents as the control plane handles them: checked with the agent's own validator (config/'s
// parseConfig: YAML syntax, the Qtap schema, stacks, rules — the same checks `cleartap config validate` runs), and
// shown to viewers with text secrets masked in the YAML itself, so comments and layout survive.

import { isScalar, parseDocument, visit } from 'yaml';
import { ConfigError, parseConfig } from '../../config/index.ts';
import { ApiError, type ApiErrorDetail } from '../api-error.ts';

/** The name parse errors give the document: "config.yaml:12:5: tap.direction: …". */
export const CONFIG_DOCUMENT_NAME = 'config.yaml';

export interface ConfigCheck {
  warnings: ApiErrorDetail[];
}

const problemDetail = (p: { severity: 'error' | 'warning'; line: number; column: number; path: string; message: string }): ApiErrorDetail => ({
  field: p.path,
  message: p.message,
  line: p.line,
  column: p.column,
  severity: p.severity,
});

/** Validates a config document; CT_ERR_CONFIG_INVALID (400) with every problem's line and column when it fails. */
export function checkConfig(yaml: string): ConfigCheck {
  try {
    const loaded = parseConfig(yaml, CONFIG_DOCUMENT_NAME);
    return { warnings: loaded.warnings.map(problemDetail) };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const details = err.problems.map(problemDetail);
    const errors = details.filter((d) => d.severity === 'error');
    const first = errors[0];
    throw new ApiError('CT_ERR_CONFIG_INVALID', `the config has ${errors.length} error${errors.length === 1 ? '' : 's'}${first ? `; first at line ${first.line}, column ${first.column}: ${first.field}: ${first.message}` : ''}`, { details });
  }
}

const MASK = '***';
const TOKEN_KEY = /token$/i;

/**
 * The YAML with the values of text secrets ({type: text, value: …}) and plain-string tokens masked, as
 * `cleartap config print` masks them; env references stay (they name a variable, not a secret). Text that does
 * not parse is returned as it is: it never validated, so it was never stored.
 */
export function maskConfigSecrets(yaml: string): string {
  const doc = parseDocument(yaml);
  if (doc.errors.length > 0) return yaml;
  let masked = false;
  visit(doc, {
    Map(_, map) {
      const type = map.get('type', true);
      const value = map.get('value', true);
      if (isScalar(type) && type.value === 'text' && isScalar(value) && typeof value.value === 'string') {
        value.value = MASK;
        masked = true;
      }
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.value === 'string' && TOKEN_KEY.test(pair.key.value) && isScalar(pair.value) && typeof pair.value.value === 'string') {
        pair.value.value = MASK;
        masked = true;
      }
    },
  });
  return masked ? doc.toString() : yaml;
}
