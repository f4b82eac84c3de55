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
 * names (compared case-insensitively) are joined with ", " in wire order. The object has no prototype, so a
 * header named `__proto__` from the wire is an ordinary key.
 */
export function headerObject(headers: HeaderList, into?: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = into ?? (Object.create(null) as Record<string, string>);
  const keyOf = new Map<string, string>(); // lower-cased name -> the key used in `out`
  for (const key of Object.keys(out)) keyOf.set(key.toLowerCase(), key);
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    const key = keyOf.get(lower);
    if (key === undefined) {
      out[name] = value;
      keyOf.set(lower, name);
    } else {
      out[key] = `${out[key]}, ${value}`;
    }
  }
  return out;
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
  return Number.isFinite(tx.startTime) && tx.startTime > 0 ? new Date(tx.startTime).toISOString() : undefined;
}
