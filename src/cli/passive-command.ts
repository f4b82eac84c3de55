// Passive mode (the NTA-compatible tap) on the command line: `cleartap read FILE` over a capture file and
// `cleartap passive` live on the host's interfaces. Transactions are printed as they complete (Qtap JSON lines
// or text blocks on stdout); the counters of everything skipped or repaired go to the log on stderr.
import type { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '../core/logger.ts';
import {
  CaptureFileSource, LiveCapture, NTA_SETTINGS, resolvePassiveOptions, type CaptureFileStatus, type NtaSetting, type PassiveOptions,
} from '../pipeline/passive/index.ts';
import { createStdoutSink, normalizeLevel, type CaptureLevelInput, type StdoutFormat } from '../sinks/stdout/index.ts';
import { captureLevel, wholeNumber } from './flag-values.ts';
import { formatProblem, loadConfigFile } from '../config/index.ts';
import type { TransactionSink } from '../pipeline/agent.ts';
import { configuredPipeline } from '../pipeline/configured-pipeline.ts';

export interface ReadFlags {
  /** A Qtap-compatible config: its stacks handle the transactions, tap.passive holds the NTA settings. */
  config?: string;
  format: StdoutFormat;
  level: CaptureLevelInput;
  maxBody: number;
  logLevel: LogLevel;
  interfaces?: string;
  ports?: string;
  statusCodes?: string;
  excludeHeaders?: string;
}

export interface PassiveIo {
  stdout: Writable;
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
}

export interface PassiveFlags extends ReadFlags {
  ringMb: number;
}

function passiveOptions(flags: ReadFlags, env: PassiveIo['env'], yaml?: Readonly<Record<string, unknown>>): PassiveOptions {
  return resolvePassiveOptions({
    flags: { interfaces: flags.interfaces, ports: flags.ports, statusCodes: flags.statusCodes, excludeHeaders: flags.excludeHeaders },
    env,
    ...(yaml && { yaml: { at: 'tap.passive', values: yaml } }),
  });
}

interface Output {
  sink: TransactionSink;
  /** Bytes of each body kept: only when the output shows them. */
  maxBodyBytes: number;
  passive: PassiveOptions;
}

/**
 * Where transactions go: with --config, the config's stacks (every direction: a capture on the wire has no
 * local process to be egress from); else Qtap JSON or text on stdout at --level.
 */
async function outputFor(flags: ReadFlags, io: PassiveIo): Promise<Output> {
  if (flags.config === undefined) {
    return {
      sink: createStdoutSink({ format: flags.format, level: flags.level, stream: io.stdout }),
      maxBodyBytes: normalizeLevel(flags.level) === 'full' ? flags.maxBody : 0,
      passive: passiveOptions(flags, io.env),
    };
  }
  const loaded = loadConfigFile(flags.config);
  for (const w of loaded.warnings) io.log.warn(formatProblem(w));
  const { pipeline, maxBodyBytes } = await configuredPipeline(loaded, io.log, { maxBody: flags.maxBody, traffic: { direction: 'all', ignoreLoopback: false } });
  return { sink: pipeline, maxBodyBytes, passive: passiveOptions(flags, io.env, loaded.config.tap.passive ?? {}) };
}

/** Reads the file and writes its transactions; resolves with the counters once everything is written. */
export async function runRead(file: string, flags: ReadFlags, io: PassiveIo): Promise<CaptureFileStatus> {
  const out = await outputFor(flags, io);
  const started = performance.now();
  let source: CaptureFileSource | undefined;
  try {
    source = await CaptureFileSource.open(file, { passive: out.passive, limits: { maxBodyBytes: out.maxBodyBytes } });
    for await (const batch of source.batches()) await out.sink.write(batch);
  } finally {
    await out.sink.close();
    if (source) io.log.info({ status: source.status(), seconds: Math.round(performance.now() - started) / 1000 }, 'capture file read');
  }
  return source.status();
}

/** Captures until `stopped` resolves (SIGINT/SIGTERM from the command), then drains and logs the counters. */
export async function runPassive(flags: PassiveFlags, io: PassiveIo, stopped: Promise<unknown>): Promise<void> {
  const out = await outputFor(flags, io);
  const capture = new LiveCapture({ passive: out.passive, limits: { maxBodyBytes: out.maxBodyBytes }, sink: out.sink, log: io.log, ringBytes: flags.ringMb << 20 });
  try {
    capture.start();
    await stopped;
  } finally {
    await capture.stop();
    await out.sink.close();
    io.log.info({ status: capture.status() }, 'passive capture stopped');
  }
}

function untilSignal(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'stopping: finishing open connections');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}



/** The NTA settings as flags; each names its environment variable, which applies when the flag is absent. */
function ntaOption(setting: NtaSetting, what: string): Option {
  const s = NTA_SETTINGS[setting];
  return new Option(`${s.flag} <list>`, `${what} (else $${s.env})`);
}

/** The options `read` and `passive` share: output, and the NTA settings. */
function withPassiveOptions(cmd: Command, interfaces: string): Command {
  return cmd
    .option('-c, --config <file>', 'Qtap-compatible YAML config: its stacks handle the transactions (every direction), tap.passive holds the NTA settings; --format/--level then do not apply')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['json', 'text']).default('json'))
    .option('-l, --level <level>', 'what each transaction shows: none | summary | details (headers) | full (headers and bodies)', captureLevel, 'details' as CaptureLevelInput)
    .option('--max-body <bytes>', 'bytes of each body kept at --level full', wholeNumber('--max-body', 0, 64 << 20), 1 << 20)
    .addOption(ntaOption('interfaces', interfaces))
    .addOption(ntaOption('ports', 'TCP ports and ranges to follow, e.g. 80,443,5005-6000; default all'))
    .addOption(ntaOption('statusCodes', 'response status codes to keep, e.g. 200,20x,2xx; default 2xx'))
    .addOption(ntaOption('excludeHeaders', 'header names that exclude a transaction; default none'))
    .addOption(new Option('--log-level <level>', 'log verbosity (stderr)').choices(LOG_LEVELS).default('info'));
}

export function readCommand(): Command {
  return withPassiveOptions(
    new Command('read')
      .description('Print the HTTP/1.x transactions in a .pcap or .pcapng file (passive mode, offline)')
      .argument('<file>', 'capture file written by tcpdump, tshark, dumpcap or Wireshark'),
    'pcapng interfaces to read, by name; default all',
  ).action(async (file: string, flags: ReadFlags) => {
    await runRead(file, flags, { stdout: process.stdout, env: process.env, log: createLogger(flags.logLevel) });
  });
}

export function passiveCommand(): Command {
  return withPassiveOptions(
    new Command('passive').description(
      'Capture plaintext HTTP/1.x from the network (AF_PACKET; needs CAP_NET_RAW, no eBPF) until interrupted, like the Invicti NTA tap',
    ),
    'interfaces to capture on, e.g. eth0,eth1; default all',
  )
    .option('--ring-mb <mib>', 'kernel packet ring in MiB (what Node has not read yet waits there)', wholeNumber('--ring-mb', 2, 4096), 64)
    .action(async (flags: PassiveFlags) => {
      const log = createLogger(flags.logLevel);
      await runPassive(flags, { stdout: process.stdout, env: process.env, log }, untilSignal(log));
    });
}
