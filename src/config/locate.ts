// Which config file is in force: --config, else $CLEARTAP_CONFIG, else the first of the standard paths that
// exists, else the built-in default.
import { existsSync } from 'node:fs';

export const STANDARD_CONFIG_PATHS = ['/etc/cleartap/config.yaml', '/etc/qtap/qtap-config.yaml'] as const;

/** The file to load, or undefined for the built-in default. An explicit path is returned even if missing
 * (loading it then says so). */
export function locateConfig(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = STANDARD_CONFIG_PATHS): string | undefined {
  if (explicit) return explicit;
  if (env.CLEARTAP_CONFIG) return env.CLEARTAP_CONFIG;
  return candidates.find((p) => existsSync(p));
}
