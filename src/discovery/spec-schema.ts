// Reading schemas out of an OpenAPI document, given or generated: local `$ref`s resolved (with a cycle guard),
// and a schema flattened into its fields: JSON pointer -> the types allowed there. allOf contributes every
// branch's fields, oneOf/anyOf any branch's; array items and map values are `*` in the pointer. Drift checks and
// the accuracy benchmark compare documents field by field through this one reading.

export type Json = Record<string, unknown>;

export interface FieldTypes {
  /** JSON types allowed ('integer' included); empty when the schema does not say. */
  types: Set<string>;
  format: string | undefined;
  /** Listed in its parent object's `required` (always true for the root and array items). */
  required: boolean;
  /** The allowed values when the schema lists them. */
  enum: unknown[] | undefined;
}

const MAX_DEPTH = 16;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `obj` with its local `$ref` chain followed; undefined when a reference does not resolve. */
export function deref(doc: Json, obj: unknown, seen: Set<string> = new Set()): Json | undefined {
  let cur = obj;
  while (isObject(cur) && typeof cur.$ref === 'string') {
    const ref = cur.$ref;
    if (!ref.startsWith('#/') || seen.has(ref)) return undefined;
    seen.add(ref);
    let target: unknown = doc;
    for (const raw of ref.slice(2).split('/')) {
      const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
      target = isObject(target) ? target[key] : undefined;
    }
    cur = target;
  }
  return isObject(cur) ? cur : undefined;
}

function typesOf(s: Json): Set<string> {
  const out = new Set<string>();
  if (typeof s.type === 'string') out.add(s.type);
  else if (Array.isArray(s.type)) for (const t of s.type) if (typeof t === 'string') out.add(t);
  if (out.size === 0) {
    if (isObject(s.properties) || isObject(s.additionalProperties)) out.add('object');
    if (s.items !== undefined) out.add('array');
    const values = Array.isArray(s.enum) ? s.enum : 'const' in s ? [s.const] : [];
    for (const v of values) out.add(v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  }
  if (s.nullable === true) out.add('null');
  return out;
}

function addField(out: Map<string, FieldTypes>, pointer: string, s: Json, required: boolean): void {
  const types = typesOf(s);
  const format = typeof s.format === 'string' ? s.format : undefined;
  const values = Array.isArray(s.enum) ? s.enum : undefined;
  const f = out.get(pointer);
  if (f === undefined) out.set(pointer, { types, format, required, enum: values });
  else {
    for (const t of types) f.types.add(t);
    f.format ??= format;
    f.required ||= required;
    f.enum ??= values;
  }
}

/**
 * Fields of `schema`: '' is the schema itself, `/a/b` nested properties, `/items/*` array items. `refs` guards
 * against recursive schemas (a tree node whose children are tree nodes is walked once per branch).
 */
export function schemaFields(doc: Json, schema: unknown, out: Map<string, FieldTypes> = new Map(), pointer = '', depth = 0, refs: ReadonlySet<string> = new Set(), required = true): Map<string, FieldTypes> {
  if (depth > MAX_DEPTH) return out;
  const seen = new Set(refs);
  const s = deref(doc, schema, seen);
  if (s === undefined) return out;
  addField(out, pointer, s, required);
  for (const key of ['allOf', 'oneOf', 'anyOf']) {
    const branches = s[key];
    if (!Array.isArray(branches)) continue;
    // A branch's fields are as required as the place the branch describes.
    for (const b of branches) schemaFields(doc, b, out, pointer, depth + 1, seen, required);
  }
  if (isObject(s.properties)) {
    const list = Array.isArray(s.required) ? s.required : [];
    for (const [k, v] of Object.entries(s.properties)) {
      schemaFields(doc, v, out, `${pointer}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`, depth + 1, seen, list.includes(k));
    }
  }
  if (isObject(s.additionalProperties)) schemaFields(doc, s.additionalProperties, out, `${pointer}/*`, depth + 1, seen, false);
  if (s.items !== undefined && s.items !== false) schemaFields(doc, s.items, out, `${pointer}/*`, depth + 1, seen);
  return out;
}

/** Whether a value of observed type `t` is allowed by `documented` (integers are numbers; no types = anything). */
export function typeAllowed(t: string, documented: ReadonlySet<string>): boolean {
  return documented.size === 0 || documented.has(t) || (t === 'integer' && documented.has('number'));
}
