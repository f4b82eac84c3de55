// `cleartap config validate [FILE]` and `cleartap config print [FILE]`: check a config without capturing,
// and show the one in force with its defaults filled in and text secrets masked.
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ConfigError, defaultConfigYaml, DEFAULT_CONFIG_SOURCE, formatProblem, loadConfigFile, locateConfig, maskSecrets, missingSecrets, parseConfig, STANDARD_CONFIG_PATHS, type LoadedConfig } from '../config/index.ts';

/** Where a config is looked for when no FILE is given (tests replace the process's). */
export interface ConfigLookup {
  env?: NodeJS.ProcessEnv;
  /** The standard paths, in order. */
  candidates?: readonly string[];
}

export interface ConfigCommandDeps extends ConfigLookup {
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
  /** Sets the exit status (process.exitCode by default), so that every message is written before the exit. */
  exit?: (code: number) => void;
}

/** The config a command works on: FILE, else the one the agent would use. */
export function loadEffectiveConfig(file: string | undefined, level?: string, format?: string, lookup: ConfigLookup = {}): LoadedConfig {
  const path = locateConfig(file, lookup.env ?? process.env, lookup.candidates ?? STANDARD_CONFIG_PATHS);
  return path === undefined ? parseConfig(defaultConfigYaml(level, format), DEFAULT_CONFIG_SOURCE) : loadConfigFile(path);
}

function validateCommand(file: string | undefined, deps: Required<ConfigCommandDeps>): void {
  const { stdout, stderr } = deps;
  let loaded: LoadedConfig;
  try {
    loaded = loadEffectiveConfig(file, undefined, undefined, deps);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) stderr.write(`${formatProblem(p)}${p.severity === 'warning' ? ' (warning)' : ''}\n`);
    const n = err.problems.filter((p) => p.severity === 'error').length;
    stderr.write(`${n} error${n === 1 ? '' : 's'}\n`);
    deps.exit(1);
    return;
  }
  for (const w of loaded.warnings) stderr.write(`${formatProblem(w)} (warning)\n`);
  // Not an error here: the host that validates is often not the one that runs the agent.
  for (const m of missingSecrets(loaded.config.services, deps.env)) stderr.write(`${loaded.source}: services.${m} (needed at start)\n`);
  stdout.write(`${loaded.source}: ok\n`);
}

function printCommand(file: string | undefined, deps: Required<ConfigCommandDeps>): void {
  const loaded = loadEffectiveConfig(file, undefined, undefined, deps);
  deps.stdout.write(`# ${loaded.source}\n${stringify(maskSecrets(loaded.config))}`);
}

export function addConfigCommands(program: Command, deps: ConfigCommandDeps = {}): void {
  const resolved: Required<ConfigCommandDeps> = {
    env: deps.env ?? process.env,
    candidates: deps.candidates ?? STANDARD_CONFIG_PATHS,
    stdout: deps.stdout ?? process.stdout,
    stderr: deps.stderr ?? process.stderr,
    exit: deps.exit ?? ((code) => void (process.exitCode = code)),
  };
  const config = program.command('config').description('check or show a Qtap-compatible config (version: 2)');
  config
    .command('validate')
    .argument('[file]', 'the config file (default: the one cleartap would use)')
    .description('check a config without capturing; exits 1 when it has errors')
    .action((file?: string) => validateCommand(file, resolved));
  config
    .command('print')
    .argument('[file]', 'the config file (default: the one cleartap would use)')
    .description('show the effective config: defaults filled in, secrets masked')
    .action((file?: string) => printCommand(file, resolved));
}
