// One transaction taken apart into what the inference aggregates: server, method, path segments, query pairs, the
// request headers that matter, the credentials used, and both bodies decoded. Transactions that are not API calls
// (static assets, CORS preflights) are recognised here and skipped by the model, each under its own counter.

import type { HttpRequestRecord, HttpResponseRecord, Transaction } from '../core/transaction.ts';
import { decodeBody, sniffMediaType, type DecodedBody } from './body-decode.ts';
import { headerValue, mediaTypeOf, pathSegments, queryPairs } from './request-parts.ts';
import { requestSecurity, type SecurityScheme } from './security-schemes.ts';

export interface BodyObservation {
  mediaType: string;
  decoded: DecodedBody;
}

export interface HeaderObservation {
  lower: string;
  name: string;
  value: string;
}

export interface Observation {
  origin: string;
  method: string;
  segments: string[];
  query: Array<[string, string]>;
  headers: HeaderObservation[];
  securityIds: string[];
  requestBody: BodyObservation | undefined;
  /** Undefined when no response was seen. */
  status: number | undefined;
  responseBody: BodyObservation | undefined;
  time: number;
  durationMs: number;
}

export type SkipReason = 'static_asset' | 'cors_preflight';

/** Request headers worth documenting besides credentials: content negotiation, preconditions, custom X- ones. */
const DOCUMENTED_HEADERS = new Set(['accept-language', 'prefer', 'if-match', 'if-none-match', 'if-modified-since', 'idempotency-key']);
/** X- headers that proxies, meshes and tracers add: they describe the path the request took, not the API. */
const INFRA_HEADER = /^x-(?:forwarded-|real-ip$|request-start$|amzn-|b3-|envoy-|datadog-|cloud-trace|ot-|client-ip$|original-|scheme$|requested-with$)/;

const STATIC_ASSET = /\.(?:js|mjs|css|map|png|jpe?g|gif|svg|ico|webp|avif|woff2?|ttf|eot|otf|html?)$/i;

export function skipReason(tx: Transaction): SkipReason | undefined {
  const req = tx.request;
  if (req.method === 'OPTIONS' && headerValue(req.headers, 'access-control-request-method') !== '') return 'cors_preflight';
  const path = req.path !== '' ? req.path : req.target;
  const q = path.indexOf('?');
  if (STATIC_ASSET.test(q < 0 ? path : path.slice(0, q))) return 'static_asset';
  return undefined;
}

function bodyOf(msg: HttpRequestRecord | HttpResponseRecord): BodyObservation | undefined {
  const contentType = headerValue(msg.headers, 'content-type');
  if (msg.bodySize === 0 && msg.body.byteLength === 0) return undefined;
  let mediaType = mediaTypeOf(contentType);
  if (mediaType === '') mediaType = msg.body.byteLength > 0 ? sniffMediaType(msg.body) : 'application/octet-stream';
  return { mediaType, decoded: decodeBody(msg.body, msg.bodyTruncated, mediaType, contentType) };
}

/** `origin` is the server (request-parts.ts originOf); `schemes` its scheme table, completed with any new scheme. */
export function observe(tx: Transaction, origin: string, schemes: Map<string, SecurityScheme>): Observation {
  const req = tx.request;
  const target = req.target !== '' ? req.target : req.path;
  const allQuery = queryPairs(target);
  const security = requestSecurity(req.headers, allQuery, schemes);
  const headers: HeaderObservation[] = [];
  for (const [name, value] of req.headers) {
    const lower = name.toLowerCase();
    if (security.headers.has(lower)) continue;
    if (DOCUMENTED_HEADERS.has(lower) || (lower.startsWith('x-') && !INFRA_HEADER.test(lower))) headers.push({ lower, name, value });
  }
  const res = tx.response;
  const noBody = res === undefined || req.method === 'HEAD' || res.status === 204 || res.status === 304 || (res.status >= 100 && res.status < 200);
  return {
    origin,
    method: req.method.toUpperCase(),
    segments: pathSegments(target),
    query: security.query.size === 0 ? allQuery : allQuery.filter(([n]) => !security.query.has(n)),
    headers,
    securityIds: security.ids,
    requestBody: bodyOf(req),
    status: res?.status,
    responseBody: noBody ? undefined : bodyOf(res),
    time: tx.startTime,
    durationMs: tx.durationMs,
  };
}
