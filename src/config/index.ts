// Public surface of config/: Qtap `version: 2` YAML → validated, defaulted, frozen config with positions in
// every error, plus where the file is found, secrets, and reloads.
export { ConfigWatcher } from './config-watcher.ts';
export type { WatchOptions } from './config-watcher.ts';
export { DEFAULT_CONFIG_SOURCE, defaultConfigYaml } from './default-config.ts';
export { ConfigError, formatProblem, isModulePath, loadConfigFile, parseConfig } from './load.ts';
export { locateConfig, STANDARD_CONFIG_PATHS } from './locate.ts';
export { maskSecrets, missingSecrets, resolveValue } from './secrets.ts';
export type * from './types.ts';
