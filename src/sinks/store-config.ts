// Reading a store's entry of services.object_stores[] / event_stores[] as the YAML loader hands it over: plain
// values, Qtap ValueSources for secrets ({type: text|env, value}, or a string already resolved), sizes and
// durations. Every mistake is a CT_ERR_CONFIG naming the entry and the field.

import { CleartapError } from '../core/errors.ts';

export type ConfigObject = Readonly<Record<string, unknown>>;

export function configError(where: string, message: string, hint?: string): CleartapError {
  return new CleartapError('CT_ERR_CONFIG', `${where}: ${message}`, hint);
}

export function asObject(value: unknown, where: string): ConfigObject {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw configError(where, 'must be a mapping');
  return value as ConfigObject;
}

export function readString(cfg: ConfigObject, key: string, where: string): string | undefined {
  const v = cfg[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw configError(where, `${key} must be a string`);
  return v;
}

export function readBool(cfg: ConfigObject, key: string, where: string): boolean | undefined {
  const v = cfg[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw configError(where, `${key} must be true or false`);
  return v;
}

export function readChoice<T extends string>(cfg: ConfigObject, key: string, choices: readonly T[], where: string): T | undefined {
  const v = readString(cfg, key, where);
  if (v === undefined) return undefined;
  if (!(choices as readonly string[]).includes(v)) throw configError(where, `${key} must be one of ${choices.join(', ')} (got "${v}")`);
  return v as T;
}

/** A Qtap ValueSource ({type: text | env, value}) or a plain string; undefined when absent. */
export function readSecret(cfg: ConfigObject, key: string, where: string, env: NodeJS.ProcessEnv): string | undefined {
  const v = cfg[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  const source = asObject(v, `${where}.${key}`);
  const value = readString(source, 'value', `${where}.${key}`);
  const type = readString(source, 'type', `${where}.${key}`) ?? 'text';
  if (value === undefined) return undefined;
  if (type === 'text') return value;
  if (type !== 'env') throw configError(`${where}.${key}`, `type must be text or env (got "${type}")`);
  const resolved = env[value];
  if (resolved === undefined || resolved === '') {
    throw new CleartapError('CT_ERR_CONFIG_SECRET', `${where}.${key}: environment variable ${value} is empty or not set`, `export ${value} before starting cleartap`);
  }
  return resolved;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1, b: 1,
  k: 1e3, kb: 1e3, ki: 1024, kib: 1024,
  m: 1e6, mb: 1e6, mi: 1024 ** 2, mib: 1024 ** 2,
  g: 1e9, gb: 1e9, gi: 1024 ** 3, gib: 1024 ** 3,
  t: 1e12, tb: 1e12, ti: 1024 ** 4, tib: 1024 ** 4,
};

/** Bytes: a number, or "512MiB", "1GB", "10k" (k/M/G are powers of 1000, Ki/Mi/Gi of 1024). */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m === null ? undefined : SIZE_UNITS[m[2].toLowerCase()];
  return m === null || unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}

export function readSize(cfg: ConfigObject, key: string, where: string): number | undefined {
  const v = cfg[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? parseSize(v) : undefined;
  if (n === undefined || !Number.isFinite(n) || n <= 0) throw configError(where, `${key} must be a size such as 512MiB or 2GB (got ${JSON.stringify(v)})`);
  return n;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds: a number of seconds, or "30s", "15m", "1h30m", "7d", "2w". */
export function parseDuration(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(s)) return undefined;
  let total = 0;
  for (const [, n, unit] of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)) total += Number(n) * DURATION_UNITS[unit];
  return total;
}

export function readDuration(cfg: ConfigObject, key: string, where: string): number | undefined {
  const v = cfg[key];
  if (v === undefined || v === null || v === '') return undefined;
  const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) throw configError(where, `${key} must be a duration such as 30m, 24h or 7d (got ${JSON.stringify(v)})`);
  return ms;
}
