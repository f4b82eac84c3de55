// Security schemes as the requests show them: the Authorization scheme (basic, bearer, bearer with a JWT), API
// keys in headers or the query, session cookies. Each scheme has a stable id (a components/securitySchemes key);
// a request's schemes together form one security requirement. The headers, query parameters and cookies a scheme
// consumed are not reported again as ordinary parameters.

import type { HeaderList } from '../core/transaction.ts';
import { cookiePairs } from './request-parts.ts';

export interface SecurityScheme {
  type: 'http' | 'apiKey';
  scheme?: string;
  bearerFormat?: string;
  in?: 'header' | 'query' | 'cookie';
  name?: string;
  description?: string;
}

export interface RequestSecurity {
  /** Ids of the schemes this request used, sorted; empty when it carried no credentials. */
  ids: string[];
  /** Header names (lowercase) and query names consumed by a scheme. */
  headers: Set<string>;
  query: Set<string>;
}

const API_KEY_HEADER = /(?:^|[-_])api[-_]?key$|^x-(?:auth|access|api)[-_]token$|^apikey$/i;
const API_KEY_QUERY = new Set(['api_key', 'apikey', 'api-key', 'access_token', 'auth_token']);
/** Query names that are a credential only when the value is long enough to be one. */
const WEAK_KEY_QUERY = new Set(['key', 'token']);
const SESSION_COOKIE = /sess|^sid$|[._-]sid$|token|auth|jwt|^remember/i;
const JWT = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const ID_CHARS = /[^A-Za-z0-9._-]/g;

function idPart(name: string): string {
  return name.replace(ID_CHARS, '_');
}

/**
 * Finds the credentials of one request; new schemes are added to `schemes` (id -> definition), which the caller
 * keeps per server.
 */
export function requestSecurity(headers: HeaderList, query: Array<[string, string]>, schemes: Map<string, SecurityScheme>): RequestSecurity {
  const ids = new Set<string>();
  const usedHeaders = new Set<string>();
  const usedQuery = new Set<string>();
  const add = (id: string, scheme: SecurityScheme): void => {
    ids.add(id);
    if (!schemes.has(id)) schemes.set(id, scheme);
  };
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') {
      usedHeaders.add(lower);
      const m = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+(\S.*))?$/.exec(value.trim());
      const word = m?.[1].toLowerCase() ?? '';
      if (m === null || m[2] === undefined) add('authorizationHeader', { type: 'apiKey', in: 'header', name: 'Authorization', description: 'A credential sent as is in the Authorization header' });
      else if (word === 'basic') add('basicAuth', { type: 'http', scheme: 'basic' });
      else if (word === 'bearer' && JWT.test(m[2].trim())) add('bearerJwt', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
      else if (word === 'bearer') add('bearerAuth', { type: 'http', scheme: 'bearer' });
      else add(`${idPart(word)}Auth`, { type: 'http', scheme: word });
    } else if (API_KEY_HEADER.test(lower)) {
      usedHeaders.add(lower);
      add(`apiKeyHeader.${idPart(lower)}`, { type: 'apiKey', in: 'header', name });
    } else if (lower === 'cookie') {
      for (const [cookie] of cookiePairs(value)) {
        if (SESSION_COOKIE.test(cookie)) add(`cookie.${idPart(cookie)}`, { type: 'apiKey', in: 'cookie', name: cookie });
      }
    }
  }
  for (const [name, value] of query) {
    const lower = name.toLowerCase();
    if (API_KEY_QUERY.has(lower) || (WEAK_KEY_QUERY.has(lower) && value.length >= 16)) {
      usedQuery.add(name);
      add(`apiKeyQuery.${idPart(name)}`, { type: 'apiKey', in: 'query', name });
    }
  }
  return { ids: [...ids].sort(), headers: usedHeaders, query: usedQuery };
}
