// Plugin configs arrive as plain objects from YAML (already validated for the built-ins, not for user plugins).
// These readers narrow one key at a time to the type a plugin wants, falling back to its default when the key
// is absent or of another type, so a plugin never trips over a shape it did not expect.
//
// Keys are looked up as written and in snake_case (`triggerStatusCodes`, then `trigger_status_codes`), because
// Qtap's plugin READMEs use camelCase while its YAML otherwise uses snake_case.

export type ConfigObject = Readonly<Record<string, unknown>>;

const EMPTY: ConfigObject = Object.freeze({});

export function asConfigObject(value: unknown): ConfigObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ConfigObject) : EMPTY;
}

/** `triggerStatusCodes` → `trigger_status_codes`, `batchPeriodMS` → `batch_period_ms`. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function readValue(config: ConfigObject, key: string): unknown {
  if (Object.hasOwn(config, key)) return config[key];
  const snake = snakeCase(key);
  return Object.hasOwn(config, snake) ? config[snake] : undefined;
}

export function readString(config: ConfigObject, key: string, fallback: string): string {
  const v = readValue(config, key);
  return typeof v === 'string' ? v : fallback;
}

export function readBool(config: ConfigObject, key: string, fallback: boolean): boolean {
  const v = readValue(config, key);
  return typeof v === 'boolean' ? v : fallback;
}

/** Strings of a list; YAML numbers (`404` unquoted) are taken as their text, other entries are skipped. */
export function readStringList(config: ConfigObject, key: string): string[] {
  const v = readValue(config, key);
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const item of v) {
    if (typeof item === 'string') out.push(item);
    else if (typeof item === 'number' && Number.isFinite(item)) out.push(String(item));
  }
  return out;
}

/** The object entries of a list (rules); other entries are skipped. */
export function readObjectList(config: ConfigObject, key: string): ConfigObject[] {
  const v = readValue(config, key);
  if (!Array.isArray(v)) return [];
  return v.filter((item) => typeof item === 'object' && item !== null && !Array.isArray(item)) as ConfigObject[];
}

/** The value when it is one of `choices` (compared lowercased), else undefined. */
export function readChoice<T extends string>(config: ConfigObject, key: string, choices: readonly T[]): T | undefined {
  const v = readValue(config, key);
  if (typeof v !== 'string') return undefined;
  const lower = v.trim().toLowerCase();
  return choices.find((c) => c === lower);
}
