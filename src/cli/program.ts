// cleartap's command line: `cleartap` captures and prints transactions until SIGINT/SIGTERM.
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Command, Option } from 'commander';
import { CleartapError } from '../core/errors.ts';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '../core/logger.ts';
import { DEFAULT_CAPTURE_OPTIONS } from '../capture/bpf-capture.ts';
import { ConfigError, ConfigWatcher, formatProblem, missingSecrets, type LoadedConfig } from '../config/index.ts';
import { Agent, captureFor } from '../pipeline/agent.ts';
import { bodyBytesFor, processFilterOf, tagsOf, tapSettingsOf } from '../pipeline/config-settings.ts';
import { configuredPipeline, dataDir } from '../pipeline/configured-pipeline.ts';
import { StatusFile, statusFilePath, StatusPublisher, type StatusSnapshot } from '../pipeline/status-file.ts';
import { ControlClient } from '../pipeline/control-client.ts';
import { statusCommand } from './status-command.ts';
import { SKIP_NOTHING } from '../tap/index.ts';
import type { CaptureLevelInput, StdoutFormat } from '../sinks/stdout/index.ts';
import { addConfigCommands, loadEffectiveConfig } from './config-command.ts';
import { discoverCommand } from './discover-command.ts';
import { doctorCommand } from './doctor.ts';
import { addStoreCommands } from './store-commands.ts';
import { localStoreDir } from '../sinks/index.ts';
import { passiveCommand, readCommand } from './passive-command.ts';
import { serveCommand } from './serve-command.ts';
import { captureLevel, wholeNumber } from './flag-values.ts';

/** How often the running agent refreshes what `cleartap status` reads. */
const STATUS_INTERVAL_MS = 5000;

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };



interface CaptureFlags {
  config?: string;
  controlUrl?: string;
  controlToken?: string;
  format: StdoutFormat;
  level: CaptureLevelInput;
  logLevel: LogLevel;
  maxBody: number;
  chunk: number;
  ringMb: number;
  plaintext: boolean;
  nice: number;
}

/**
 * Lowers the agent's CPU priority (every thread that exists now; threads started later inherit it), so
 * that on a busy host the traced applications run first and the agent catches up in their idle time:
 * the ring buffer absorbs the wait, and anything it cannot hold is counted.
 */
function lowerPriority(nice: number, log: Logger): void {
  let tids: string[] = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    tids = [String(process.pid)];
  }
  for (const tid of tids) {
    try {
      setPriority(Number(tid), nice);
    } catch (err) {
      log.debug({ err, tid }, 'could not change a thread priority');
    }
  }
}

/** The control-plane client when --control-url (or $CLEARTAP_CONTROL_URL) is given: it needs a token and a config
 * file to manage. */
function controlClientFor(flags: CaptureFlags, configSource: string, log: Logger, snapshot: () => StatusSnapshot | undefined): ControlClient | undefined {
  const url = flags.controlUrl ?? process.env.CLEARTAP_CONTROL_URL;
  if (url === undefined || url === '') return undefined;
  const token = flags.controlToken ?? process.env.CLEARTAP_CONTROL_TOKEN;
  if (token === undefined || token === '') throw new CleartapError('CT_ERR_USAGE', 'a control plane needs an agent token', 'pass --control-token (or $CLEARTAP_CONTROL_TOKEN): the token POST /api/v1/agents/register returned');
  if (configSource === 'built-in default') throw new CleartapError('CT_ERR_USAGE', 'a control plane manages a config file, and none is in use', 'pass --config FILE (it may start empty of settings: version: 2)');
  return new ControlClient({ url, token, configPath: configSource, log, snapshot });
}

function loadForCapture(flags: CaptureFlags, outputFlagsGiven: boolean, log: Logger): LoadedConfig {
  const loaded = loadEffectiveConfig(flags.config, flags.level, flags.format);
  if (outputFlagsGiven && loaded.source !== 'built-in default') log.warn({ config: loaded.source }, '--level and --format adjust the built-in default config only: the config file decides');
  for (const w of loaded.warnings) log.warn(formatProblem(w));
  const { unavailable } = tagsOf(loaded.config);
  if (unavailable.length) log.warn({ tags: unavailable }, 'tags from container and Kubernetes metadata are not available yet: left out');
  if (loaded.config.control?.rules?.length) log.warn('control rules are checked but not enforced: cleartap observes traffic, it does not block it');
  const missing = missingSecrets(loaded.config.services);
  if (missing.length) throw new CleartapError('CT_ERR_CONFIG_SECRET', `${loaded.source}: services.${missing.join(`; services.`)}`, 'set the variables before starting cleartap');
  return loaded;
}

async function capture(flags: CaptureFlags, command: Command): Promise<void> {
  const log = createLogger(flags.logLevel);
  if (flags.nice !== 0) lowerPriority(flags.nice, log);
  const outputFlagsGiven = command.getOptionValueSource('level') === 'cli' || command.getOptionValueSource('format') === 'cli';
  const loaded = loadForCapture(flags, outputFlagsGiven, log);
  log.info({ config: loaded.source }, 'config loaded');

  let agent: Agent | undefined;
  const startedAt = Date.now();
  const statusFile = new StatusFile(statusFilePath());
  const status = new StatusPublisher(
    statusFile,
    () => {
      if (!agent) return undefined;
      const mem = process.memoryUsage();
      const probes = agent.tlsProbes();
      return {
        agentPid: process.pid,
        version: pkg.version,
        startedAt,
        updatedAt: Date.now(),
        config: loaded.source,
        status: agent.status(),
        tlsAttached: probes.attached,
        tlsUnsupported: probes.unsupported,
        memoryMiB: { rss: mem.rss >> 20, heapUsed: mem.heapUsed >> 20 },
      };
    },
    (err) => log.warn({ path: statusFile.path, error: err.message }, '`cleartap status` will not work: the status file cannot be written'),
  );
  // Bodies are copied out of the traced processes only when an output shows them.
  const { pipeline, maxBodyBytes, storeCounters } = await configuredPipeline(loaded, log, { maxBody: flags.maxBody, skipOf: (pid) => agent?.skipOf(pid) ?? SKIP_NOTHING });
  agent = new Agent({
    capture: captureFor(maxBodyBytes, { ...DEFAULT_CAPTURE_OPTIONS, maxChunk: flags.chunk, ringBytes: flags.ringMb << 20, plaintextSockets: flags.plaintext }),
    maxBodyBytes,
    sink: pipeline,
    log,
    processFilter: processFilterOf(loaded.config),
    onTlsChange: () => status.soon(),
  });
  try {
    agent.start();
  } catch (err) {
    await agent.stop().catch(() => {});
    throw err;
  }

  const running = agent;
  status.start(STATUS_INTERVAL_MS);
  const control = controlClientFor(flags, loaded.source, log, () => status.snapshot());
  control?.start(Number(process.env.CLEARTAP_CONTROL_INTERVAL_MS ?? 10_000));
  let reloading = Promise.resolve();
  const watcher =
    loaded.source === 'built-in default'
      ? undefined
      : new ConfigWatcher(loaded.source, readFileSync(loaded.source, 'utf8'), {
          onConfig: (next) => {
            reloading = reloading.then(async () => {
              try {
                const nextSettings = tapSettingsOf(next.config);
                await pipeline.reload(nextSettings);
                running.setProcessFilter(processFilterOf(next.config));
                running.setMaxBodyBytes(bodyBytesFor(nextSettings, flags.maxBody));
                for (const w of next.warnings) log.warn(formatProblem(w));
                if (JSON.stringify(next.config.services) !== JSON.stringify(loaded.config.services)) log.warn('services changed: stores are set up at start, restart cleartap to use the new ones');
                log.info({ config: next.source, stacks: pipeline.stacks }, 'config reloaded');
                control?.configApplied(true);
              } catch (err) {
                log.error({ error: (err as Error).message }, 'config not reloaded: the previous config stays in force');
                control?.configApplied(false, (err as Error).message);
              }
            });
          },
          onError: (err) => {
            const detail = err instanceof ConfigError ? err.problems.filter((p) => p.severity === 'error').map(formatProblem) : [(err as Error).message];
            log.error({ errors: detail }, 'config not reloaded: the previous config stays in force');
            control?.configApplied(false, detail.join('\n'));
          },
        });

  await new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      log.info({ signal: sig }, 'stopping: draining captured data and detaching probes');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  watcher?.close();
  status.stop();
  control?.stop();
  await reloading;
  await agent.stop();
  const mem = process.memoryUsage();
  log.info({ status: agent.status(), tap: pipeline.counters, stores: storeCounters(), memoryMiB: { rss: mem.rss >> 20, heapTotal: mem.heapTotal >> 20, heapUsed: mem.heapUsed >> 20, external: mem.external >> 20, arrayBuffers: mem.arrayBuffers >> 20 } }, 'stopped');
}

export function buildProgram(): Command {
  return new Command('cleartap')
    .enablePositionalOptions()
    .description('See the HTTP(S) calls this host\'s processes make and receive — eBPF, no proxies, no certificates.\nPrints one transaction per line (Qtap http_capture JSON) until interrupted.')
    .version(pkg.version, '-V, --version')
    .option('-c, --config <file>', 'Qtap-compatible YAML config (version: 2); default: $CLEARTAP_CONFIG, /etc/cleartap/config.yaml, /etc/qtap/qtap-config.yaml, else built in (see --level, --format)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['json', 'text']).default('json'))
    .option('-l, --level <level>', 'what each transaction shows: none | summary | details (headers) | full (headers and bodies)', captureLevel, 'details' as CaptureLevelInput)
    .addOption(new Option('--log-level <level>', 'log verbosity (stderr)').choices(LOG_LEVELS).default('info'))
    .option('--max-body <bytes>', 'bytes of each request/response body kept', wholeNumber('--max-body', 0, 64 << 20), 1 << 20)
    .option('--chunk <bytes>', 'payload bytes per kernel record (calls larger than 8 records are truncated and counted)', wholeNumber('--chunk', 64, 16384), 16384)
    .option('--ring-mb <mib>', 'kernel ring buffer size in MiB (a power of two)', wholeNumber('--ring-mb', 1, 1024), DEFAULT_CAPTURE_OPTIONS.ringBytes >> 20)
    .option('--no-plaintext', 'capture TLS traffic only (skip plaintext sockets)')
    .option('--control-url <url>', 'report to and take config rollouts from a `cleartap serve` control plane (also $CLEARTAP_CONTROL_URL); needs --config, the file it manages')
    .option('--control-token <token>', 'the agent token from POST /api/v1/agents/register (also $CLEARTAP_CONTROL_TOKEN)')
    .option('--nice <n>', 'CPU priority of the agent (19 = yield to the traced applications, 0 = normal)', wholeNumber('--nice', 0, 19), 19)
    .action(capture);
}

function withSubcommands(program: Command): Command {
  addConfigCommands(program);
  program.addCommand(readCommand()).addCommand(passiveCommand()).addCommand(discoverCommand());
  program.addCommand(doctorCommand()).addCommand(statusCommand());
  program.addCommand(serveCommand());
  addStoreCommands(program, { defaultDir: () => localStoreDir(loadEffectiveConfig(undefined).config.services, dataDir()) });
  return program;
}

try {
  await withSubcommands(buildProgram()).parseAsync(process.argv);
} catch (err) {
  if (err instanceof CleartapError) {
    process.stderr.write(`cleartap: ${err.message} [${err.code}]\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    process.exit(1);
  }
  throw err;
}
