// The parts of a captured request the inference reads, taken apart without allocating URL objects: the server
// (origin), path segments, query pairs, header values, media types and cookies. Malformed input (bad
// percent-escapes, odd separators) degrades to the raw text; nothing here throws.

import type { HeaderList, Transaction } from '../core/transaction.ts';

/** First value of the header named `lower` (lowercase), '' when absent. */
export function headerValue(headers: HeaderList, lower: string): string {
  for (const [name, value] of headers) {
    if (name.length === lower.length && name.toLowerCase() === lower) return value;
  }
  return '';
}

/** `scheme://host[:port]` of the server, lowercased, default ports dropped. */
export function originOf(tx: Transaction): string {
  const url = tx.request.url;
  const start = url.indexOf('://');
  let scheme: string = tx.scheme;
  let authority = '';
  if (start > 0) {
    scheme = url.slice(0, start).toLowerCase();
    let end = start + 3;
    while (end < url.length) {
      const c = url.charCodeAt(end);
      if (c === 0x2f || c === 0x3f || c === 0x23) break;
      end++;
    }
    authority = url.slice(start + 3, end).toLowerCase();
    const at = authority.lastIndexOf('@');
    if (at >= 0) authority = authority.slice(at + 1);
  }
  if (authority === '') authority = tx.host.toLowerCase();
  if ((scheme === 'http' && authority.endsWith(':80')) || (scheme === 'https' && authority.endsWith(':443'))) {
    authority = authority.slice(0, authority.lastIndexOf(':'));
  }
  return `${scheme}://${authority}`;
}

/** host[:port] of an origin. */
export function authorityOfOrigin(origin: string): string {
  const i = origin.indexOf('://');
  return i < 0 ? origin : origin.slice(i + 3);
}

function decode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The request path (target without query and fragment) as decoded, non-empty segments. */
export function pathSegments(target: string): string[] {
  let end = target.length;
  const q = target.indexOf('?');
  if (q >= 0) end = q;
  const h = target.indexOf('#');
  if (h >= 0 && h < end) end = h;
  let path = target.slice(0, end);
  // An absolute-form target (proxies) carries scheme and authority first.
  const scheme = path.indexOf('://');
  if (scheme > 0 && scheme < 10) {
    const slash = path.indexOf('/', scheme + 3);
    path = slash < 0 ? '/' : path.slice(slash);
  }
  const out: string[] = [];
  for (const part of path.split('/')) if (part !== '') out.push(decode(part));
  return out;
}

/** `name=value` pairs of the query string (form-urlencoded rules: `+` is a space), in order. */
export function queryPairs(target: string): Array<[string, string]> {
  const q = target.indexOf('?');
  if (q < 0) return [];
  const h = target.indexOf('#', q);
  return formPairs(target.slice(q + 1, h < 0 ? target.length : h));
}

export function formPairs(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (text === '') return out;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode((eq < 0 ? part : part.slice(0, eq)).replaceAll('+', ' '));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1).replaceAll('+', ' '));
    if (name !== '') out.push([name, value]);
  }
  return out;
}

/** `type/subtype` of a Content-Type value, lowercased, parameters dropped; '' when none. */
export function mediaTypeOf(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** A parameter of a Content-Type value (`boundary`, `charset`), unquoted; '' when absent. */
export function mediaTypeParam(contentType: string, name: string): string {
  for (const part of contentType.split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim().toLowerCase() !== name) continue;
    const v = part.slice(eq + 1).trim();
    return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
  }
  return '';
}

/** Cookie names and values of a Cookie header. */
export function cookiePairs(header: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out.push([part.slice(0, eq).trim(), part.slice(eq + 1).trim()]);
  }
  return out;
}
