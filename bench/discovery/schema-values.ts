// Values for a JSON Schema, seeded: what a spec-driven client would send. Listed `examples` are preferred (they
// name resources that exist), then enums, formats, bounds; optional properties are sent at `optionalRate`.

import type { SeededRandom } from '../../src/core/fixtures/seeded-random.ts';
import { deref, type Json } from '../../src/discovery/index.ts';

const WORDS = ['blue', 'river', 'stone', 'maple', 'quiet', 'amber', 'north', 'cedar', 'lumen', 'piano'];

export interface ValueOptions {
  rng: SeededRandom;
  /** Chance to send an optional object property. */
  optionalRate: number;
  /** Chance to use a listed example rather than a generated value. */
  exampleRate: number;
}

function hex(rng: SeededRandom, n: number): string {
  return rng.string('0123456789abcdef', n);
}

function stringFor(s: Json, rng: SeededRandom): string {
  switch (s.format) {
    case 'date-time':
      return new Date(Date.UTC(2025, 0, 1) + rng.int(0, 86400 * 90) * 1000).toISOString();
    case 'date':
      return new Date(Date.UTC(2025, 0, 1 + rng.int(0, 400))).toISOString().slice(0, 10);
    case 'email':
      return `${rng.pick(WORDS)}.${rng.int(1, 999)}@mail.example`;
    case 'uuid':
      return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-a${hex(rng, 3)}-${hex(rng, 12)}`;
    case 'uri':
      return `https://hooks.${rng.pick(WORDS)}.example/${rng.int(1, 9999)}`;
    case 'ipv4':
      return `10.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  }
  const hexPattern = typeof s.pattern === 'string' ? /^\^\[0-9a-f\]\{(\d+)\}\$$/.exec(s.pattern) : null;
  if (hexPattern !== null) return hex(rng, Number(hexPattern[1]));
  return rng.chance(0.5) ? rng.pick(WORDS) : `${rng.pick(WORDS)} ${rng.pick(WORDS)} ${rng.int(1, 99)}`;
}

export function valueFor(doc: Json, schema: unknown, o: ValueOptions, depth = 0): unknown {
  const s = deref(doc, schema) ?? {};
  const { rng } = o;
  if (Array.isArray(s.examples) && s.examples.length > 0 && rng.chance(o.exampleRate)) return rng.pick(s.examples);
  if (Array.isArray(s.enum) && s.enum.length > 0) return rng.pick(s.enum);
  let type = s.type;
  if (Array.isArray(type)) {
    const concrete = type.filter((t) => t !== 'null');
    type = concrete.length < type.length && rng.chance(0.2) ? 'null' : rng.pick(concrete);
  }
  if (type === undefined) type = s.properties !== undefined ? 'object' : s.items !== undefined ? 'array' : 'string';
  const min = typeof s.minimum === 'number' ? s.minimum : 0;
  const max = typeof s.maximum === 'number' ? s.maximum : 1000;
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return rng.chance(0.5);
    case 'integer':
      return rng.int(Math.ceil(min), Math.floor(max));
    case 'number':
      return Math.round((min + rng.next() * (max - min)) * 100) / 100;
    case 'array':
      if (depth > 6) return [];
      return Array.from({ length: rng.int(1, 3) }, () => valueFor(doc, s.items, o, depth + 1));
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = Array.isArray(s.required) ? s.required : [];
      const props = (s.properties ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(props)) {
        if (required.includes(k) || rng.chance(o.optionalRate)) out[k] = valueFor(doc, v, o, depth + 1);
      }
      return out;
    }
    default:
      return stringFor(s, rng);
  }
}
