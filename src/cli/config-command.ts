// `cleartap config validate [FILE]` and `cleartap config print [FILE]`: check a config without capturing,
// and show the one in force with its defaults filled in and text secrets masked.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ConfigError, defaultConfigYaml, DEFAULT_CONFIG_SOURCE, formatProblem, loadConfigFile, locateConfig, maskSecrets, missingSecrets, parseConfig, type LoadedConfig } from '../config/index.ts';

/** The config a command works on: FILE, else the one the agent would use. */
export function loadEffectiveConfig(file: string | undefined, level?: string, format?: string): LoadedConfig {
  const path = locateConfig(file);
  return path === undefined ? parseConfig(defaultConfigYaml(level, format), DEFAULT_CONFIG_SOURCE) : loadConfigFile(path);
}

function validateCommand(file: string | undefined): void {
  let loaded: LoadedConfig;
  try {
    loaded = loadEffectiveConfig(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`${formatProblem(p)}${p.severity === 'warning' ? ' (warning)' : ''}\n`);
    const n = err.problems.filter((p) => p.severity === 'error').length;
    process.stderr.write(`${n} error${n === 1 ? '' : 's'}\n`);
    process.exitCode = 1;
    return;
  }
  for (const w of loaded.warnings) process.stderr.write(`${formatProblem(w)} (warning)\n`);
  for (const m of missingSecrets(loaded.config.services)) process.stderr.write(`${loaded.source}: services.${m} (needed at start)\n`);
  process.stdout.write(`${loaded.source}: ok\n`);
}

function printCommand(file: string | undefined): void {
  const loaded = loadEffectiveConfig(file);
  process.stdout.write(`# ${loaded.source}\n${stringify(maskSecrets(loaded.config))}`);
}

export function addConfigCommands(program: Command): void {
  const config = program.command('config').description('check or show a Qtap-compatible config (version: 2)');
  config
    .command('validate')
    .argument('[file]', 'the config file (default: the one cleartap would use)')
    .description('check a config without capturing; exits 1 when it has errors')
    .action(validateCommand);
  config
    .command('print')
    .argument('[file]', 'the config file (default: the one cleartap would use)')
    .description('show the effective config: defaults filled in, secrets masked')
    .action(printCommand);
}
