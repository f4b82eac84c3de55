// User plugins: a stack entry whose type is a path (`./my-plugin.ts`, `../plugins/x.js`, `/opt/p.mjs`) names a
// module, resolved against the config file's directory and loaded with import() (Node strips TypeScript types
// itself). The module's default export, or its named export `plugin`, must be a Plugin: an object with a
// create(config, services) function; its `type`, when given, names it in logs and metrics.

import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CleartapError } from '../core/errors.ts';
import type { Plugin } from './plugin.ts';

export function isModulePath(type: string): boolean {
  return type.startsWith('./') || type.startsWith('../') || isAbsolute(type);
}

export async function loadPluginModule(specifier: string, configDir: string): Promise<Plugin> {
  const path = isAbsolute(specifier) ? specifier : resolve(configDir, specifier);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new CleartapError(
      'CT_ERR_PLUGIN',
      `plugin module ${specifier} (${path}) could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
      'check the path (relative paths start from the config file\'s directory) and that the module runs under Node',
      { cause: err },
    );
  }
  const candidate = mod.default ?? mod.plugin;
  if (!isPlugin(candidate)) {
    throw new CleartapError(
      'CT_ERR_PLUGIN',
      `plugin module ${specifier} (${path}) exports no plugin: expected a default or named \`plugin\` export with a create(config, services) function`,
      'see docs/plugins.md; e.g. `export default definePlugin({ type: "my_plugin", create(config, services) { ... } })`',
    );
  }
  const type = typeof candidate.type === 'string' && candidate.type !== '' ? candidate.type : specifier;
  return { type, create: candidate.create.bind(candidate) };
}

function isPlugin(value: unknown): value is { type?: unknown; create: Plugin['create'] } {
  return typeof value === 'object' && value !== null && typeof (value as { create?: unknown }).create === 'function';
}
