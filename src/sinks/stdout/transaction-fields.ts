// Values derived from a Transaction the way Qtap's records name them, shared by the JSON and text formats so the
// two never disagree (e.g. on which Content-Type or duration a transaction has).

import type { HeaderList, NetEndpoint, Transaction } from '../../core/transaction.ts';

/** Value of the first header named `lowerName` (ASCII case-insensitive); '' when absent. */
export function firstHeader(headers: HeaderList, lowerName: string): string {
  for (const [name, value] of headers) {
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) return value;
  }
  return '';
}

/**
 * Merges a header list into Qtap's `headers` object: names keep the case of their first occurrence, repeated
 * names (compared case-insensitively) are joined with ", " in wire order. A header named `__proto__` from the
 * wire is an ordinary key (defined, never assigned). Header lists are short, so repeats are found by a scan of
 * the names seen so far rather than a Map per call (this runs for every transaction at level details).
 */
export function headerObject(headers: HeaderList, into?: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = into ?? {};
  const keys = Object.keys(out);
  const lowers = keys.map((k) => k.toLowerCase());
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    const at = lowers.indexOf(lower);
    if (at < 0) {
      setOwn(out, name, value);
      keys.push(name);
      lowers.push(lower);
    } else {
      setOwn(out, keys[at], `${out[keys[at]]}, ${value}`);
    }
  }
  return out;
}

function setOwn(obj: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** host[:port] of the absolute request URL (the part between "://" and the path, query or fragment). */
export function authorityOf(url: string): string {
  const start = url.indexOf('://');
  if (start < 0) return '';
  let end = start + 3;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === 0x2f /* / */ || c === 0x3f /* ? */ || c === 0x23 /* # */) break;
    end++;
  }
  return url.slice(start + 3, end);
}

/** "addr:port", with IPv6 addresses in brackets; '' when unknown. */
export function formatEndpoint(ep: NetEndpoint | undefined): string {
  if (ep === undefined || ep.address === '') return '';
  return ep.address.includes(':') ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
}

/**
 * Qtap's duration_ms: whole milliseconds (truncated, as Go's Duration.Milliseconds), 1 when a measured duration
 * rounds down to 0, undefined when unknown (negative or not a number), so the key is omitted.
 */
export function durationMs(tx: Transaction): number | undefined {
  const d = tx.durationMs;
  if (!Number.isFinite(d) || d < 0) return undefined;
  return Math.max(1, Math.trunc(d));
}

/** RFC3339 (UTC, millisecond precision) time of the first request byte; undefined when unknown. */
export function transactionTime(tx: Transaction): string | undefined {
  return Number.isFinite(tx.startTime) && tx.startTime > 0 ? isoTime(tx.startTime) : undefined;
}

// Transactions arrive in bursts with nearby times: format the date and time to the second once per second.
let cachedSecond = Number.NaN;
let cachedPrefix = '';

function isoTime(ms: number): string {
  const whole = Math.floor(ms);
  const second = Math.floor(whole / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20); // "YYYY-MM-DDTHH:MM:SS."
  }
  const millis = whole - second * 1000;
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
