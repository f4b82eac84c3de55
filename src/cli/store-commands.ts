// `cleartap query` and `cleartap show`: read what the local store kept, while the agent runs or after.
//
//   cleartap query [--dir DIR] [--host H] [--status S] [--process P] [--since T] [--until T] [--limit N] [--json]
//   cleartap show ID [--dir DIR] [--json]
//
// --host: a name or a glob (*.example.com); --status: 404, 5xx, 400-499 or a comma list; --process: an exe path,
// an exe name or a pid; --since/--until: an ISO time or an age such as 15m, 2h, 7d.

import { basename } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { CleartapError } from '../core/errors.ts';
import { LocalStoreReader, parseDuration, type TransactionDetail, type TransactionFilter, type TransactionSummary } from '../sinks/index.ts';

export interface StoreCommandDeps {
  /** The local store's directory when --dir is not given (the config's local store path, else the default). */
  defaultDir: () => string;
  /** Where results go; process.stdout by default. */
  out?: { write(text: string): void };
  now?: () => number;
}

interface QueryFlags {
  dir?: string;
  host?: string;
  status?: string;
  process?: string;
  since?: string;
  until?: string;
  limit: number;
  json: boolean;
}

function timeArg(now: () => number) {
  return (value: string): number => {
    const age = parseDuration(value);
    if (age !== undefined) return now() - age;
    const at = Date.parse(value);
    if (Number.isFinite(at)) return at;
    throw new InvalidArgumentError('give an ISO time (2026-01-31T12:00:00Z) or an age (15m, 2h, 7d)');
  };
}

function limitArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new InvalidArgumentError('must be a whole number from 1 to 1000000');
  return n;
}

const dash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '-' : String(v));

function processLabel(t: TransactionSummary): string {
  if (t.processExe === null) return t.processId === null ? '-' : `pid ${t.processId}`;
  return t.processId === null ? basename(t.processExe) : `${basename(t.processExe)}[${t.processId}]`;
}

function table(rows: TransactionSummary[]): string {
  const header = ['TIME', 'STATUS', 'METHOD', 'HOST', 'PATH', 'PROCESS', 'DURATION', 'ID'];
  const cells = rows.map((t) => [
    t.time,
    dash(t.status),
    dash(t.method),
    dash(t.host),
    t.path === null ? '-' : t.path.length > 60 ? `${t.path.slice(0, 59)}…` : t.path,
    processLabel(t),
    t.durationMs === null ? '-' : `${t.durationMs}ms`,
    t.id,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  return [header, ...cells].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

const TEXTUAL = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript|[\w.+-]+\+(json|xml)))/;

function objectsForJson(detail: TransactionDetail) {
  return detail.objects.map(({ data, ...o }) => ({
    ...o,
    ...(data === undefined ? { missing: true } : TEXTUAL.test(o.contentType) ? { text: data.toString('utf8') } : { base64: data.toString('base64') }),
  }));
}

function showText(t: TransactionDetail): string {
  const lines = [
    `Transaction ${t.id}`,
    `  Time        ${t.time}`,
    `  Request     ${dash(t.method)} ${dash(t.url)}`,
    `  Status      ${dash(t.status)}`,
    `  Duration    ${t.durationMs === null ? '-' : `${t.durationMs} ms`}`,
    `  Direction   ${dash(t.direction)}`,
    `  Process     ${t.processExe === null ? '-' : `${t.processExe}${t.processId === null ? '' : ` (pid ${t.processId})`}`}`,
    `  Bytes       sent ${dash(t.bytesSent)}, received ${dash(t.bytesReceived)}`,
    `  Connection  ${t.connectionId}`,
    `Events (${t.events.length})`,
    ...t.events.map((e) => `  ${e.type}  ${JSON.stringify(e.item)}`),
    `Objects (${t.objects.length})`,
  ];
  for (const o of t.objects) {
    lines.push(`  ${o.type}  sha1 ${o.digest}  ${o.contentType}  ${o.size} bytes`);
    if (o.data === undefined) lines.push('  (the file is gone: removed by retention)');
    else if (TEXTUAL.test(o.contentType)) lines.push(o.data.toString('utf8'));
    else lines.push(`  (binary; cleartap show ${t.id} --json gives it in base64)`);
  }
  return lines.join('\n') + '\n';
}

function withReader<T>(dir: string, fn: (reader: LocalStoreReader) => T): T {
  const reader = LocalStoreReader.open(dir);
  try {
    return fn(reader);
  } finally {
    reader.close();
  }
}

export function addStoreCommands(program: Command, deps: StoreCommandDeps): void {
  const now = deps.now ?? Date.now;
  const out = deps.out ?? process.stdout;
  program
    .command('query')
    .description('list the transactions the local store kept, newest first')
    .option('--dir <dir>', 'the local store directory (default: the configured local store)')
    .option('--host <host>', 'host name, or a glob such as *.example.com')
    .option('--status <status>', 'status code, class (5xx), range (400-499), or a comma list')
    .option('--process <process>', 'exe path, exe name or pid')
    .option('--since <time>', 'ISO time, or an age such as 15m, 2h, 7d', timeArg(now))
    .option('--until <time>', 'ISO time, or an age such as 15m, 2h, 7d', timeArg(now))
    .option('--limit <n>', 'most transactions listed', limitArg, 50)
    .option('--json', 'one JSON object per line', false)
    .action((flags: Omit<QueryFlags, 'since' | 'until'> & { since?: number; until?: number }) => {
      const filter: TransactionFilter = { host: flags.host, status: flags.status, process: flags.process, sinceMs: flags.since, untilMs: flags.until, limit: flags.limit };
      const rows = withReader(flags.dir ?? deps.defaultDir(), (r) => r.list(filter));
      out.write(flags.json ? rows.map((r) => JSON.stringify(r) + '\n').join('') : rows.length === 0 ? 'no transactions match\n' : table(rows));
    });
  program
    .command('show')
    .description('print one transaction from the local store, with its events and objects')
    .argument('<id>', 'transaction id (or the start of one) as `cleartap query` lists it')
    .option('--dir <dir>', 'the local store directory (default: the configured local store)')
    .option('--json', 'as one JSON object', false)
    .action((id: string, flags: { dir?: string; json: boolean }) => {
      const dir = flags.dir ?? deps.defaultDir();
      const detail = withReader(dir, (r) => r.show(id));
      if (detail === undefined) throw new CleartapError('CT_ERR_USAGE', `no transaction ${id} in the local store ${dir}`, 'list them with cleartap query');
      out.write(flags.json ? JSON.stringify({ ...detail, objects: objectsForJson(detail) }) + '\n' : showText(detail));
    });
}
