// Accuracy of inferred OpenAPI documents against the API's own declared document, for any (spec, traffic) pair:
//   endpoint precision  inferred endpoints whose method and path template (parameter names aside) are declared
//   endpoint recall     declared operations that were inferred
//   parameter recall    declared path, query and header parameters that the inferred operation has
//   field accuracy      declared body fields the traffic carried (request and responses, per status and media
//                       type; see observed-fields.ts) inferred at the same JSON pointer with an allowed type and,
//                       when declared, the same string format
// plus agreement on required-ness and enums, reported but not part of the goal.

import { schemaFields, specOperations, typeAllowed, type FieldTypes, type Json, type SpecOperation } from '../../src/discovery/index.ts';

const INFERRED_FORMATS = new Set(['date-time', 'date', 'email', 'uuid', 'uri', 'ipv4', 'ipv6']);

export interface Ratio {
  total: number;
  hits: number;
  rate: number;
}

export interface AccuracyReport {
  endpointPrecision: Ratio;
  endpointRecall: Ratio;
  parameterRecall: Ratio;
  fieldAccuracy: Ratio;
  requiredAgreement: Ratio;
  enumRecall: Ratio;
  /** Bodies declared but never produced by the traffic (not scored). */
  bodiesNotExercised: number;
  /** Declared fields of produced bodies that the traffic never carried (not scored). */
  fieldsNotObserved: number;
  /** Inferred fields the declared document does not have. */
  extraFields: number;
  falsePositives: string[];
  missedEndpoints: string[];
  missedParameters: string[];
  wrongFields: string[];
}

function ratio(hits: number, total: number): Ratio {
  return { total, hits, rate: total === 0 ? 1 : hits / total };
}

const norm = (path: string): string => path.split('/').filter((s) => s !== '').map((s) => (s.includes('{') ? '{}' : s)).join('/');

function fieldOk(d: FieldTypes, i: FieldTypes | undefined): string | undefined {
  if (i === undefined) return 'missing';
  const observed = [...i.types];
  if (observed.length === 0 || observed.every((t) => t === 'null')) return 'no type';
  const bad = observed.filter((t) => !typeAllowed(t, d.types));
  if (bad.length > 0) return `type ${observed.join('|')} vs ${[...d.types].join('|')}`;
  if (d.format !== undefined && INFERRED_FORMATS.has(d.format) && i.format !== d.format) return `format ${i.format ?? 'none'} vs ${d.format}`;
  return undefined;
}

/**
 * `observed`: location -> JSON pointers the traffic carried (observed-fields.ts); declared fields outside it are
 * counted as not observed instead of scored. Without it every declared field of a produced body is scored.
 */
export function compareDocuments(declared: Json, inferred: readonly Json[], observed?: ReadonlyMap<string, ReadonlySet<string>>): AccuracyReport {
  const declaredOps = specOperations(declared);
  const byKey = new Map<string, SpecOperation>();
  for (const op of declaredOps) for (const full of op.fullPaths) byKey.set(`${op.method} ${norm(full)}`, op);
  const pairs = new Map<SpecOperation, { doc: Json; op: SpecOperation }>();
  const falsePositives: string[] = [];
  let inferredCount = 0;
  for (const doc of inferred) {
    for (const op of specOperations(doc)) {
      inferredCount++;
      const d = byKey.get(`${op.method} ${norm(op.path)}`);
      if (d === undefined || pairs.has(d)) falsePositives.push(`${op.method} ${op.path}`);
      else pairs.set(d, { doc, op });
    }
  }
  const missedEndpoints = declaredOps.filter((d) => !pairs.has(d)).map((d) => `${d.method} ${d.path}`);

  let paramsTotal = 0;
  let paramsFound = 0;
  const missedParameters: string[] = [];
  let fieldsTotal = 0;
  let fieldsOk = 0;
  let requiredTotal = 0;
  let requiredOk = 0;
  let enumTotal = 0;
  let enumOk = 0;
  let bodiesNotExercised = 0;
  let fieldsNotObserved = 0;
  let extraFields = 0;
  const wrongFields: string[] = [];

  const compareBody = (where: string, dSchema: unknown, iDoc: Json, iSchema: unknown): void => {
    const d = schemaFields(declared, dSchema);
    const i = schemaFields(iDoc, iSchema);
    const seen = observed?.get(where);
    for (const [pointer, df] of d) {
      if (observed !== undefined && seen?.has(pointer) !== true) {
        fieldsNotObserved++;
        continue;
      }
      fieldsTotal++;
      const problem = fieldOk(df, i.get(pointer));
      if (problem === undefined) fieldsOk++;
      else wrongFields.push(`${where} ${pointer || '(body)'}: ${problem}`);
      const inf = i.get(pointer);
      if (inf !== undefined && pointer !== '' && !pointer.endsWith('/*')) {
        requiredTotal++;
        if (inf.required === df.required) requiredOk++;
      }
      if (Array.isArray(df.enum) && df.enum.length > 1) {
        enumTotal++;
        const got = new Set<unknown>((inf?.enum ?? []).filter((v) => v !== null));
        if (got.size === df.enum.length && df.enum.every((v) => got.has(v))) enumOk++;
      }
    }
    for (const pointer of i.keys()) if (!d.has(pointer)) extraFields++;
  };

  for (const d of declaredOps) {
    const pair = pairs.get(d);
    const label = `${d.method} ${d.path}`;
    for (const p of d.parameters) {
      paramsTotal++;
      const found =
        pair !== undefined &&
        (p.in === 'path' || pair.op.parameters.some((q) => q.in === p.in && (p.in === 'header' ? q.name.toLowerCase() === p.name.toLowerCase() : q.name === p.name)));
      if (found) paramsFound++;
      else missedParameters.push(`${label} ${p.in} ${p.name}`);
    }
    if (pair === undefined) continue;
    for (const [type, schema] of d.requestBody ?? []) {
      if (schema === undefined) continue;
      const got = pair.op.requestBody?.get(type);
      if (got === undefined) bodiesNotExercised++;
      else compareBody(`${label} request ${type}`, schema, pair.doc, got);
    }
    for (const [status, content] of d.responses) {
      for (const [type, schema] of content) {
        if (schema === undefined) continue;
        const got = pair.op.responses.get(status)?.get(type);
        if (got === undefined) bodiesNotExercised++;
        else compareBody(`${label} ${status} ${type}`, schema, pair.doc, got);
      }
    }
  }
  return {
    endpointPrecision: ratio(inferredCount - falsePositives.length, inferredCount),
    endpointRecall: ratio(pairs.size, declaredOps.length),
    parameterRecall: ratio(paramsFound, paramsTotal),
    fieldAccuracy: ratio(fieldsOk, fieldsTotal),
    requiredAgreement: ratio(requiredOk, requiredTotal),
    enumRecall: ratio(enumOk, enumTotal),
    bodiesNotExercised,
    fieldsNotObserved,
    extraFields,
    falsePositives,
    missedEndpoints,
    missedParameters,
    wrongFields,
  };
}
