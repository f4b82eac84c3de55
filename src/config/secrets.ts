// Qtap's value sources ({type: text|env, value}): secrets are read from the environment when the config is
// used, and never printed.
import { CleartapError } from '../core/errors.ts';
import type { ValueSource } from './types.ts';

export function isValueSource(v: unknown): v is ValueSource {
  return typeof v === 'object' && v !== null && 'type' in v && 'value' in v && (v.type === 'text' || v.type === 'env') && typeof v.value === 'string';
}

/** The secret's value; `where` names it in the error ("services.object_stores[0].secret_key"). */
export function resolveValue(source: ValueSource, where: string, env: NodeJS.ProcessEnv = process.env): string {
  if (source.type === 'text') return source.value;
  const value = env[source.value];
  if (value === undefined) {
    throw new CleartapError('CT_ERR_CONFIG_SECRET', `${where}: environment variable ${source.value} is not set`, `export ${source.value}=… before starting cleartap, or use {type: text, value: …}`);
  }
  return value;
}

/** Every env-var secret under `value` that is not set, as errors ("path: environment variable X is not set"). */
export function missingSecrets(value: unknown, env: NodeJS.ProcessEnv = process.env, path = ''): string[] {
  if (isValueSource(value)) return value.type === 'env' && env[value.value] === undefined ? [`${path}: environment variable ${value.value} is not set`] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => missingSecrets(v, env, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => missingSecrets(v, env, path ? `${path}.${k}` : k));
  return [];
}

// Plain-string tokens: detect_errors' pulseToken and warehouseToken (Qtap spells them as strings, not value
// sources), and whatever a user plugin calls a token.
const TOKEN_KEY = /token$/i;

/** A copy with text secrets and plain-string tokens masked (env references stay: they name a variable, not a secret). */
export function maskSecrets<T>(value: T): T {
  if (isValueSource(value)) return (value.type === 'text' ? { ...value, value: '***' } : value) as T;
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && TOKEN_KEY.test(k) ? '***' : maskSecrets(v)])) as T;
  }
  return value;
}
