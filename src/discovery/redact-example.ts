// Examples for the generated documents are real captured values, so they are masked first: secrets (by name or
// shape) are replaced whole, e-mails become a placeholder address that still has the e-mail format, card numbers
// keep only their last four digits, other PII is replaced whole. Examples are also kept small: long arrays keep
// their first items and long strings are cut, so one example never costs more than a few KiB.

import { formatBitsOf } from './value-format.ts';
import { SECRET_BITS, tagBit, tagsOfName, tagsOfValue } from './sensitive-tags.ts';

export const REDACTED = '[REDACTED]';
export const EXAMPLE_EMAIL = 'user@example.com';

const MAX_ITEMS = 3;
const MAX_STRING = 200;
const MAX_DEPTH = 8;
const MAX_KEYS = 64;
const EMAIL_BIT = tagBit('pii:email');
const CARD_BIT = tagBit('pii:card-number');

/** A masked copy of `value` to show as an example; `name` is the key or parameter name it was sent under. */
export function redactExample(value: unknown, name = '', depth = 0): unknown {
  if (typeof value === 'string') return redactString(value, tagsOfName(name));
  if (value === null || typeof value !== 'object') {
    return tagsOfName(name) !== 0 && typeof value === 'number' ? 0 : value;
  }
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? [] : {};
  if (Array.isArray(value)) return value.slice(0, MAX_ITEMS).map((v) => redactExample(v, name, depth + 1));
  const out: Record<string, unknown> = {};
  let keys = 0;
  for (const [k, v] of Object.entries(value)) {
    if (keys++ >= MAX_KEYS) break;
    if (k === '__proto__') continue;
    const nameBits = tagsOfName(k);
    out[k] = nameBits & SECRET_BITS && v !== null && typeof v === 'object' ? REDACTED : redactExample(v, k, depth + 1);
  }
  return out;
}

function redactString(s: string, nameBits: number): string {
  const bits = nameBits | tagsOfValue(s, formatBitsOf(s));
  if (bits === 0) return s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…` : s;
  if (bits & SECRET_BITS) return REDACTED;
  if (bits === EMAIL_BIT) return EXAMPLE_EMAIL;
  if (bits === CARD_BIT) return maskCard(s);
  return REDACTED;
}

function maskCard(s: string): string {
  const digits = s.replace(/\D/g, '');
  return '*'.repeat(digits.length - 4) + digits.slice(-4);
}
