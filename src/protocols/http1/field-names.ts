// Field names most heads carry, returned as shared strings when the bytes match exactly (original case is
// kept: "Host" and "host" are separate entries). A match costs a few byte compares instead of a string
// allocation; about half the strings a typical head would create are names.

const COMMON = [
  'Host', 'User-Agent', 'Accept', 'Accept-Encoding', 'Accept-Language', 'Accept-Ranges', 'Age', 'Authorization',
  'Cache-Control', 'Connection', 'Content-Encoding', 'Content-Length', 'Content-Type', 'Cookie', 'Date', 'ETag',
  'Expect', 'Expires', 'If-Modified-Since', 'If-None-Match', 'Keep-Alive', 'Last-Modified', 'Location', 'Origin',
  'Pragma', 'Range', 'Referer', 'Server', 'Set-Cookie', 'Strict-Transport-Security', 'Trailer',
  'Transfer-Encoding', 'Upgrade', 'Vary', 'Via', 'X-Forwarded-For', 'X-Request-Id',
];

/** Candidates by length: [bytes, string], in canonical case and all-lowercase (as h2-era clients send). */
const BY_LENGTH: Array<Array<[Uint8Array, string]> | undefined> = [];
for (const name of new Set([...COMMON, ...COMMON.map((n) => n.toLowerCase())])) {
  (BY_LENGTH[name.length] ??= []).push([Uint8Array.from(name, (c) => c.charCodeAt(0)), name]);
}

/** The shared string for buf[from, to) when it is a common name spelled exactly so, else null. */
export function commonFieldName(buf: Uint8Array, from: number, to: number): string | null {
  const candidates = BY_LENGTH[to - from];
  if (candidates === undefined) return null;
  next: for (let k = 0; k < candidates.length; k++) {
    const bytes = candidates[k][0];
    for (let i = 0; i < bytes.length; i++) if (buf[from + i] !== bytes[i]) continue next;
    return candidates[k][1];
  }
  return null;
}
