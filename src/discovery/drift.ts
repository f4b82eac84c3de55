// Drift between what the traffic showed (the generated documents) and a given spec: shadow endpoints (seen, not
// documented), zombie operations (documented, never seen), and for endpoints in both: undocumented parameters,
// status codes and body fields, and values whose type the spec does not allow. Both sides are read the same way
// (spec-operations.ts, spec-schema.ts), so a generated document checked against itself has no drift.

import { compilePath, matchScore, specOperations, templateSegments, type SpecContent, type SpecOperation } from './spec-operations.ts';
import { schemaFields, typeAllowed, type FieldTypes, type Json } from './spec-schema.ts';

export interface DriftEndpoint {
  server: string;
  method: string;
  path: string;
  calls: number;
}

export interface DriftLocated {
  server: string;
  method: string;
  /** The observed path template. */
  path: string;
  /** The matching spec path, as written in the spec. */
  documentedPath: string;
}

export interface DriftParameter extends DriftLocated {
  in: string;
  name: string;
}

export interface DriftStatus extends DriftLocated {
  status: string;
  calls: number;
}

export interface DriftField extends DriftLocated {
  /** `requestBody application/json`, `response 200 application/json`. */
  location: string;
  /** JSON pointer in the body ('' = the whole body is undocumented). */
  pointer: string;
}

export interface DriftTypeMismatch extends DriftLocated {
  /** `query`, `header`, `path`, or a body location as in DriftField. */
  location: string;
  /** Parameter name or JSON pointer. */
  name: string;
  documented: string[];
  observed: string[];
}

export interface DriftReport {
  spec: string;
  summary: {
    observedEndpoints: number;
    documentedOperations: number;
    matched: number;
    shadow: number;
    zombie: number;
    undocumentedParameters: number;
    undocumentedStatusCodes: number;
    undocumentedFields: number;
    typeMismatches: number;
  };
  shadow: DriftEndpoint[];
  zombie: Array<{ method: string; path: string }>;
  undocumentedParameters: DriftParameter[];
  undocumentedStatusCodes: DriftStatus[];
  undocumentedFields: DriftField[];
  typeMismatches: DriftTypeMismatch[];
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function callsOf(doc: Json, path: string, method: string, status?: string): number {
  const paths = isObject(doc.paths) ? doc.paths : {};
  const item = paths[path];
  const op = isObject(item) ? item[method.toLowerCase()] : undefined;
  const x = isObject(op) ? op['x-cleartap'] : undefined;
  if (!isObject(x)) return 0;
  if (status === undefined) return typeof x.calls === 'number' ? x.calls : 0;
  const n = isObject(x.statuses) ? x.statuses[status] : undefined;
  return typeof n === 'number' ? n : 0;
}

function serverOf(doc: Json): string {
  const s = Array.isArray(doc.servers) ? doc.servers[0] : undefined;
  return isObject(s) && typeof s.url === 'string' ? s.url : '';
}

function bestMatch(observed: SpecOperation, ops: readonly SpecOperation[]): SpecOperation | undefined {
  const segs = templateSegments(observed.path);
  let best: SpecOperation | undefined;
  let bestScore = -1;
  for (const op of ops) {
    if (op.method !== observed.method) continue;
    for (const full of op.fullPaths) {
      const score = matchScore(compilePath(full), segs);
      if (score !== undefined && score > bestScore) {
        best = op;
        bestScore = score;
      }
    }
  }
  return best;
}

function statusDocumented(status: string, responses: Map<string, SpecContent>): SpecContent | undefined {
  return responses.get(status) ?? responses.get(`${status[0]}XX`) ?? responses.get('default');
}

const JSONISH = (t: string): boolean => t === 'application/json' || t.endsWith('+json');

function contentFor(type: string, content: SpecContent): { found: boolean; schema: unknown } {
  const candidates = [type, `${type.split('/')[0]}/*`, '*/*'];
  for (const c of candidates) if (content.has(c)) return { found: true, schema: content.get(c) };
  if (JSONISH(type)) for (const [t, schema] of content) if (JSONISH(t)) return { found: true, schema };
  return { found: false, schema: undefined };
}

/** The documented field an observed pointer falls under (exact, through `*`, or inside a free-form object). */
function documentedField(doc: Map<string, FieldTypes>, pointer: string): FieldTypes | 'free' | undefined {
  const parts = pointer.split('/').slice(1);
  let candidates = [''];
  for (const part of parts) {
    const next: string[] = [];
    for (const c of candidates) {
      const hasChildren = [...doc.keys()].some((k) => k.startsWith(`${c}/`));
      if (!hasChildren) return 'free';
      for (const p of [`${c}/${part}`, `${c}/*`]) if (doc.has(p)) next.push(p);
    }
    if (next.length === 0) return undefined;
    candidates = next;
  }
  return doc.get(candidates[0]);
}

function observedTypes(f: FieldTypes): string[] {
  return [...f.types].sort();
}

function compareBody(observedDoc: Json, specDoc: Json, obsSchema: unknown, specSchema: unknown, at: DriftLocated, location: string, report: DriftReport): void {
  if (specSchema === undefined || obsSchema === undefined) return;
  const obs = schemaFields(observedDoc, obsSchema);
  const doc = schemaFields(specDoc, specSchema);
  const undocumented: string[] = [];
  for (const [pointer, f] of obs) {
    if (undocumented.some((u) => pointer.startsWith(`${u}/`))) continue;
    const d = pointer === '' ? doc.get('') : documentedField(doc, pointer);
    if (d === 'free') continue;
    if (d === undefined) {
      undocumented.push(pointer);
      report.undocumentedFields.push({ ...at, location, pointer });
      continue;
    }
    const bad = [...f.types].filter((t) => !typeAllowed(t, d.types));
    if (bad.length > 0) report.typeMismatches.push({ ...at, location, name: pointer, documented: [...d.types].sort(), observed: observedTypes(f) });
  }
}

function compareParameters(observedDoc: Json, specDoc: Json, obs: SpecOperation, spec: SpecOperation, at: DriftLocated, report: DriftReport): void {
  const specPath = spec.parameters.filter((p) => p.in === 'path');
  // Path parameters are positional: the spec may call `{userId}` what the traffic showed as `{id}`.
  const specOrder = templateSegments(spec.path).filter((s) => s.includes('{')).map((s) => /\{([^}]+)\}/.exec(s)?.[1]);
  const obsOrder = templateSegments(obs.path).filter((s) => s.startsWith('{')).map((s) => s.slice(1, -1));
  for (const p of obs.parameters) {
    let documented;
    if (p.in === 'path') {
      const i = obsOrder.indexOf(p.name);
      documented = specPath.find((s) => s.name === specOrder[i]);
      if (documented === undefined) continue;
    } else {
      documented = spec.parameters.find((s) => s.in === p.in && (p.in === 'header' ? s.name.toLowerCase() === p.name.toLowerCase() : s.name === p.name));
      if (documented === undefined) {
        report.undocumentedParameters.push({ ...at, in: p.in, name: p.name });
        continue;
      }
    }
    const o = schemaFields(observedDoc, p.schema).get('');
    const d = schemaFields(specDoc, documented.schema).get('');
    if (o === undefined || d === undefined) continue;
    if ([...o.types].some((t) => !typeAllowed(t, d.types))) {
      report.typeMismatches.push({ ...at, location: p.in, name: p.name, documented: [...d.types].sort(), observed: observedTypes(o) });
    }
  }
}

export function driftReport(observedDocs: readonly Json[], specDoc: Json, specName: string): DriftReport {
  const report: DriftReport = {
    spec: specName,
    summary: { observedEndpoints: 0, documentedOperations: 0, matched: 0, shadow: 0, zombie: 0, undocumentedParameters: 0, undocumentedStatusCodes: 0, undocumentedFields: 0, typeMismatches: 0 },
    shadow: [],
    zombie: [],
    undocumentedParameters: [],
    undocumentedStatusCodes: [],
    undocumentedFields: [],
    typeMismatches: [],
  };
  const specOps = specOperations(specDoc);
  const seen = new Set<SpecOperation>();
  for (const observedDoc of observedDocs) {
    const server = serverOf(observedDoc);
    for (const obs of specOperations(observedDoc)) {
      report.summary.observedEndpoints++;
      const spec = bestMatch(obs, specOps);
      if (spec === undefined) {
        report.shadow.push({ server, method: obs.method, path: obs.path, calls: callsOf(observedDoc, obs.path, obs.method) });
        continue;
      }
      seen.add(spec);
      report.summary.matched++;
      const at: DriftLocated = { server, method: obs.method, path: obs.path, documentedPath: spec.path };
      compareParameters(observedDoc, specDoc, obs, spec, at, report);
      if (obs.requestBody !== undefined) {
        for (const [type, schema] of obs.requestBody) {
          const documented = spec.requestBody === undefined ? { found: false, schema: undefined } : contentFor(type, spec.requestBody);
          if (!documented.found) report.undocumentedFields.push({ ...at, location: `requestBody ${type}`, pointer: '' });
          else compareBody(observedDoc, specDoc, schema, documented.schema, at, `requestBody ${type}`, report);
        }
      }
      for (const [status, content] of obs.responses) {
        if (status === 'default') continue;
        const documented = statusDocumented(status, spec.responses);
        if (documented === undefined) {
          report.undocumentedStatusCodes.push({ ...at, status, calls: callsOf(observedDoc, obs.path, obs.method, status) });
          continue;
        }
        for (const [type, schema] of content) {
          const d = contentFor(type, documented);
          if (!d.found) report.undocumentedFields.push({ ...at, location: `response ${status} ${type}`, pointer: '' });
          else compareBody(observedDoc, specDoc, schema, d.schema, at, `response ${status} ${type}`, report);
        }
      }
    }
  }
  for (const op of specOps) if (!seen.has(op)) report.zombie.push({ method: op.method, path: op.path });
  const s = report.summary;
  s.documentedOperations = specOps.length;
  s.shadow = report.shadow.length;
  s.zombie = report.zombie.length;
  s.undocumentedParameters = report.undocumentedParameters.length;
  s.undocumentedStatusCodes = report.undocumentedStatusCodes.length;
  s.undocumentedFields = report.undocumentedFields.length;
  s.typeMismatches = report.typeMismatches.length;
  return report;
}
