// Everything kept about one (route-trie node, method): call counts and times, status mix, latency histogram,
// query and header parameters, credentials used, and per media type the request and response body schemas with
// one redacted example. Constant memory per endpoint: every map here is capped (the excess is counted in
// `overflow`), every sketch is bounded (value-sketch.ts). Aggregates merge, which is how endpoints are regrouped
// under new templates at snapshot time without the transactions.

import { addLatency, mergeLatency, newLatencySketch, type LatencySketch } from './latency-sketch.ts';
import { redactExample } from './redact-example.ts';
import { addValue, cloneSketch, mergeSketch, newSketch, type ValueSketch } from './value-sketch.ts';
import { coerceText } from './value-format.ts';
import type { BodyObservation, Observation } from './observation.ts';

export const MAX_QUERY_PARAMS = 64;
export const MAX_HEADER_PARAMS = 32;
export const MAX_MEDIA_TYPES = 8;
export const MAX_SECURITY_SETS = 16;
export const MAX_FILE_PARTS = 16;
/** Examples larger than this (as JSON) are not kept. */
export const MAX_EXAMPLE_CHARS = 4096;

export interface RejectedBodies {
  parsed: number;
  schema: ValueSketch;
}

export interface BodyStats {
  /** Messages with a body of this media type. */
  count: number;
  /** Bodies summarised in `schema`: for requests, those the server accepted (answered 2xx or 3xx). */
  parsed: number;
  /** Bodies cut short by the capture limit or malformed. */
  unparsed: number;
  /** Bodies the capture level did not keep (only their media type is known). */
  absent: number;
  schema: ValueSketch;
  /**
   * Request bodies the server refused (4xx, 5xx) or never answered: kept apart, so a field left out of a bad
   * request does not make it optional; published only when no accepted request was seen.
   */
  rejected: RejectedBodies | undefined;
  /** multipart file parts: field name -> media type. */
  files: Map<string, string>;
  example: unknown;
}

export interface ResponseStats {
  count: number;
  bodies: Map<string, BodyStats>;
}

export interface HeaderParam {
  /** Spelling of the first occurrence. */
  name: string;
  sketch: ValueSketch;
}

export interface EndpointAggregate {
  calls: number;
  firstSeen: number;
  lastSeen: number;
  statuses: Map<number, number>;
  noResponse: number;
  latency: LatencySketch;
  /** Each sketch's count is the number of requests that carried the parameter. */
  query: Map<string, ValueSketch>;
  headers: Map<string, HeaderParam>;
  /** Security requirement (scheme ids joined by ' ') -> requests; '' for requests without credentials. */
  security: Map<string, number>;
  requestBodies: Map<string, BodyStats>;
  /** Requests that had a body (of any media type). */
  withBody: number;
  responses: Map<number, ResponseStats>;
  /** Parameters, media types or security sets past their caps. */
  overflow: number;
}

export function newAggregate(): EndpointAggregate {
  return {
    calls: 0,
    firstSeen: Infinity,
    lastSeen: -Infinity,
    statuses: new Map(),
    noResponse: 0,
    latency: newLatencySketch(),
    query: new Map(),
    headers: new Map(),
    security: new Map(),
    requestBodies: new Map(),
    withBody: 0,
    responses: new Map(),
    overflow: 0,
  };
}

function newBodyStats(): BodyStats {
  return { count: 0, parsed: 0, unparsed: 0, absent: 0, schema: newSketch(), rejected: undefined, files: new Map(), example: undefined };
}

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export interface BodyCounters {
  bodiesTruncated: number;
  bodiesInvalid: number;
}

/** `accepted`: false for a request body the server refused or did not answer. */
function addBody(bodies: Map<string, BodyStats>, body: BodyObservation, agg: EndpointAggregate, counters: BodyCounters, accepted: boolean): void {
  let stats = bodies.get(body.mediaType);
  if (stats === undefined) {
    if (bodies.size >= MAX_MEDIA_TYPES) {
      agg.overflow++;
      return;
    }
    stats = newBodyStats();
    bodies.set(body.mediaType, stats);
  }
  stats.count++;
  const d = body.decoded;
  if (d.kind === 'absent') stats.absent++;
  else if (d.kind === 'unparsed') {
    stats.unparsed++;
    if (d.reason === 'truncated') counters.bodiesTruncated++;
    else counters.bodiesInvalid++;
  } else if (d.kind === 'value') {
    if (accepted) {
      stats.parsed++;
      addValue(stats.schema, d.value);
    } else {
      stats.rejected ??= { parsed: 0, schema: newSketch() };
      stats.rejected.parsed++;
      addValue(stats.rejected.schema, d.value);
    }
    for (const [name, type] of d.files) if (stats.files.size < MAX_FILE_PARTS || stats.files.has(name)) stats.files.set(name, type);
    if (stats.example === undefined && accepted) {
      const example = redactExample(d.value);
      if (JSON.stringify(example).length <= MAX_EXAMPLE_CHARS) stats.example = example;
    }
  }
}

function addQuery(agg: EndpointAggregate, pairs: Array<[string, string]>): void {
  if (pairs.length === 0) return;
  // A name repeated in one request (`?tag=a&tag=b`) is one array-valued parameter.
  const grouped = new Map<string, unknown>();
  for (const [name, text] of pairs) {
    const v = coerceText(text);
    const prev = grouped.get(name);
    if (prev === undefined) grouped.set(name, v);
    else if (Array.isArray(prev)) prev.push(v);
    else grouped.set(name, [prev, v]);
  }
  for (const [name, value] of grouped) {
    let sk = agg.query.get(name);
    if (sk === undefined) {
      if (agg.query.size >= MAX_QUERY_PARAMS) {
        agg.overflow++;
        continue;
      }
      sk = newSketch();
      agg.query.set(name, sk);
    }
    addValue(sk, value, name);
  }
}

export function addObservation(agg: EndpointAggregate, obs: Observation, counters: BodyCounters): void {
  agg.calls++;
  if (obs.time < agg.firstSeen) agg.firstSeen = obs.time;
  if (obs.time > agg.lastSeen) agg.lastSeen = obs.time;
  addLatency(agg.latency, obs.durationMs);
  addQuery(agg, obs.query);
  for (const h of obs.headers) {
    let p = agg.headers.get(h.lower);
    if (p === undefined) {
      if (agg.headers.size >= MAX_HEADER_PARAMS) {
        agg.overflow++;
        continue;
      }
      p = { name: h.name, sketch: newSketch() };
      agg.headers.set(h.lower, p);
    }
    addValue(p.sketch, coerceText(h.value), h.name);
  }
  const requirement = obs.securityIds.join(' ');
  if (agg.security.has(requirement) || agg.security.size < MAX_SECURITY_SETS) bump(agg.security, requirement);
  else agg.overflow++;
  if (obs.requestBody !== undefined) {
    agg.withBody++;
    const accepted = obs.status !== undefined && obs.status >= 200 && obs.status < 400;
    addBody(agg.requestBodies, obs.requestBody, agg, counters, accepted);
  }
  if (obs.status === undefined) {
    agg.noResponse++;
    return;
  }
  bump(agg.statuses, obs.status);
  let res = agg.responses.get(obs.status);
  if (res === undefined) {
    res = { count: 0, bodies: new Map() };
    agg.responses.set(obs.status, res);
  }
  res.count++;
  if (obs.responseBody !== undefined) addBody(res.bodies, obs.responseBody, agg, counters, true);
}

function mergeBodies(a: Map<string, BodyStats>, b: Map<string, BodyStats>): void {
  for (const [type, sb] of b) {
    const sa = a.get(type);
    if (sa === undefined) {
      a.set(type, structuredClone(sb));
      continue;
    }
    sa.count += sb.count;
    sa.parsed += sb.parsed;
    sa.unparsed += sb.unparsed;
    sa.absent += sb.absent;
    mergeSketch(sa.schema, sb.schema);
    if (sb.rejected !== undefined) {
      if (sa.rejected === undefined) sa.rejected = structuredClone(sb.rejected);
      else {
        sa.rejected.parsed += sb.rejected.parsed;
        mergeSketch(sa.rejected.schema, sb.rejected.schema);
      }
    }
    for (const [name, t] of sb.files) sa.files.set(name, t);
    sa.example ??= sb.example;
  }
}

/** Adds `b` to `a` (mutates `a`, reads `b`). Caps are not re-applied: a merge joins endpoints that each kept to them. */
export function mergeAggregate(a: EndpointAggregate, b: EndpointAggregate): void {
  a.calls += b.calls;
  a.firstSeen = Math.min(a.firstSeen, b.firstSeen);
  a.lastSeen = Math.max(a.lastSeen, b.lastSeen);
  for (const [s, n] of b.statuses) bump(a.statuses, s, n);
  a.noResponse += b.noResponse;
  mergeLatency(a.latency, b.latency);
  for (const [name, sk] of b.query) {
    const sa = a.query.get(name);
    if (sa === undefined) a.query.set(name, cloneSketch(sk));
    else mergeSketch(sa, sk);
  }
  for (const [lower, p] of b.headers) {
    const pa = a.headers.get(lower);
    if (pa === undefined) a.headers.set(lower, { name: p.name, sketch: cloneSketch(p.sketch) });
    else mergeSketch(pa.sketch, p.sketch);
  }
  for (const [req, n] of b.security) bump(a.security, req, n);
  mergeBodies(a.requestBodies, b.requestBodies);
  a.withBody += b.withBody;
  for (const [status, rb] of b.responses) {
    let ra = a.responses.get(status);
    if (ra === undefined) {
      ra = { count: 0, bodies: new Map() };
      a.responses.set(status, ra);
    }
    ra.count += rb.count;
    mergeBodies(ra.bodies, rb.bodies);
  }
  a.overflow += b.overflow;
}

export function cloneAggregate(a: EndpointAggregate): EndpointAggregate {
  return structuredClone(a);
}
