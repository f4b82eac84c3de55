// Data formats recognised in observed values (Akita-style: the value's shape, not its key, decides), feeding both
// the JSON Schema `format` keywords and the path-segment classifier. Each test is anchored and cheap; they run on
// every string of every sketched body, so the common case (an ordinary word) is rejected by its first character.

import { isIPv6 } from 'node:net';

/** String formats emitted as JSON Schema `format` (one bit each, so "every sample had it" is a running AND). */
export const STRING_FORMATS = ['date-time', 'date', 'email', 'uuid', 'uri', 'ipv4', 'ipv6'] as const;
export type StringFormat = (typeof STRING_FORMATS)[number];

export const FORMAT_BIT: Readonly<Record<StringFormat, number>> = {
  'date-time': 1,
  date: 2,
  email: 4,
  uuid: 8,
  uri: 16,
  ipv4: 32,
  ipv6: 64,
};
export const ALL_FORMAT_BITS = 127;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s/?#]+[^\s]*$/;
const IPV6_CHARS = /^[0-9A-Fa-f:.]+$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= MONTH_DAYS[month - 1] + (leap ? 1 : 0);
}

/** The format bits `s` satisfies (0 for most strings). */
export function formatBitsOf(s: string): number {
  const n = s.length;
  if (n < 3 || n > 320) return 0;
  const c = s.charCodeAt(0);
  let bits = 0;
  if (c >= 0x30 && c <= 0x39) {
    if (n === 10) {
      const m = DATE.exec(s);
      if (m !== null && validDate(m[1], m[2], m[3])) bits |= FORMAT_BIT.date;
    } else if (n >= 20) {
      const m = DATE_TIME.exec(s);
      if (m !== null && validDate(m[1], m[2], m[3]) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61) {
        return FORMAT_BIT['date-time'];
      }
    }
    if (n <= 15 && IPV4.test(s)) bits |= FORMAT_BIT.ipv4;
  }
  if (n === 36 && UUID.test(s)) bits |= FORMAT_BIT.uuid;
  if (s.includes('@') && EMAIL.test(s)) bits |= FORMAT_BIT.email;
  if (s.includes('://') && URI.test(s)) bits |= FORMAT_BIT.uri;
  if (n <= 45 && s.includes(':') && IPV6_CHARS.test(s) && isIPv6(s)) bits |= FORMAT_BIT.ipv6;
  return bits;
}

/** The single format named by `bits`, or undefined when none or several remain. */
export function formatOf(bits: number): StringFormat | undefined {
  for (const f of STRING_FORMATS) if (bits === FORMAT_BIT[f]) return f;
  return undefined;
}

const INT_TEXT = /^-?(?:0|[1-9]\d{0,17})$/;
const FLOAT_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+)$/;

/**
 * The typed value a text parameter (query, form field, header, path segment) most likely carries: integers and
 * decimals as numbers, `true`/`false` as booleans, everything else as the string. Leading zeros ("007") and
 * integers beyond 2^53 stay strings, because turning them into numbers would change them.
 */
export function coerceText(text: string): string | number | boolean {
  const n = text.length;
  if (n === 0 || n > 24) return text;
  const c = text.charCodeAt(0);
  if ((c >= 0x30 && c <= 0x39) || c === 0x2d) {
    if (INT_TEXT.test(text)) {
      const v = Number(text);
      return Number.isSafeInteger(v) ? v : text;
    }
    if (FLOAT_TEXT.test(text)) return Number(text);
    return text;
  }
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}
