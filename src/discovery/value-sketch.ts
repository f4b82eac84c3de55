// A mergeable summary of every value seen at one place (a JSON body, a field, a parameter): how often each JSON
// type occurred, number ranges, string formats and a few distinct strings (enum candidates), object properties
// with their presence counts, array item summaries, and sensitive-data tags. Its size depends on the shape of the
// values, never on how many were seen: distinct strings stop being kept past ENUM_TRACK, properties past
// MAX_PROPS (the rest, and id-like keys such as `{"2024-06-01": 3}`, share one `extra` summary), array items past
// MAX_ITEMS per array, nesting past MAX_DEPTH.

import { ALL_FORMAT_BITS, formatBitsOf } from './value-format.ts';
import { segmentKind, isLiteralKind } from './segment-kind.ts';
import { tagsOfName, tagsOfValue } from './sensitive-tags.ts';

export const ENUM_TRACK = 12;
export const MAX_ENUM_LENGTH = 64;
export const MAX_PROPS = 128;
export const MAX_ITEMS = 32;
export const MAX_DEPTH = 10;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export interface RangeStats {
  count: number;
  min: number;
  max: number;
  /** `count` when min or max last changed: a range that stopped moving long ago is worth publishing. */
  changedAt: number;
}

export interface NumberStats extends RangeStats {
  /** Some value did not fit in 32 bits. */
  wide: boolean;
}

export interface StringStats {
  count: number;
  /** Format bits every string had (a running AND; see value-format.ts). */
  formats: number;
  /** Distinct values while there are at most ENUM_TRACK of them (each at most MAX_ENUM_LENGTH long); null after. */
  values: Set<string> | null;
  /** The first value at most MAX_ENUM_LENGTH long, kept for examples after `values` overflowed. */
  sample: string | undefined;
}

export interface ObjectStats {
  count: number;
  /** Each property's sketch counts the objects that had it (its presence). */
  props: Map<string, ValueSketch>;
  /** Values of properties past MAX_PROPS and of id-like keys (map-like objects). */
  extra: ValueSketch | undefined;
}

export interface ArrayStats extends RangeStats {
  items: ValueSketch;
}

export interface ValueSketch {
  /** Values seen here, of any type (null included). */
  count: number;
  nulls: number;
  bools: number;
  ints: NumberStats | undefined;
  floats: NumberStats | undefined;
  strings: StringStats | undefined;
  object: ObjectStats | undefined;
  array: ArrayStats | undefined;
  /** Values too deep to summarise. */
  opaque: number;
  /** Sensitive-data tag bits (sensitive-tags.ts). */
  tags: number;
}

export function newSketch(): ValueSketch {
  return { count: 0, nulls: 0, bools: 0, ints: undefined, floats: undefined, strings: undefined, object: undefined, array: undefined, opaque: 0, tags: 0 };
}

function widen(r: RangeStats, v: number): void {
  r.count++;
  if (v < r.min) {
    r.min = v;
    r.changedAt = r.count;
  }
  if (v > r.max) {
    r.max = v;
    r.changedAt = r.count;
  }
}

function newRange(): RangeStats {
  return { count: 0, min: Infinity, max: -Infinity, changedAt: 0 };
}

/** Adds one value, sent under `name` (its key or parameter name, '' when none). */
export function addValue(s: ValueSketch, value: unknown, name = '', depth = 0): void {
  s.count++;
  if (name !== '') s.tags |= tagsOfName(name);
  if (value === null || value === undefined) {
    s.nulls++;
    return;
  }
  switch (typeof value) {
    case 'boolean':
      s.bools++;
      return;
    case 'number':
      addNumber(s, value);
      return;
    case 'string':
      addString(s, value);
      return;
    case 'object':
      if (depth >= MAX_DEPTH) s.opaque++;
      else if (Array.isArray(value)) addArray(s, value, name, depth);
      else addObject(s, value as Record<string, unknown>, depth);
      return;
    default:
      s.opaque++;
  }
}

function addNumber(s: ValueSketch, v: number): void {
  if (Number.isInteger(v)) {
    s.ints ??= { ...newRange(), wide: false };
    widen(s.ints, v);
    if (v < INT32_MIN || v > INT32_MAX) s.ints.wide = true;
  } else {
    s.floats ??= { ...newRange(), wide: false };
    widen(s.floats, v);
  }
}

function addString(s: ValueSketch, v: string): void {
  const st = (s.strings ??= { count: 0, formats: ALL_FORMAT_BITS, values: new Set(), sample: undefined });
  st.count++;
  if (st.sample === undefined && v.length <= MAX_ENUM_LENGTH) st.sample = v;
  const formats = formatBitsOf(v);
  st.formats &= formats;
  s.tags |= tagsOfValue(v, formats);
  if (st.values !== null && !st.values.has(v)) {
    if (st.values.size >= ENUM_TRACK || v.length > MAX_ENUM_LENGTH) st.values = null;
    else st.values.add(v);
  }
}

function addArray(s: ValueSketch, v: unknown[], name: string, depth: number): void {
  const a = (s.array ??= { ...newRange(), items: newSketch() });
  widen(a, v.length);
  const n = Math.min(v.length, MAX_ITEMS);
  // Items inherit the array's name, so `emails: ["a@b.c"]` is tagged like `email: "a@b.c"`.
  for (let i = 0; i < n; i++) addValue(a.items, v[i], name, depth + 1);
}

function addObject(s: ValueSketch, v: Record<string, unknown>, depth: number): void {
  const o = (s.object ??= { count: 0, props: new Map(), extra: undefined });
  o.count++;
  for (const key in v) {
    if (!Object.hasOwn(v, key)) continue;
    let p = o.props.get(key);
    if (p === undefined) {
      if (o.props.size >= MAX_PROPS || !isLiteralKind(segmentKind(key))) {
        addValue((o.extra ??= newSketch()), v[key], '', depth + 1);
        continue;
      }
      p = newSketch();
      o.props.set(key, p);
    }
    addValue(p, v[key], key, depth + 1);
  }
}

function mergeRange(a: RangeStats, b: RangeStats): void {
  // Sketches merged at snapshot time were built side by side; counting b's changes after a's is the conservative
  // reading of "when did the range last move".
  a.changedAt = a.min <= b.min && a.max >= b.max ? a.changedAt : a.count + b.changedAt;
  a.count += b.count;
  a.min = Math.min(a.min, b.min);
  a.max = Math.max(a.max, b.max);
}

/** Adds `b`'s observations to `a` (mutates `a`, reads `b`). */
export function mergeSketch(a: ValueSketch, b: ValueSketch): void {
  a.count += b.count;
  a.nulls += b.nulls;
  a.bools += b.bools;
  a.opaque += b.opaque;
  a.tags |= b.tags;
  if (b.ints !== undefined) {
    if (a.ints === undefined) a.ints = { ...b.ints };
    else {
      mergeRange(a.ints, b.ints);
      a.ints.wide ||= b.ints.wide;
    }
  }
  if (b.floats !== undefined) {
    if (a.floats === undefined) a.floats = { ...b.floats };
    else mergeRange(a.floats, b.floats);
  }
  if (b.strings !== undefined) {
    if (a.strings === undefined) a.strings = { ...b.strings, values: b.strings.values === null ? null : new Set(b.strings.values) };
    else mergeStrings(a.strings, b.strings);
  }
  if (b.array !== undefined) {
    if (a.array === undefined) a.array = { ...b.array, items: cloneSketch(b.array.items) };
    else {
      mergeRange(a.array, b.array);
      mergeSketch(a.array.items, b.array.items);
    }
  }
  if (b.object !== undefined) {
    if (a.object === undefined) a.object = { count: 0, props: new Map(), extra: undefined };
    mergeObject(a.object, b.object);
  }
}

function mergeStrings(a: StringStats, b: StringStats): void {
  a.count += b.count;
  a.formats &= b.formats;
  a.sample ??= b.sample;
  if (a.values === null || b.values === null) {
    a.values = null;
    return;
  }
  for (const v of b.values) a.values.add(v);
  if (a.values.size > ENUM_TRACK) a.values = null;
}

function mergeObject(a: ObjectStats, b: ObjectStats): void {
  a.count += b.count;
  for (const [key, pb] of b.props) {
    const pa = a.props.get(key);
    if (pa !== undefined) mergeSketch(pa, pb);
    else if (a.props.size < MAX_PROPS) a.props.set(key, cloneSketch(pb));
    else mergeSketch((a.extra ??= newSketch()), pb);
  }
  if (b.extra !== undefined) mergeSketch((a.extra ??= newSketch()), b.extra);
}

export function cloneSketch(s: ValueSketch): ValueSketch {
  return structuredClone(s);
}
