// One endpoint snapshot -> an OpenAPI 3.1 Operation: parameters (path, query, headers; required when present in
// every request), security requirements as observed, request body and responses per status and media type with
// their inferred schemas and redacted examples, observed statistics under `x-cleartap` and where sensitive data
// travels under `x-sensitive-data`.

import { STATUS_CODES } from 'node:http';
import { summarizeLatency } from './latency-sketch.ts';
import { redactExample } from './redact-example.ts';
import { schemaOf, type JsonSchema } from './schema-emit.ts';
import { collectSensitive, MAX_SENSITIVE_FIELDS, type SensitiveField } from './sensitive-fields.ts';
import { tagNames } from './sensitive-tags.ts';
import type { BodyStats, EndpointAggregate } from './endpoint-aggregate.ts';
import type { EndpointSnapshot } from './discovery-model.ts';
import type { SecurityScheme } from './security-schemes.ts';
import type { ValueSketch } from './value-sketch.ts';

export type OpenApiObject = Record<string, unknown>;

/** A value seen at this place, for `example`: a kept string, else the smallest number, else a boolean. */
function exampleOf(sk: ValueSketch, name: string): unknown {
  if (sk.strings?.sample !== undefined) return redactExample(sk.strings.sample, name);
  if (sk.ints !== undefined) return redactExample(sk.ints.min, name);
  if (sk.floats !== undefined) return redactExample(sk.floats.min, name);
  if (sk.bools > 0) return true;
  return undefined;
}

function parameter(name: string, where: 'path' | 'query' | 'header', sk: ValueSketch, required: boolean): OpenApiObject {
  const p: OpenApiObject = { name, in: where };
  if (required) p.required = true;
  p.schema = schemaOf(sk);
  const example = exampleOf(sk, name);
  if (example !== undefined) p.example = example;
  return p;
}

function mediaTypeObject(stats: BodyStats): OpenApiObject {
  const m: OpenApiObject = {};
  const sketch = stats.parsed > 0 ? stats.schema : stats.rejected?.schema;
  if (sketch !== undefined) {
    const schema = schemaOf(sketch);
    if (stats.files.size > 0) {
      const properties = (schema.properties ??= {}) as Record<string, JsonSchema>;
      for (const [name, type] of stats.files) properties[name] = { type: 'string', contentMediaType: type };
      schema.type = 'object';
    }
    m.schema = schema;
    if (stats.example !== undefined) m.example = stats.example;
  }
  return m;
}

function content(bodies: Map<string, BodyStats>): OpenApiObject {
  const out: OpenApiObject = {};
  for (const type of [...bodies.keys()].sort()) out[type] = mediaTypeObject(bodies.get(type) as BodyStats);
  return out;
}

function securityOf(agg: EndpointAggregate): OpenApiObject[] | undefined {
  if (agg.security.size === 1 && agg.security.has('')) return undefined;
  const out: OpenApiObject[] = [];
  for (const requirement of [...agg.security.keys()].sort()) {
    const r: OpenApiObject = {};
    if (requirement !== '') for (const id of requirement.split(' ')) r[id] = [];
    out.push(r);
  }
  return out;
}

function iso(ms: number): string | undefined {
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}

function statistics(agg: EndpointAggregate): OpenApiObject {
  const statuses: Record<string, number> = {};
  for (const s of [...agg.statuses.keys()].sort((a, b) => a - b)) statuses[String(s)] = agg.statuses.get(s) as number;
  const x: OpenApiObject = { calls: agg.calls };
  const first = iso(agg.firstSeen);
  const last = iso(agg.lastSeen);
  if (first !== undefined) x.firstSeen = first;
  if (last !== undefined) x.lastSeen = last;
  x.statuses = statuses;
  if (agg.noResponse > 0) x.noResponse = agg.noResponse;
  const latency = summarizeLatency(agg.latency);
  if (latency !== undefined) x.latencyMs = latency;
  return x;
}

function sensitiveData(ep: EndpointSnapshot, schemes: Map<string, SecurityScheme>): SensitiveField[] {
  const agg = ep.aggregate;
  const out: SensitiveField[] = [];
  const credentials = new Set<string>();
  for (const requirement of agg.security.keys()) for (const id of requirement.split(' ')) if (id !== '') credentials.add(id);
  for (const id of [...credentials].sort()) {
    const s = schemes.get(id);
    if (s === undefined) continue;
    const where = s.type === 'http' ? 'header' : (s.in ?? 'header');
    out.push({ in: where, name: s.type === 'http' ? 'Authorization' : (s.name ?? id), tags: [s.in === 'cookie' ? 'secret:token' : 'secret:credentials'] });
  }
  for (const p of ep.pathParams) if (p.sketch.tags !== 0) out.push({ in: 'path', name: p.name, tags: tagNames(p.sketch.tags) });
  for (const [name, sk] of agg.query) if (sk.tags !== 0) out.push({ in: 'query', name, tags: tagNames(sk.tags) });
  for (const h of agg.headers.values()) if (h.sketch.tags !== 0) out.push({ in: 'header', name: h.name, tags: tagNames(h.sketch.tags) });
  for (const body of agg.requestBodies.values()) {
    collectSensitive(body.schema, 'requestBody', out);
    if (body.rejected !== undefined) collectSensitive(body.rejected.schema, 'requestBody', out);
  }
  for (const [status, res] of agg.responses) for (const body of res.bodies.values()) collectSensitive(body.schema, `response ${status}`, out);
  // Accepted and refused request bodies can tag the same field: list it once.
  const unique = new Map<string, SensitiveField>();
  for (const f of out) if (!unique.has(`${f.in} ${f.name}`)) unique.set(`${f.in} ${f.name}`, f);
  return [...unique.values()].slice(0, MAX_SENSITIVE_FIELDS);
}

export function operationObject(ep: EndpointSnapshot, operationId: string, schemes: Map<string, SecurityScheme>): OpenApiObject {
  const agg = ep.aggregate;
  const op: OpenApiObject = { operationId };
  const parameters: OpenApiObject[] = ep.pathParams.map((p) => parameter(p.name, 'path', p.sketch, true));
  for (const name of [...agg.query.keys()].sort()) {
    const sk = agg.query.get(name) as ValueSketch;
    parameters.push(parameter(name, 'query', sk, sk.count === agg.calls));
  }
  for (const lower of [...agg.headers.keys()].sort()) {
    const h = agg.headers.get(lower) as { name: string; sketch: ValueSketch };
    parameters.push(parameter(h.name, 'header', h.sketch, h.sketch.count === agg.calls));
  }
  if (parameters.length > 0) op.parameters = parameters;
  const security = securityOf(agg);
  if (security !== undefined) op.security = security;
  if (agg.requestBodies.size > 0) {
    op.requestBody = { ...(agg.withBody === agg.calls && { required: true }), content: content(agg.requestBodies) };
  }
  const responses: OpenApiObject = {};
  for (const status of [...agg.responses.keys()].sort((a, b) => a - b)) {
    const res = agg.responses.get(status);
    // OpenAPI only has keys for real status codes; anything else a capture produced stays in x-cleartap.
    if (res === undefined || status < 100 || status > 599) continue;
    const r: OpenApiObject = { description: STATUS_CODES[status] ?? `Status ${status}` };
    if (res.bodies.size > 0) r.content = content(res.bodies);
    responses[String(status)] = r;
  }
  if (Object.keys(responses).length === 0) responses.default = { description: 'No response was observed' };
  op.responses = responses;
  op['x-cleartap'] = statistics(agg);
  const sensitive = sensitiveData(ep, schemes);
  if (sensitive.length > 0) op['x-sensitive-data'] = sensitive;
  return op;
}
