// What rules compare, and how. Rulekit's semantics (compare*.go), made symmetric so `value op field` means the
// same as `field op value`. A comparison between values of different types fails; it never throws. Nothing here
// allocates: a string compared with an IP is parsed into a scratch word set.
import { Cidr, cidrContains, IpAddress, ipEquals, ipScratch, parseIpInto } from '../core/ip.ts';

export type RuleLeaf = string | number | boolean | IpAddress | readonly string[];

/** Nested plain objects; header maps are keyed by lowercased header name. */
export interface RuleFields {
  readonly [name: string]: RuleLeaf | RuleFields | undefined;
}

/** What an operand yields when its field is absent (or null). */
export const MISSING: unique symbol = Symbol('missing');

/** Condition results inside compiled rules (numbers, so the closures return small integers). */
export const FAIL = 0;
export const PASS = 1;
export const UNKNOWN = 2;
export type Outcome = typeof FAIL | typeof PASS | typeof UNKNOWN;

/** Hex bytes that are not UTF-8 text (a MAC address, say): equal only to the same bytes written as hex. */
export class HexBytes {
  readonly bytes: Uint8Array;
  /** Lowercase hex without separators, so equality is one string comparison. */
  readonly key: string;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.key = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }
}

const scratch = ipScratch();

function inCidr(cidr: Cidr, v: unknown): boolean | undefined {
  if (v instanceof IpAddress) return cidrContains(cidr, v);
  if (typeof v === 'string') return parseIpInto(v, scratch) && cidrContains(cidr, scratch);
  return undefined;
}

function sameIp(ip: IpAddress, v: unknown): boolean | undefined {
  if (v instanceof IpAddress) return ipEquals(ip, v);
  if (typeof v === 'string') return parseIpInto(v, scratch) && ipEquals(ip, scratch);
  return undefined;
}

/**
 * Equality of two non-list values; undefined when they cannot be compared. A regex equals the strings it
 * matches, a CIDR the addresses it contains, and a string that reads as an IP address is that address.
 */
function scalarEquals(a: unknown, b: unknown): boolean | undefined {
  const type = typeof a;
  if (type === typeof b && (type === 'string' || type === 'number' || type === 'boolean')) return a === b;
  if (a instanceof RegExp) return typeof b === 'string' ? a.test(b) : undefined;
  if (b instanceof RegExp) return typeof a === 'string' ? b.test(a) : undefined;
  if (a instanceof Cidr) return inCidr(a, b);
  if (b instanceof Cidr) return inCidr(b, a);
  if (a instanceof IpAddress) return sameIp(a, b);
  if (b instanceof IpAddress) return sameIp(b, a);
  if (a instanceof HexBytes && b instanceof HexBytes) return a.key === b.key;
  return undefined;
}

/** `a == b`. A list on either side passes when any element is equal (a list on the right is looked at first). */
export function equalsValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(b)) {
    for (let i = 0; i < b.length; i++) if (equalsValue(a, b[i])) return true;
    return false;
  }
  if (Array.isArray(a)) {
    for (let i = 0; i < a.length; i++) if (scalarEquals(a[i], b) === true) return true;
    return false;
  }
  return scalarEquals(a, b) === true;
}

/** `a != b`: with a list, no element is equal; otherwise comparable and different (mismatched types fail). */
export function notEqualsValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return !equalsValue(a, b);
  return scalarEquals(a, b) === false;
}

export type OrderOp = 'lt' | 'le' | 'gt' | 'ge';

/** Ordering is defined on numbers only; a list passes when any element does. */
export function orderedValue(op: OrderOp, a: unknown, b: unknown): boolean {
  if (Array.isArray(b)) {
    for (let i = 0; i < b.length; i++) if (orderedValue(op, a, b[i])) return true;
    return false;
  }
  if (Array.isArray(a)) {
    for (let i = 0; i < a.length; i++) if (orderedValue(op, a[i], b)) return true;
    return false;
  }
  if (typeof a !== 'number' || typeof b !== 'number') return false;
  switch (op) {
    case 'lt': return a < b;
    case 'le': return a <= b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
  }
}

/**
 * `a contains b`: substring (or regex match) for strings, membership (not substring) for a list, containment
 * for a CIDR and an address. A list on the right fails, as in Rulekit.
 */
export function containsValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    for (let i = 0; i < a.length; i++) if (scalarEquals(a[i], b) === true) return true;
    return false;
  }
  if (typeof a === 'string') {
    if (typeof b === 'string') return a.includes(b);
    if (b instanceof RegExp) return b.test(a);
  }
  if (a instanceof Cidr || b instanceof Cidr) return scalarEquals(a, b) === true;
  return false;
}

/** `a matches /re/`: a string, or any string of a list. */
export function matchesValue(a: unknown, re: RegExp): boolean {
  if (typeof a === 'string') return re.test(a);
  if (Array.isArray(a)) {
    for (let i = 0; i < a.length; i++) if (typeof a[i] === 'string' && re.test(a[i])) return true;
  }
  return false;
}

/** `a in b`: b must be a list (any element equal) or a CIDR (containment). */
export function inValue(a: unknown, b: unknown): boolean {
  return (Array.isArray(b) || b instanceof Cidr) && equalsValue(a, b);
}

/** A bare value as a condition: false, 0, "" and [] fail; anything else present passes. */
export function isTruthy(v: unknown): boolean {
  switch (typeof v) {
    case 'boolean': return v;
    case 'number': return v !== 0;
    case 'string': return v.length > 0;
    case 'bigint': return v !== 0n;
    default: return Array.isArray(v) ? v.length > 0 : true;
  }
}
