// The operations of an OpenAPI document, flattened for comparison: method, path (with each server's base path
// in front, so `servers: [{url: https://api.example.com/v1}]` + `/users` is matched as `/v1/users`), parameters
// (path-item and operation level, refs resolved), request body and response media types with their schemas.
// Path templates are matched segment by segment, preferring literal matches over parameter matches.

import type { PathHint } from './hints.ts';
import { deref, type Json } from './spec-schema.ts';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface SpecParameter {
  name: string;
  in: string;
  required: boolean;
  schema: unknown;
}

/** Media type -> schema (undefined when the media type has none). */
export type SpecContent = Map<string, unknown>;

export interface SpecOperation {
  method: string;
  /** The path key as written in the document. */
  path: string;
  /** The path with each server base path in front (at least one entry). */
  fullPaths: string[];
  parameters: SpecParameter[];
  requestBody: SpecContent | undefined;
  /** Status key ('200', '2XX', 'default') -> content. */
  responses: Map<string, SpecContent>;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Path parts of the document's server URLs ('' for none or a bare origin); variables take their defaults. */
export function serverBasePaths(doc: Json): string[] {
  const out = new Set<string>();
  const servers = Array.isArray(doc.servers) ? doc.servers : [];
  for (const s of servers) {
    if (!isObject(s) || typeof s.url !== 'string') continue;
    const vars = isObject(s.variables) ? s.variables : {};
    const url = s.url.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const v = vars[name];
      return isObject(v) && typeof v.default === 'string' ? v.default : '';
    });
    const scheme = url.indexOf('://');
    const rest = scheme < 0 ? url : url.slice(url.indexOf('/', scheme + 3) < 0 ? url.length : url.indexOf('/', scheme + 3));
    out.add(rest.replace(/\/+$/, ''));
  }
  if (out.size === 0) out.add('');
  return [...out];
}

function parametersOf(doc: Json, list: unknown): SpecParameter[] {
  if (!Array.isArray(list)) return [];
  const out: SpecParameter[] = [];
  for (const raw of list) {
    const p = deref(doc, raw);
    if (p === undefined || typeof p.name !== 'string' || typeof p.in !== 'string') continue;
    let schema = p.schema;
    // A parameter described through `content` has its schema one level down.
    if (schema === undefined && isObject(p.content)) schema = Object.values(p.content).map((m) => (isObject(m) ? m.schema : undefined))[0];
    out.push({ name: p.name, in: p.in, required: p.required === true, schema });
  }
  return out;
}

function contentOf(doc: Json, holder: unknown): SpecContent | undefined {
  const h = deref(doc, holder);
  if (h === undefined) return undefined;
  const out: SpecContent = new Map();
  if (isObject(h.content)) for (const [type, m] of Object.entries(h.content)) out.set(type.toLowerCase(), isObject(m) ? m.schema : undefined);
  return out;
}

export function specOperations(doc: Json): SpecOperation[] {
  const bases = serverBasePaths(doc);
  const out: SpecOperation[] = [];
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = deref(doc, rawItem);
    if (item === undefined) continue;
    const shared = parametersOf(doc, item.parameters);
    for (const method of HTTP_METHODS) {
      const op = deref(doc, item[method]);
      if (op === undefined) continue;
      const own = parametersOf(doc, op.parameters);
      const parameters = [...own, ...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in))];
      const responses = new Map<string, SpecContent>();
      if (isObject(op.responses)) {
        for (const [status, r] of Object.entries(op.responses)) responses.set(status.toUpperCase() === 'DEFAULT' ? 'default' : status.toUpperCase(), contentOf(doc, r) ?? new Map());
      }
      out.push({
        method: method.toUpperCase(),
        path,
        fullPaths: bases.map((b) => `${b}${path}`),
        parameters,
        requestBody: op.requestBody === undefined ? undefined : contentOf(doc, op.requestBody),
        responses,
      });
    }
  }
  return out;
}

/** The document's paths as hints (server base paths in front): in drift mode, paths already in the spec win. */
export function specPathHints(doc: Json): PathHint[] {
  const out: PathHint[] = [];
  for (const base of serverBasePaths(doc)) {
    for (const path of Object.keys(isObject(doc.paths) ? doc.paths : {})) out.push({ path: `${base}${path}` });
  }
  return out;
}

type PatternSegment = { literal: string } | { param: RegExp; whole: boolean };

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compilePath(path: string): PatternSegment[] {
  return path.split('/').filter((s) => s !== '').map((s) => {
    if (!s.includes('{')) return { literal: s };
    const whole = /^\{[^{}]+\}$/.test(s);
    const source = s.split(/\{[^{}]+\}/).map(escapeRegExp).join('[^/]+');
    return { param: new RegExp(`^${source}$`), whole };
  });
}

/**
 * How well a spec path matches an observed template (segments; parameters written `{name}`): undefined for no
 * match, else higher for more exact segments.
 */
export function matchScore(pattern: readonly PatternSegment[], observed: readonly string[]): number | undefined {
  if (pattern.length !== observed.length) return undefined;
  let score = 0;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const o = observed[i];
    const oParam = o.startsWith('{') && o.endsWith('}');
    if ('literal' in p) {
      if (oParam || decodeSegment(p.literal) !== decodeSegment(o)) return undefined;
      score += 3;
    } else if (oParam) score += p.whole ? 3 : 1;
    else if (p.param.test(o)) score += 1;
    else return undefined;
  }
  return score;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Segments of a path template. */
export function templateSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}
