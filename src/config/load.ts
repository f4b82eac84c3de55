// YAML text → validated, defaulted, frozen config. Three passes, each naming file:line:column and the key path:
// 1. YAML syntax (the `yaml` package, with a LineCounter for positions), then what Qtap's Go decoder lets
//    through (qtap-decoding.ts: a key with no value is an absent key);
// 2. the JSON Schema (schema.ts, Ajv with allErrors): wrong types, values outside an enum, missing keys are
//    errors; unknown keys are warnings (Qtap ignores them silently; we say so);
// 3. what a schema cannot say: stacks that are referenced must exist, regex filters and rule expressions
//    must compile, macro names are unique, plugin types are known, endpoint domains are host names.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { CleartapError } from '../core/errors.ts';
import { checkRule, compileMacros, MacroTable, RuleError } from '../rules/index.ts';
import { asQtapDecodes } from './qtap-decoding.ts';
import { CONFIG_SCHEMA, PLUGIN_CONFIG_SCHEMAS, VALUE_SOURCE_REF } from './schema.ts';
import { formatPath, pathFromPointer, SourceMap, type KeyPath } from './source-map.ts';
import type { ConfigProblem, LoadedConfig, QtapConfig } from './types.ts';

// Compiled on first use: ~0.1 s that commands which never read a config (read, query) should not pay.
let validator: ValidateFunction | undefined;
const validate = (data: unknown) => (validator ??= new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(CONFIG_SCHEMA))(data);

/** Qtap store types cleartap reads but does not implement (they fail at load with this message). */
const UNSUPPORTED_STORES: Readonly<Record<string, string>> = {
  'pulse-streaming': 'Qpoint Pulse', 'pulse-legacy': 'Qpoint Pulse', axiom: 'Axiom', otel: 'OpenTelemetry', qpoint: 'the Qpoint warehouse',
};
/** Plugin types Qtap has that cleartap skips with a warning. */
const SKIPPED_PLUGINS = new Set(['logger', 'qscan', 'devtools']);
/** The protocols a `{stack}` is chosen for, in tap and in each endpoint. */
const PROTOCOLS = ['http', 'redis', 'mysql', 'kafka'] as const;
const DOMAIN = /^(\*\.)?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?\.?$/i;

export const isModulePath = (type: string): boolean => type.startsWith('./') || type.startsWith('../') || type.startsWith('/');

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path}: ${p.message}`;
}

/** Every error of a config at once (CT_ERR_CONFIG); `problems` keeps them as data. */
export class ConfigError extends CleartapError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    super('CT_ERR_CONFIG', `invalid config:\n${errors.map(formatProblem).join('\n')}`, 'fix the lines above; `cleartap config validate FILE` checks a file without capturing');
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Ajv's "string,integer,array" in words: "a string, an integer or a list". */
function typeNames(types: string): string {
  const names = types.split(',').map((t) => (t === 'object' ? 'a mapping' : t === 'array' ? 'a list' : t === 'integer' ? 'an integer' : `a ${t}`));
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let v = root;
  for (const part of path) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string | number, unknown>)[part];
  return v;
}

/** One Ajv error in words: what is wrong and what is allowed. */
function describe(err: ErrorObject, data: unknown): { path: KeyPath; message: string; warning?: boolean; key?: boolean } | undefined {
  const path = pathFromPointer(err.instancePath);
  const value = valueAt(data, path);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'enum':
      return { path, message: `${JSON.stringify(value)?.replace(/^"(.*)"$/, "'$1'")} is not one of ${(p.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { path, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'type':
      if (err.schemaPath === `${VALUE_SOURCE_REF}/type`) return { path, message: `must be a secret {type: text|env, value: …}, not ${typeOf(value)}` };
      return { path, message: `must be ${typeNames(String(p.type))}, not ${typeOf(value)}` };
    case 'required':
      return { path, message: `missing required key '${String(p.missingProperty)}'` };
    case 'additionalProperties':
      return { path: [...path, String(p.additionalProperty)], message: `unknown key '${String(p.additionalProperty)}' (ignored)`, warning: true, key: true };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'if':
      return undefined; // the `then` error that caused it says what is wrong
    default:
      return { path, message: err.message ?? err.keyword };
  }
}

class ProblemList {
  readonly items: ConfigProblem[] = [];
  private readonly file: string;
  private readonly map: SourceMap;

  constructor(file: string, map: SourceMap) {
    this.file = file;
    this.map = map;
  }

  add(severity: ConfigProblem['severity'], path: KeyPath, message: string, opts: { key?: boolean; column?: number } = {}): void {
    const pos = opts.column !== undefined ? this.map.positionInValue(path, opts.column) : this.map.position(path, opts.key);
    this.items.push({ severity, file: this.file, line: pos.line, column: pos.column, path: formatPath(path), message });
  }

  get hasErrors(): boolean {
    return this.items.some((p) => p.severity === 'error');
  }
}

function checkStackRef(config: QtapConfig, problems: ProblemList, path: KeyPath, stack: string | undefined): void {
  if (stack === undefined || stack === '' || stack === 'none') return;
  if (!Object.hasOwn(config.stacks, stack)) {
    const known = Object.keys(config.stacks);
    problems.add('error', path, `stack '${stack}' is not defined under stacks${known.length ? ` (defined: ${known.join(', ')})` : ''}`);
  }
}

function checkExpr(problems: ProblemList, path: KeyPath, expr: string, macros: MacroTable | undefined): void {
  const err = checkRule(expr, macros);
  if (err) problems.add('error', path, err.message, { column: err.column });
}

function semanticChecks(config: QtapConfig, problems: ProblemList): void {
  // Macros first: rules may call them.
  let macros: MacroTable | undefined;
  const seen = new Set<string>();
  config.rulekit.macros.forEach((m, i) => {
    if (seen.has(m.name)) problems.add('error', ['rulekit', 'macros', i, 'name'], `macro '${m.name}' is defined twice`);
    seen.add(m.name);
  });
  try {
    if (seen.size === config.rulekit.macros.length) macros = compileMacros(config.rulekit.macros);
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    const i = config.rulekit.macros.findIndex((m) => m.name === err.macro);
    if (i >= 0) problems.add('error', ['rulekit', 'macros', i, 'expr'], err.message, { column: err.column });
    else problems.add('error', ['rulekit', 'macros'], err.message);
  }

  for (const protocol of PROTOCOLS) checkStackRef(config, problems, ['tap', protocol, 'stack'], config.tap[protocol]?.stack);
  config.tap.endpoints.forEach((e, i) => {
    if (!DOMAIN.test(e.domain)) problems.add('error', ['tap', 'endpoints', i, 'domain'], `'${e.domain}' is not a host name or a wildcard such as *.example.com`);
    for (const protocol of PROTOCOLS) checkStackRef(config, problems, ['tap', 'endpoints', i, protocol, 'stack'], e[protocol]?.stack);
  });
  config.tap.filters.custom.forEach((f, i) => {
    if (f.strategy !== 'regex') return;
    try {
      new RegExp(f.exe);
    } catch (err) {
      problems.add('error', ['tap', 'filters', 'custom', i, 'exe'], `not a valid regular expression: ${(err as Error).message}`);
    }
  });

  for (const [name, stack] of Object.entries(config.stacks)) {
    stack.plugins.forEach((plugin, i) => {
      const at: KeyPath = ['stacks', name, 'plugins', i];
      if (SKIPPED_PLUGINS.has(plugin.type)) problems.add('warning', [...at, 'type'], `Qtap's '${plugin.type}' plugin is not available in cleartap and is skipped`);
      else if (!isModulePath(plugin.type) && !(plugin.type in PLUGIN_CONFIG_SCHEMAS)) {
        const known = Object.keys(PLUGIN_CONFIG_SCHEMAS).filter((t) => !SKIPPED_PLUGINS.has(t));
        problems.add('error', [...at, 'type'], `'${plugin.type}' is not one of ${known.join(', ')} (or a module path such as ./my-plugin.ts)`);
      }
      const rules = (plugin.config as { rules?: unknown } | undefined)?.rules;
      if (!Array.isArray(rules) || isModulePath(plugin.type)) return;
      rules.forEach((rule: { expr?: unknown }, j) => {
        if (typeof rule?.expr === 'string' && ['http_capture', 'access_logs', 'debug'].includes(plugin.type)) {
          checkExpr(problems, [...at, 'config', 'rules', j, 'expr'], rule.expr, macros);
        }
      });
    });
  }
  config.control?.rules?.forEach((r, i) => checkExpr(problems, ['control', 'rules', i, 'expr'], r.expr, macros));

  for (const kind of ['event_stores', 'object_stores'] as const) {
    config.services[kind].forEach((store, i) => {
      const what = UNSUPPORTED_STORES[store.type];
      if (what) problems.add('error', ['services', kind, i, 'type'], `'${store.type}' (${what}) is not supported by cleartap: use ${kind === 'event_stores' ? 'stdout, local, clickhouse or pulse' : 'stdout, local or s3'}`);
    });
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Parses and validates config text; throws ConfigError listing every error (warnings are returned). */
export function parseConfig(text: string, file: string): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const map = new SourceMap(doc, lines, text);
  const problems = new ProblemList(file, map);
  if (doc.errors.length > 0) {
    const items = doc.errors.map((e): ConfigProblem => {
      const pos = lines.linePos(e.pos[0]);
      return { severity: 'error', file, line: pos.line, column: pos.col, path: '(yaml)', message: e.message.split('\n')[0] };
    });
    throw new ConfigError(items);
  }
  for (const w of doc.warnings) {
    const pos = lines.linePos(w.pos[0]);
    problems.items.push({ severity: 'warning', file, line: pos.line, column: pos.col, path: '(yaml)', message: w.message.split('\n')[0] });
  }
  const parsed = (doc.toJS() ?? {}) as unknown;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([{ severity: 'error', file, line: 1, column: 1, path: '(top level)', message: `must be a mapping with version, services, stacks and tap, not ${typeOf(parsed)}` }]);
  }
  const data: unknown = asQtapDecodes(parsed as Record<string, unknown>);
  if (!validate(data)) {
    const errors = validator?.errors ?? [];
    // A value outside an enum is also of the wrong type when it is not a string: the enum's list says more.
    const enumAt = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
    for (const err of errors) {
      if (err.keyword === 'type' && enumAt.has(err.instancePath)) continue;
      const d = describe(err, data);
      if (d) problems.add(d.warning ? 'warning' : 'error', d.path, d.message, { key: d.key });
    }
  }
  try {
    semanticChecks(data as QtapConfig, problems);
  } catch (err) {
    // A section of the wrong shape stops these checks; the schema pass has already said what is wrong.
    if (!problems.hasErrors) throw err;
  }
  problems.items.sort((a, b) => a.line - b.line || a.column - b.column);
  if (problems.hasErrors) throw new ConfigError(problems.items);
  return {
    config: deepFreeze(data as QtapConfig),
    source: file,
    dir: dirname(resolve(file)),
    warnings: problems.items.filter((p) => p.severity === 'warning'),
  };
}

export function loadConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CleartapError('CT_ERR_CONFIG', `cannot read the config file ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, 'check the path given to --config or CLEARTAP_CONFIG');
  }
  return parseConfig(text, path);
}
