// `cleartap discover`: API discovery from captured traffic, offline. Reads HAR files, cleartap's JSON-lines
// output and .pcap/.pcapng captures (plaintext HTTP/1), infers endpoints and schemas, and writes one OpenAPI 3.1
// document per server plus an inventory index, or, with --against, reports the drift between the traffic and a
// given spec.
//
//   cleartap discover --from capture.jsonl|file.har|file.pcap|store[:DIR] [more...] [--host H] [--out DIR] [--format yaml|json|both]
//                     [--hint PATH]... [--against SPEC [--json] [--fail-on-drift]]

import { open, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { CleartapError } from '../core/errors.ts';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '../core/logger.ts';
import type { Transaction } from '../core/transaction.ts';
import { CaptureFileSource, resolvePassiveOptions } from '../pipeline/passive/index.ts';
import { dataDir } from '../pipeline/configured-pipeline.ts';
import { LocalStoreReader, localStoreDir } from '../sinks/index.ts';
import { loadEffectiveConfig } from './config-command.ts';
import {
  DiscoveryModel,
  driftReport,
  formatDrift,
  formatInventory,
  hintMatchesServer,
  inputKindOf,
  inventoryIndex,
  loadSpec,
  countInvalid,
  newInputCounters,
  qtapRecordToTransaction,
  openApiDocument,
  originOf,
  parseHint,
  readHar,
  readQtapJsonl,
  renderDocument,
  serverFileStem,
  specPathHints,
  type DocumentFormat,
  type InputCounters,
  type InputKind,
  type OpenApiObject,
  type PathHint,
  type TransactionReader,
} from '../discovery/index.ts';

export interface DiscoverFlags {
  from: string[];
  host?: string;
  out?: string;
  format: 'yaml' | 'json' | 'both';
  hint: string[];
  against?: string;
  json: boolean;
  failOnDrift: boolean;
  logLevel: LogLevel;
}

/** Where the command's report goes (stdout in the CLI; a string buffer in tests). */
export interface DiscoverOutput {
  write(text: string): void;
}

export interface DiscoverResult {
  transactions: number;
  servers: number;
  endpoints: number;
  files: string[];
  /** Drift items found (with --against). */
  drift: number;
}

/** Bodies kept per message from capture files: what the schemas are inferred from. */
const PCAP_MAX_BODY = 1 << 20;

/**
 * .pcap/.pcapng files through the passive stages (`cleartap read`). Discovery wants every status code, not only
 * the NTA's default 2xx, and the bodies; the capture's own damage is counted by those stages.
 */
async function* readPcap(file: string, counters: InputCounters): AsyncGenerator<Transaction> {
  const passive = resolvePassiveOptions({ flags: { statusCodes: 'xxx' } });
  const source = await CaptureFileSource.open(file, { passive, limits: { maxBodyBytes: PCAP_MAX_BODY } });
  for await (const batch of source.batches()) {
    for (const tx of batch) {
      counters.transactions++;
      yield tx;
    }
  }
}

// One reader per file kind; the local store is read by readStore.
const READERS: Readonly<Record<InputKind, TransactionReader | undefined>> = {
  har: readHar,
  jsonl: readQtapJsonl,
  pcap: readPcap,
  unknown: undefined,
};

/**
 * The local store: `store` (the one the agent's config keeps) or `store:DIR`. Each transaction it kept is read
 * back from its http_capture record (headers at the default level details; bodies when the capture kept them).
 */
async function* readStore(spec: string, counters: InputCounters): AsyncGenerator<Transaction> {
  const dir = spec === 'store' ? localStoreDir(loadEffectiveConfig(undefined).config.services, dataDir()) : spec.slice('store:'.length);
  let reader: LocalStoreReader;
  try {
    reader = LocalStoreReader.open(dir);
  } catch (err) {
    throw new CleartapError('CT_ERR_DISCOVERY_INPUT', `${spec}: no local store in ${dir} (${(err as Error).message})`, 'run the agent with a local store first (the default config keeps one), or give store:DIR', { cause: err });
  }
  try {
    for (const row of reader.list({ limit: Number.MAX_SAFE_INTEGER })) {
      const data = reader.show(row.id)?.objects.find((o) => o.type === 'http_transaction' && o.data !== undefined)?.data;
      if (data === undefined) {
        countInvalid(counters, `${dir}: ${row.id}`, 'no http_capture record kept for it (only its event)');
        continue;
      }
      let record: unknown;
      try {
        record = JSON.parse(data.toString('utf8'));
      } catch {
        countInvalid(counters, `${dir}: ${row.id}`, 'its record is not JSON (text format)');
        continue;
      }
      const tx = qtapRecordToTransaction(record, row.id);
      if (typeof tx === 'string') {
        countInvalid(counters, `${dir}: ${row.id}`, tx);
        continue;
      }
      counters.transactions++;
      yield tx;
    }
  } finally {
    reader.close();
  }
}

async function readerFor(file: string): Promise<TransactionReader> {
  if (file === 'store' || file.startsWith('store:')) return readStore;
  let head: Uint8Array;
  try {
    const handle = await open(file, 'r');
    try {
      const buf = new Uint8Array(65536);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      head = buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new CleartapError('CT_ERR_DISCOVERY_INPUT', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'check the path given to --from', { cause: err });
  }
  const reader = READERS[inputKindOf(head)];
  if (reader !== undefined) return reader;
  throw new CleartapError('CT_ERR_DISCOVERY_INPUT', `${file}: not a HAR file, cleartap JSON lines or a capture file`, 'give a HAR 1.2 export, the output of `cleartap --format json --level full`, or a .pcap/.pcapng file');
}

function logSkipped(log: Logger, file: string, counters: InputCounters): void {
  if (counters.invalid === 0) return;
  log.warn({ file, skipped: counters.invalid, examples: counters.samples }, 'records skipped: not usable as transactions');
}

function formatsOf(format: DiscoverFlags['format']): DocumentFormat[] {
  return format === 'both' ? ['yaml', 'json'] : [format];
}

export async function runDiscover(flags: DiscoverFlags, output: DiscoverOutput, log: Logger): Promise<DiscoverResult> {
  const hints: PathHint[] = flags.hint.map(parseHint);
  const spec = flags.against === undefined ? undefined : await loadSpec(flags.against);
  // Paths already in the given spec win (Optic's rule): traffic is templated the way the spec names it.
  if (spec !== undefined) hints.push(...specPathHints(spec.doc));
  const hostFilter: PathHint | undefined = flags.host === undefined ? undefined : { host: flags.host.toLowerCase(), path: '/' };
  const wanted = (origin: string): boolean => hostFilter === undefined || hintMatchesServer(hostFilter, origin);
  const model = new DiscoveryModel({ hints });
  let filtered = 0;
  for (const file of flags.from) {
    const reader = await readerFor(file);
    const counters = newInputCounters();
    for await (const tx of reader(file, counters)) {
      if (hostFilter !== undefined && !wanted(originOf(tx))) {
        filtered++;
        continue;
      }
      model.add(tx);
    }
    logSkipped(log, file, counters);
    log.info({ file, transactions: counters.transactions }, 'read');
  }
  const snapshot = model.snapshot(wanted);
  log.info({ counters: snapshot.counters, ...(filtered > 0 && { otherHosts: filtered }) }, 'inferred');
  const docs: OpenApiObject[] = snapshot.servers.map((s) => openApiDocument(s));
  const index = inventoryIndex(snapshot);
  const files: string[] = [];
  if (flags.out !== undefined) {
    await mkdir(flags.out, { recursive: true });
    for (let i = 0; i < docs.length; i++) {
      for (const format of formatsOf(flags.format)) {
        const path = join(flags.out, `${serverFileStem(snapshot.servers[i])}.openapi.${format}`);
        await writeFile(path, renderDocument(docs[i], format));
        files.push(path);
      }
    }
    const indexPath = join(flags.out, 'inventory.json');
    await writeFile(indexPath, `${JSON.stringify(index, null, 2)}\n`);
    files.push(indexPath);
    log.info({ files }, 'written');
  }
  let drift = 0;
  if (spec !== undefined) {
    const report = driftReport(docs, spec.doc, spec.file);
    const s = report.summary;
    drift = s.shadow + s.zombie + s.undocumentedParameters + s.undocumentedStatusCodes + s.undocumentedFields + s.typeMismatches;
    output.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatDrift(report));
  } else if (flags.json) output.write(`${JSON.stringify(index, null, 2)}\n`);
  else output.write(formatInventory(index));
  return {
    transactions: snapshot.counters.transactions,
    servers: snapshot.servers.length,
    endpoints: index.endpoints.length,
    files,
    drift,
  };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function discoverCommand(): Command {
  return new Command('discover')
    .description('Infer OpenAPI 3.1 documents and an endpoint inventory from captured traffic, or report drift against a spec')
    .requiredOption('--from <files...>', 'HAR files, cleartap JSON-lines captures (`cleartap --level full`), .pcap/.pcapng files, and/or `store` (the local store; `store:DIR` for another)')
    .option('--host <host>', 'only this server (host or host:port)')
    .option('--out <dir>', 'write <host>.openapi.yaml/.json per server and inventory.json here')
    .addOption(new Option('--format <format>', 'document formats written with --out').choices(['yaml', 'json', 'both']).default('both'))
    .option('--hint <path>', 'path template to apply, e.g. "/users/{id}" or "GET api.example.com/users/{id}" (repeatable)', collect, [] as string[])
    .option('--against <spec>', 'report drift between the traffic and this OpenAPI 3.x document (YAML or JSON)')
    .option('--json', 'print the drift report (or, without --against, the inventory) as JSON', false)
    .option('--fail-on-drift', 'exit with status 2 when --against finds any drift', false)
    .addOption(new Option('--log-level <level>', 'log verbosity (stderr)').choices(LOG_LEVELS).default('info'))
    .action(async (flags: DiscoverFlags) => {
      const log = createLogger(flags.logLevel);
      const result = await runDiscover(flags, { write: (text) => process.stdout.write(text) }, log);
      if (flags.failOnDrift && result.drift > 0) process.exitCode = 2;
    });
}
