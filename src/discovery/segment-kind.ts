// What a path segment looks like. Id-like kinds are candidates for a path parameter; whether one becomes a
// parameter is decided later from the variation seen across requests (path-templating.ts): strong kinds (numbers,
// UUIDs, long hex digests, e-mails, opaque tokens) are never route names, weak ones (dates, slugs with digits)
// become parameters only once two different values were seen in the same place, so `/2024-06-01/` as an API
// version or `/sha256` as a route stays literal until the traffic says otherwise.

import { formatBitsOf, FORMAT_BIT } from './value-format.ts';

export const SEGMENT_KINDS = ['word', 'version', 'int', 'uuid', 'hex', 'date', 'email', 'token', 'slug'] as const;
export type SegmentKind = (typeof SEGMENT_KINDS)[number];

/** Kinds kept literal in the route trie (one child per distinct value, up to the cardinality cap). */
export function isLiteralKind(kind: SegmentKind): boolean {
  return kind === 'word' || kind === 'version';
}

/** Kinds that are a parameter even when a single value was seen. */
export function isStrongKind(kind: SegmentKind): boolean {
  return kind === 'int' || kind === 'uuid' || kind === 'hex' || kind === 'email' || kind === 'token';
}

/**
 * Route words that are never parameter values, whatever their siblings look like (`/users/me` beside
 * `/users/{userId}`); versions (`v1`, `2.0`) are recognised by shape.
 */
export const LITERAL_VOCABULARY: ReadonlySet<string> = new Set([
  'api', 'apis', 'rest', 'rpc', 'graphql', 'public', 'private', 'internal', 'external', 'admin', 'beta', 'alpha',
  'stable', 'latest', 'current', 'me', 'self', 'my', 'mine', 'all', 'new', 'edit', 'search', 'query', 'find', 'count',
  'stats', 'summary', 'export', 'import', 'batch', 'bulk', 'upload', 'download', 'login', 'logout', 'signin',
  'signout', 'signup', 'register', 'auth', 'oauth', 'oauth2', 'token', 'tokens', 'refresh', 'session', 'sessions',
  'health', 'healthz', 'readyz', 'livez', 'ready', 'live', 'status', 'metrics', 'ping', 'version', 'info', 'config',
  'settings', 'docs', 'openapi', 'swagger', 'schema', 'static', 'assets', 'default', 'actions', 'events', 'webhooks',
]);

const VERSION = /^(?:v\d+(?:[._]\d+)*(?:(?:alpha|beta|rc)\d*)?|\d+\.\d+(?:\.\d+)?)$/i;
const INT = /^\d{1,20}$/;
const HEX = /^[0-9a-fA-F]{12,}$/;
const TOKEN_CHARS = /^[A-Za-z0-9_\-+=~.]{16,}$/;
const SLUG_CHARS = /^[A-Za-z0-9][A-Za-z0-9._~-]*$/;

export function segmentKind(s: string): SegmentKind {
  const n = s.length;
  if (n === 0) return 'word';
  if (INT.test(s)) return 'int';
  if (VERSION.test(s)) return 'version';
  const formats = formatBitsOf(s);
  if (formats & FORMAT_BIT.uuid) return 'uuid';
  if (formats & (FORMAT_BIT.date | FORMAT_BIT['date-time'])) return 'date';
  if (formats & FORMAT_BIT.email) return 'email';
  let digits = 0;
  let lower = 0;
  let upper = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c >= 0x61 && c <= 0x7a) lower++;
    else if (c >= 0x41 && c <= 0x5a) upper++;
  }
  if (digits > 0 && HEX.test(s) && (lower === 0 || upper === 0)) return 'hex';
  if (TOKEN_CHARS.test(s) && lower > 0 && upper > 0 && (digits > 0 || s.endsWith('='))) return 'token';
  if (digits > 0 && lower + upper > 0 && SLUG_CHARS.test(s)) {
    if (digits >= 3 || /[-_.]\d+$/.test(s) || /^\d+[-_.]/.test(s)) return 'slug';
  }
  return 'word';
}
