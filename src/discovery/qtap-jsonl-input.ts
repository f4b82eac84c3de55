// cleartap's own JSON-lines output (Qtap http_capture records, with the `cleartap` extension when present) ->
// Transactions, streamed line by line so a capture of any size fits. Bodies are base64 at level full; records
// from lower levels simply have none (and headers only from level details). A line that is not such a record
// (a log line, a cut-off last line) is counted and skipped.

import { Buffer } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CleartapError } from '../core/errors.ts';
import type { HeaderList, NetEndpoint, Transaction } from '../core/transaction.ts';
import { countInvalid, type InputCounters } from './input-reader.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function headersOf(obj: unknown): HeaderList {
  const out: HeaderList = [];
  if (!isObject(obj)) return out;
  for (const [name, value] of Object.entries(obj)) {
    if (name.startsWith(':') || typeof value !== 'string') continue;
    out.push([name, value]);
  }
  return out;
}

function bodyOf(b64: unknown): Uint8Array {
  return typeof b64 === 'string' && b64 !== '' ? new Uint8Array(Buffer.from(b64, 'base64')) : new Uint8Array(0);
}

function endpointOf(text: unknown): NetEndpoint | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text);
  return m === null ? undefined : { address: m[1], port: Number(m[2]) };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** One record as a Transaction, or the reason it cannot be one. */
export function qtapRecordToTransaction(record: unknown, fallbackId: string): Transaction | string {
  if (!isObject(record)) return 'not a JSON object';
  const req = record.request;
  if (!isObject(req) || typeof req.method !== 'string' || typeof req.url !== 'string') return 'no request.method / request.url (not an http_capture record)';
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return `request.url "${req.url.slice(0, 80)}" is not absolute`;
  }
  const meta = isObject(record.metadata) ? record.metadata : {};
  const ext = isObject(record.cleartap) ? record.cleartap : {};
  const time = typeof record.transaction_time === 'string' ? Date.parse(record.transaction_time) : Number.NaN;
  const duration = num(record.duration_ms) ?? 0;
  const reqBody = bodyOf(req.body);
  const headers = headersOf(req.headers);
  // Below level details the record has no headers, but its summary fields still say what they would have.
  if (headers.length === 0) {
    if (typeof req.content_type === 'string') headers.push(['Content-Type', req.content_type]);
    if (typeof req.user_agent === 'string') headers.push(['User-Agent', req.user_agent]);
  }
  const version = typeof ext.http_version === 'string' ? ext.http_version : 'HTTP/1.1';
  const tx: Transaction = {
    id: typeof meta.request_id === 'string' ? meta.request_id : fallbackId,
    connectionId: typeof meta.connection_id === 'string' ? meta.connection_id : '',
    startTime: Number.isFinite(time) ? time : 0,
    endTime: Number.isFinite(time) ? time + duration : 0,
    durationMs: duration,
    direction: record.direction === 'ingress' ? 'ingress' : 'egress',
    local: endpointOf(ext.local),
    remote: endpointOf(ext.remote),
    host: url.hostname,
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    protocol: 'http1',
    request: {
      method: req.method.toUpperCase(),
      url: url.href,
      target: url.pathname + url.search,
      path: url.pathname,
      version,
      headers,
      body: reqBody,
      bodySize: num(ext.request_body_size) ?? reqBody.byteLength,
      bodyTruncated: ext.request_body_truncated === true,
    },
    bytesSent: num(meta.bytes_sent) ?? 0,
    bytesReceived: num(meta.bytes_received) ?? 0,
  };
  const res = record.response;
  if (ext.no_response !== true && isObject(res) && typeof res.status === 'number') {
    const resBody = bodyOf(res.body);
    const resHeaders = headersOf(res.headers);
    if (resHeaders.length === 0 && typeof res.content_type === 'string') resHeaders.push(['Content-Type', res.content_type]);
    tx.response = {
      status: res.status,
      reason: typeof ext.response_reason === 'string' ? ext.response_reason : '',
      version,
      headers: resHeaders,
      body: resBody,
      bodySize: num(ext.response_body_size) ?? resBody.byteLength,
      bodyTruncated: ext.response_body_truncated === true,
    };
  }
  return tx;
}

/** Transactions of a JSON-lines file, in line order. */
export async function* readQtapJsonl(file: string, counters: InputCounters): AsyncGenerator<Transaction> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw new CleartapError('CT_ERR_DISCOVERY_INPUT', `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'check the path given to --from', { cause: err });
  }
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    const text = line.trim();
    if (text === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      countInvalid(counters, `${file}:${n}`, 'not JSON');
      continue;
    }
    const tx = qtapRecordToTransaction(record, `line-${n}`);
    if (typeof tx === 'string') countInvalid(counters, `${file}:${n}`, tx);
    else {
      counters.transactions++;
      yield tx;
    }
  }
}
