#!/usr/bin/env node
// cleartap's command line: `cleartap` captures and prints transactions until SIGINT/SIGTERM.
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CleartapError } from '../core/errors.ts';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '../core/logger.ts';
import { DEFAULT_CAPTURE_OPTIONS } from '../capture/bpf-capture.ts';
import { Agent, captureFor } from '../pipeline/agent.ts';
import { createStdoutSink, isCaptureLevel, normalizeLevel, type CaptureLevelInput, type StdoutFormat } from '../sinks/stdout/index.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function positiveInt(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

function level(value: string): CaptureLevelInput {
  if (!isCaptureLevel(value)) throw new InvalidArgumentError('must be one of none, summary, details (or headers), full');
  return value;
}

interface CaptureFlags {
  config?: string;
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

async function capture(flags: CaptureFlags): Promise<void> {
  const log = createLogger(flags.logLevel);
  if (flags.nice !== 0) lowerPriority(flags.nice, log);
  if (flags.config) {
    // Qtap YAML support (services, stacks, tap) is its own piece of work; until it lands, say so.
    log.warn({ config: flags.config }, 'config files are not read yet: using the command-line settings');
  }
  const sink = createStdoutSink({ format: flags.format, level: flags.level });
  // Bodies are copied out of the traced processes only when the output shows them.
  const maxBodyBytes = normalizeLevel(flags.level) === 'full' ? flags.maxBody : 0;
  const agent = new Agent({
    capture: captureFor(maxBodyBytes, { ...DEFAULT_CAPTURE_OPTIONS, maxChunk: flags.chunk, ringBytes: flags.ringMb << 20, plaintextSockets: flags.plaintext }),
    maxBodyBytes,
    sink,
    log,
  });
  try {
    agent.start();
  } catch (err) {
    await agent.stop().catch(() => {});
    throw err;
  }
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
  await agent.stop();
  const mem = process.memoryUsage();
  log.info({ status: agent.status(), memoryMiB: { rss: mem.rss >> 20, heapTotal: mem.heapTotal >> 20, heapUsed: mem.heapUsed >> 20, external: mem.external >> 20, arrayBuffers: mem.arrayBuffers >> 20 } }, 'stopped');
}

export function buildProgram(): Command {
  return new Command('cleartap')
    .description('See the HTTP(S) calls this host\'s processes make and receive — eBPF, no proxies, no certificates.\nPrints one transaction per line (Qtap http_capture JSON) until interrupted.')
    .version(pkg.version, '-V, --version')
    .option('-c, --config <file>', 'Qtap-compatible YAML config (version: 2)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['json', 'text']).default('json'))
    .option('-l, --level <level>', 'what each transaction shows: none | summary | details (headers) | full (headers and bodies)', level, 'details' as CaptureLevelInput)
    .addOption(new Option('--log-level <level>', 'log verbosity (stderr)').choices(LOG_LEVELS).default('info'))
    .option('--max-body <bytes>', 'bytes of each request/response body kept', positiveInt('--max-body', 0, 64 << 20), 1 << 20)
    .option('--chunk <bytes>', 'payload bytes per kernel record (calls larger than 8 records are truncated and counted)', positiveInt('--chunk', 64, 16384), 16384)
    .option('--ring-mb <mib>', 'kernel ring buffer size in MiB (a power of two)', positiveInt('--ring-mb', 1, 1024), DEFAULT_CAPTURE_OPTIONS.ringBytes >> 20)
    .option('--no-plaintext', 'capture TLS traffic only (skip plaintext sockets)')
    .option('--nice <n>', 'CPU priority of the agent (19 = yield to the traced applications, 0 = normal)', positiveInt('--nice', 0, 19), 19)
    .action(capture);
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CleartapError) {
    process.stderr.write(`cleartap: ${err.message} [${err.code}]\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    process.exit(1);
  }
  throw err;
}
