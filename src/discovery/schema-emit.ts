// ValueSketch -> JSON Schema (2020-12, as OpenAPI 3.1 uses it). Everything published is something every sample
// agreed on: a format only when every string had it, `required` only for properties present in every object, an
// enum only for a small set of short values seen many times over, numeric bounds only once they stopped moving.
// String lengths are not published: observed lengths (a password, a name) say little about what the API accepts.

import { formatOf } from './value-format.ts';
import { tagNames } from './sensitive-tags.ts';
import type { NumberStats, RangeStats, StringStats, ValueSketch } from './value-sketch.ts';

export type JsonSchema = Record<string, unknown>;

/** Enums: at most this many distinct values... */
export const ENUM_MAX = 8;
/** ...seen in at least this many samples, each value on average this many times. */
export const ENUM_MIN_SAMPLES = 20;
export const ENUM_MIN_REPEAT = 4;
/** Bounds are published once this many samples were seen and the last half did not move them. */
export const STABLE_MIN_SAMPLES = 20;

/** A range worth publishing: enough samples, unmoved over the last half, and a range (a constant is not one). */
function stable(r: RangeStats): boolean {
  return r.count >= STABLE_MIN_SAMPLES && r.changedAt * 2 <= r.count && r.min < r.max;
}

function integerSchema(n: NumberStats): JsonSchema {
  const s: JsonSchema = { type: 'integer', format: n.wide ? 'int64' : 'int32' };
  if (stable(n)) {
    s.minimum = n.min;
    s.maximum = n.max;
  }
  return s;
}

function numberSchema(ints: NumberStats | undefined, floats: NumberStats): JsonSchema {
  const s: JsonSchema = { type: 'number', format: 'double' };
  if (stable(floats) && (ints === undefined || stable(ints))) {
    s.minimum = ints === undefined ? floats.min : Math.min(ints.min, floats.min);
    s.maximum = ints === undefined ? floats.max : Math.max(ints.max, floats.max);
  }
  return s;
}

function enumOf(st: StringStats, tags: number): string[] | undefined {
  const v = st.values;
  // One value seen over and over is as likely a fixture or a single client's setting as a constant.
  if (v === null || v.size < 2 || v.size > ENUM_MAX || tags !== 0) return undefined;
  if (st.count < ENUM_MIN_SAMPLES || st.count < v.size * ENUM_MIN_REPEAT) return undefined;
  return [...v].sort();
}

function stringSchema(st: StringStats, tags: number): JsonSchema {
  const s: JsonSchema = { type: 'string' };
  const format = formatOf(st.formats);
  if (format !== undefined) {
    s.format = format;
    return s;
  }
  const values = enumOf(st, tags);
  if (values !== undefined) s.enum = values;
  return s;
}

/** The JSON Schema of everything `sk` summarises; `{}` when nothing typed was seen. */
export function schemaOf(sk: ValueSketch): JsonSchema {
  const variants: JsonSchema[] = [];
  if (sk.floats !== undefined) variants.push(numberSchema(sk.ints, sk.floats));
  else if (sk.ints !== undefined) variants.push(integerSchema(sk.ints));
  if (sk.strings !== undefined) variants.push(stringSchema(sk.strings, sk.tags));
  if (sk.bools > 0) variants.push({ type: 'boolean' });
  if (sk.object !== undefined) {
    const o = sk.object;
    const s: JsonSchema = { type: 'object' };
    if (o.props.size > 0) {
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const key of [...o.props.keys()].sort()) {
        const p = o.props.get(key) as ValueSketch;
        properties[key] = schemaOf(p);
        if (p.count === o.count) required.push(key);
      }
      s.properties = properties;
      if (required.length > 0) s.required = required;
    }
    if (o.extra !== undefined) s.additionalProperties = schemaOf(o.extra);
    variants.push(s);
  }
  if (sk.array !== undefined) variants.push({ type: 'array', items: schemaOf(sk.array.items) });
  let out: JsonSchema;
  if (variants.length === 0) out = sk.nulls > 0 ? { type: 'null' } : {};
  else if (variants.length === 1) {
    out = variants[0];
    if (sk.nulls > 0) {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum)) out.enum.push(null);
    }
  } else {
    if (sk.nulls > 0) variants.push({ type: 'null' });
    out = { anyOf: variants };
  }
  if (sk.tags !== 0) out['x-sensitive'] = tagNames(sk.tags);
  return out;
}
