// Functions a rule can call: Rulekit's standard library (starts_with) and the two Qtap adds (zone, in_zone).
// Arity is checked when a rule compiles. Arguments are values (never MISSING: a missing argument makes the
// call missing before it gets here); a wrong type gives false or "", never an exception.
import { getDomain } from 'tldts';
import { formatIp, IpAddress } from '../core/ip.ts';

export type Builtin =
  | { readonly arity: 1; readonly apply: (a: unknown) => unknown }
  | { readonly arity: 2; readonly apply: (a: unknown, b: unknown) => unknown };

/** Rulekit formats any value to text (fmt.Sprint); lists and maps have no useful text form here. */
function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof IpAddress) return formatIp(v);
  return undefined;
}

export function startsWith(value: unknown, prefix: unknown): boolean {
  const s = asText(value);
  const p = asText(prefix);
  return s !== undefined && p !== undefined && s.startsWith(p);
}

// Public-suffix lookups cost microseconds and allocate; a transaction stream repeats a few hosts, so remember them.
const zoneCache = new Map<string, string>();
const ZONE_CACHE_LIMIT = 4096;

/**
 * The registrable domain (eTLD+1) of a host name, lowercase and without a trailing dot, from the public
 * suffix list including its private section (as Go's x/net/publicsuffix does: zone("a.github.io") is
 * "a.github.io"). "" when there is none (an IP address, "localhost", a bare suffix) or for a non-string.
 */
export function zoneOf(domain: unknown): string {
  if (typeof domain !== 'string') return '';
  const cached = zoneCache.get(domain);
  if (cached !== undefined) return cached;
  const zone = getDomain(domain, { allowPrivateDomains: true }) ?? '';
  if (zoneCache.size >= ZONE_CACHE_LIMIT) zoneCache.clear();
  zoneCache.set(domain, zone);
  return zone;
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** domain == zone, or domain ends with "." + zone; ASCII case and one trailing dot on either are ignored. */
export function inZone(domain: unknown, zone: unknown): boolean {
  if (typeof domain !== 'string' || typeof zone !== 'string') return false;
  let dl = domain.length;
  if (dl > 0 && domain.charCodeAt(dl - 1) === 46) dl--;
  let zl = zone.length;
  if (zl > 0 && zone.charCodeAt(zl - 1) === 46) zl--;
  if (zl === 0 || dl < zl) return false;
  const from = dl - zl;
  if (from > 0 && domain.charCodeAt(from - 1) !== 46) return false;
  for (let i = 0; i < zl; i++) {
    if (lowerAscii(domain.charCodeAt(from + i)) !== lowerAscii(zone.charCodeAt(i))) return false;
  }
  return true;
}

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['starts_with', { arity: 2, apply: startsWith }],
  ['zone', { arity: 1, apply: zoneOf }],
  ['in_zone', { arity: 2, apply: inZone }],
]);
