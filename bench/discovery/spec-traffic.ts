// A seeded, spec-driven traffic generator: any OpenAPI 3.x document (plus the credentials its server accepts)
// yields a stream of requests that exercise every operation: path parameters from the listed examples (and now
// and then an unknown id, for the 404s), optional query parameters and headers half of the time, request bodies
// in the declared media type (JSON, form, multipart), credentials per the operation's security, and a few
// requests without credentials or with a required field left out, for the 401s and 422s.

import { SeededRandom } from '../../src/core/fixtures/seeded-random.ts';
import { deref, specOperations, type Json } from '../../src/discovery/index.ts';
import { valueFor, type ValueOptions } from './schema-values.ts';

export interface RequestPlan {
  method: string;
  /** Path and query. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface TrafficCredentials {
  bearer?: string;
  basic?: { username: string; password: string };
  /** API key values by the header, query or cookie name the spec gives. */
  apiKeys?: Record<string, string>;
}

export interface TrafficOptions {
  seed: number;
  credentials: TrafficCredentials;
  optionalRate?: number;
  unknownIdRate?: number;
  unauthenticatedRate?: number;
  invalidBodyRate?: number;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function encodeBody(type: string, value: unknown): { body: Buffer; contentType: string } {
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(value as Json)) form.append(k, String(v));
    return { body: Buffer.from(form.toString()), contentType: type };
  }
  return { body: Buffer.from(JSON.stringify(value)), contentType: type };
}

/** Multipart file fields (schema with contentMediaType) are sent as file parts. */
function multipartWithFiles(doc: Json, schema: unknown, value: Json, rng: SeededRandom): { body: Buffer; contentType: string } {
  const s = deref(doc, schema) ?? {};
  const boundary = `----bench${rng.string('abcdef0123456789', 16)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(value)) {
    const prop = deref(doc, (s.properties as Json | undefined)?.[k]) ?? {};
    if (typeof prop.contentMediaType === 'string') {
      const bytes = Buffer.from(rng.bytes(rng.int(16, 256)));
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="upload-${rng.int(1, 99)}.bin"\r\nContent-Type: ${prop.contentMediaType}\r\n\r\n`), bytes, Buffer.from('\r\n'));
    } else parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

function applySecurity(doc: Json, op: Json | undefined, plan: RequestPlan, query: URLSearchParams, c: TrafficCredentials): void {
  const requirement = (Array.isArray(op?.security) ? op.security : Array.isArray(doc.security) ? doc.security : [])[0];
  if (!isObject(requirement)) return;
  const schemes = (isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {}) as Record<string, Json>;
  for (const id of Object.keys(requirement)) {
    const s = schemes[id];
    if (s === undefined) continue;
    if (s.type === 'http' && s.scheme === 'bearer' && c.bearer !== undefined) plan.headers.Authorization = `Bearer ${c.bearer}`;
    else if (s.type === 'http' && s.scheme === 'basic' && c.basic !== undefined) plan.headers.Authorization = `Basic ${Buffer.from(`${c.basic.username}:${c.basic.password}`).toString('base64')}`;
    else if (s.type === 'apiKey' && typeof s.name === 'string' && c.apiKeys?.[s.name] !== undefined) {
      const v = c.apiKeys[s.name];
      if (s.in === 'header') plan.headers[s.name] = v;
      else if (s.in === 'query') query.set(s.name, v);
      else if (s.in === 'cookie') plan.headers.Cookie = `${s.name}=${v}`;
    }
  }
}

function rawOperation(doc: Json, path: string, method: string): Json | undefined {
  const item = isObject(doc.paths) ? deref(doc, doc.paths[path]) : undefined;
  return item === undefined ? undefined : deref(doc, item[method.toLowerCase()]);
}

/** `count` requests over the operations of `doc`, chosen uniformly at random. */
export function* trafficFromSpec(doc: Json, count: number, options: TrafficOptions): Generator<RequestPlan> {
  const rng = new SeededRandom(options.seed);
  const ops = specOperations(doc);
  if (ops.length === 0) return;
  const values: ValueOptions = { rng, optionalRate: options.optionalRate ?? 0.5, exampleRate: 1 };
  const unknownIds = options.unknownIdRate ?? 0.08;
  for (let i = 0; i < count; i++) {
    const op = ops[i < ops.length ? i : rng.int(0, ops.length - 1)];
    const query = new URLSearchParams();
    const plan: RequestPlan = { method: op.method, target: '', headers: {} };
    let path = op.fullPaths[0];
    for (const p of op.parameters) {
      if (p.in === 'path') {
        const v = valueFor(doc, p.schema, { ...values, exampleRate: rng.chance(unknownIds) ? 0 : 1 });
        path = path.replace(`{${p.name}}`, encodeURIComponent(String(v)));
      } else if (p.required || rng.chance(values.optionalRate)) {
        const v = String(valueFor(doc, p.schema, values));
        if (p.in === 'query') query.append(p.name, v);
        else if (p.in === 'header') plan.headers[p.name] = v;
      }
    }
    const raw = rawOperation(doc, op.path, op.method);
    if (!rng.chance(options.unauthenticatedRate ?? 0.03)) applySecurity(doc, raw, plan, query, options.credentials);
    if (op.requestBody !== undefined && op.requestBody.size > 0) {
      const [type, schema] = [...op.requestBody][0];
      const value = valueFor(doc, schema, values) as Json;
      const required = deref(doc, schema)?.required;
      if (Array.isArray(required) && required.length > 0 && isObject(value) && rng.chance(options.invalidBodyRate ?? 0.04)) delete value[String(rng.pick(required))];
      const encoded = type === 'multipart/form-data' ? multipartWithFiles(doc, schema, value, rng) : encodeBody(type, value);
      plan.body = encoded.body;
      plan.headers['Content-Type'] = encoded.contentType;
    }
    const qs = query.toString();
    plan.target = qs === '' ? path : `${path}?${qs}`;
    yield plan;
  }
}
