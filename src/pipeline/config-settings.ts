// A validated config → what each part of the agent takes from it: the tap stage's settings, the process
// filter, and whether any output shows bodies (which decides how much the kernel copies).
import type { QtapConfig } from '../config/index.ts';
import { isModulePath } from '../config/index.ts';
import { ProcessFilter } from '../tap/index.ts';
import type { TapSettings } from './tap-pipeline.ts';

/**
 * The config's `tags` as "key:value" strings. Source `env` reads the agent's environment variable named by
 * `location`; the container and Kubernetes sources need runtime metadata cleartap does not read yet, so
 * they are reported (in `unavailable`) and left out.
 */
export function tagsOf(config: QtapConfig, env: NodeJS.ProcessEnv = process.env): { tags: string[]; unavailable: string[] } {
  const tags: string[] = [];
  const unavailable: string[] = [];
  for (const t of config.tags) {
    if (t.source !== 'env') unavailable.push(`${t.key} (${t.source})`);
    else if (env[t.location] !== undefined) tags.push(`${t.key}:${env[t.location]}`);
  }
  return { tags, unavailable };
}

export function tapSettingsOf(config: QtapConfig, env: NodeJS.ProcessEnv = process.env): TapSettings {
  const tap = config.tap;
  return {
    tags: tagsOf(config, env).tags,
    auditIncludeDns: tap.audit_include_dns,
    traffic: { direction: tap.direction, ignoreLoopback: tap.ignore_loopback },
    defaultStack: tap.http.stack ?? '',
    endpoints: tap.endpoints.map((e) => ({ domain: e.domain, stack: e.http?.stack ?? tap.http.stack ?? '' })),
    stacks: Object.fromEntries(Object.entries(config.stacks).map(([name, s]) => [name, s.plugins])),
    mask: { headers: tap.mask.headers, jsonFields: tap.mask.json_fields },
    macros: config.rulekit.macros,
  };
}

export function processFilterOf(config: QtapConfig): ProcessFilter {
  return new ProcessFilter({ groups: config.tap.filters.groups, custom: config.tap.filters.custom });
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const rulesOf = (config: Obj): Obj[] => (Array.isArray(config.rules) ? config.rules.map(asObj) : []);

/** True when a plugin may show or inspect bodies: then bodies must be copied out of the traced processes. */
function pluginNeedsBodies(type: string, rawConfig: unknown): boolean {
  const config = asObj(rawConfig);
  switch (type) {
    case 'http_capture':
      return config.level === 'full' || rulesOf(config).some((r) => r.level === 'full');
    case 'access_logs':
    case 'debug':
      return config.mode === 'full' || rulesOf(config).some((r) => r.mode === 'full');
    case 'detect_errors':
      return rulesOf(config).some((r) =>
        ['recordReqBody', 'recordResBody', 'triggerContains', 'triggerEmptyBody', 'record_req_body', 'record_res_body', 'trigger_contains', 'trigger_empty_body'].some((k) => r[k] !== undefined && r[k] !== false),
      );
    default:
      return isModulePath(type); // a user plugin may read bodies
  }
}

/** Whether any stack the tap routes to needs bodies. */
export function needsBodies(settings: TapSettings): boolean {
  const routed = new Set([settings.defaultStack, ...settings.endpoints.map((e) => e.stack)]);
  return [...routed].some((name) => (settings.stacks[name] ?? []).some((p) => pluginNeedsBodies(p.type, p.config)));
}

/** Bytes of each body to keep: `maxBody` when a routed stack shows or inspects bodies, else 0 (heads only). */
export function bodyBytesFor(settings: TapSettings, maxBody: number): number {
  return needsBodies(settings) ? maxBody : 0;
}
