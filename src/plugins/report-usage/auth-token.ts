// Auth tokens in request headers, as report_usage reports them (qtap-reference.md §1.5): never the token itself,
// only a mask that keeps its vendor prefix and last 4 characters ("sk-...abcd"), so people can tell keys apart,
// and its SHA-256, so the same key can be counted across requests.
//
// Headers are looked at in this order, the first present wins: Authorization (type `bearer` or `basic` by its
// scheme, else `raw` with the whole value as the token), X-API-Key, Api-Key, APIKey (type `api_key`),
// X-Auth-Token (type `raw`).

import { createHash } from 'node:crypto';
import type { HeaderList } from '../../core/transaction.ts';
import { firstHeader } from '../../sinks/stdout/index.ts';

export type AuthTokenType = 'bearer' | 'basic' | 'raw' | 'api_key';

export interface AuthToken {
  token: string;
  /** The header, spelled as Qtap names it. */
  source: string;
  type: AuthTokenType;
}

const SOURCES: ReadonlyArray<{ source: string; lower: string; type: AuthTokenType }> = [
  { source: 'X-API-Key', lower: 'x-api-key', type: 'api_key' },
  { source: 'Api-Key', lower: 'api-key', type: 'api_key' },
  { source: 'APIKey', lower: 'apikey', type: 'api_key' },
  { source: 'X-Auth-Token', lower: 'x-auth-token', type: 'raw' },
];

/** Tokens shorter than this (after the prefix) show no last characters: 4 of 8 would give half of it away. */
const MIN_TOKEN_FOR_TAIL = 12;
const VENDOR_PREFIX = /^[A-Za-z]{1,8}[-_]/;

export function findAuthToken(headers: HeaderList): AuthToken | undefined {
  const authorization = firstHeader(headers, 'authorization').trim();
  if (authorization !== '') {
    const m = /^(\S+)\s+(\S.*)$/s.exec(authorization);
    const scheme = m?.[1]!.toLowerCase();
    if (m !== null && (scheme === 'bearer' || scheme === 'basic')) {
      return { token: m[2]!.trim(), source: 'Authorization', type: scheme };
    }
    return { token: authorization, source: 'Authorization', type: 'raw' };
  }
  for (const { source, lower, type } of SOURCES) {
    const token = firstHeader(headers, lower).trim();
    if (token !== '') return { token, source, type };
  }
  return undefined;
}

/** "sk-...abcd": the vendor prefix (letters and a - or _), "...", the last 4 characters. */
export function maskToken(token: string): string {
  const prefix = VENDOR_PREFIX.exec(token)?.[0] ?? '';
  const rest = token.length - prefix.length;
  return rest < MIN_TOKEN_FOR_TAIL ? `${prefix}...` : `${prefix}...${token.slice(-4)}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
