// Masking of sensitive values, applied once per transaction by the stack before any plugin sees it, so no output
// (records, logs, events, artifacts) can carry them. Rules are evaluated on the unmasked transaction.
//
// What is masked:
// - headers (and trailers) named Authorization, Proxy-Authorization, Cookie, Set-Cookie, X-Auth-Token,
//   X-Access-Token, any name ending in "api-key", "api_key" or "apikey" (X-API-Key, Api-Key, APIKey,
//   X-Goog-Api-Key, ...), plus the names in config `headers` (case-insensitive);
// - in JSON bodies (content type */json, */*+json, */x-ndjson), the values of the keys in config `jsonFields`
//   (case-insensitive), at any depth, whole (objects and arrays too) — see json-field-mask.ts;
// - in the process's command line, the same headers written as `Name: value` (curl -H) and `-u user:password`.
//
// The masked value is `[REDACTED]`; the Authorization schemes keep their scheme word (`Bearer [REDACTED]`) so
// logs still say what kind of credential was sent. Nothing of the secret itself is kept: no prefix, no last
// characters (report_usage's authTokenMask and authTokenHash exist to tell tokens apart).
//
// Cost: a transaction with nothing to mask is returned as is (same object) after one pass over its header names,
// most rejected by length alone; bodies are only scanned when jsonFields is configured and the type is JSON.

import { Buffer } from 'node:buffer';
import type { HeaderList, HttpRequestRecord, HttpResponseRecord, ProcessContext, Transaction } from '../core/transaction.ts';
import { firstHeader } from '../sinks/stdout/index.ts';
import { maskJsonFields } from './json-field-mask.ts';

export const MASK = '[REDACTED]';

export const DEFAULT_MASKED_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-auth-token',
  'x-access-token',
];

/** X-API-Key, Api-Key, APIKey, X-Goog-Api-Key, api_key, ... */
const API_KEY_NAME = /api[-_]?key$/i;
const AUTH_SCHEME = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)\s+\S/;
const JSON_TYPE = /^[^;]*[/+](?:x-)?(?:nd)?json\s*(?:;|$)/i;
/** `Name: value` (curl -H), optionally after `--header=`. */
const HEADER_ARG = /^((?:--?[A-Za-z-]+=)?\s*)([A-Za-z0-9_-]+)(\s*:\s*)(.*)$/s;

export interface RedactionConfig {
  /** Header names masked in addition to the defaults. */
  headers?: readonly string[];
  /** JSON body keys whose values are masked. */
  jsonFields?: readonly string[];
}

export type Redactor = (tx: Transaction) => Transaction;

export function createRedactor(config: RedactionConfig = {}): Redactor {
  const names = new Set([...DEFAULT_MASKED_HEADERS, ...(config.headers ?? []).map((h) => h.trim().toLowerCase())]);
  names.delete('');
  const lengths = new Set([...names].map((n) => n.length));
  const isSensitive = (name: string): boolean =>
    (lengths.has(name.length) && names.has(name.toLowerCase())) || API_KEY_NAME.test(name);
  const fields = new Set((config.jsonFields ?? []).map((f) => f.toLowerCase()).filter((f) => f !== ''));
  const processes = new WeakMap<ProcessContext, ProcessContext>();

  const maskProcess = (p: ProcessContext): ProcessContext => {
    let masked = processes.get(p);
    if (masked === undefined) {
      const cmdline = maskCmdline(p.cmdline, isSensitive);
      masked = cmdline === p.cmdline ? p : { ...p, cmdline };
      processes.set(p, masked);
    }
    return masked;
  };

  return (tx) => {
    const request = maskMessage(tx.request, isSensitive, fields);
    const response = tx.response === undefined ? undefined : maskMessage(tx.response, isSensitive, fields);
    const process = tx.process === undefined ? undefined : maskProcess(tx.process);
    if (request === tx.request && response === tx.response && process === tx.process) return tx;
    const out: Transaction = { ...tx, request };
    if (response !== undefined) out.response = response;
    if (process !== undefined) out.process = process;
    return out;
  };
}

function maskMessage<M extends HttpRequestRecord | HttpResponseRecord>(
  msg: M,
  isSensitive: (name: string) => boolean,
  fields: ReadonlySet<string>,
): M {
  const headers = maskHeaders(msg.headers, isSensitive);
  const trailers = msg.trailers === undefined ? undefined : maskHeaders(msg.trailers, isSensitive);
  const body = fields.size > 0 ? maskBody(msg, fields) : msg.body;
  if (headers === msg.headers && trailers === msg.trailers && body === msg.body) return msg;
  const out: M = { ...msg, headers };
  if (trailers !== undefined) out.trailers = trailers;
  if (body !== msg.body) {
    out.body = body;
    // Sizes describe the body as shown, so "N of M bytes captured" stays true after masking.
    out.bodySize = msg.bodySize + body.byteLength - msg.body.byteLength;
  }
  return out;
}

/** The same list when no header is sensitive, else a copy with the sensitive values masked. */
function maskHeaders(headers: HeaderList, isSensitive: (name: string) => boolean): HeaderList {
  let out: HeaderList | undefined;
  for (let i = 0; i < headers.length; i++) {
    const [name, value] = headers[i]!;
    if (!isSensitive(name)) continue;
    out ??= headers.slice();
    out[i] = [name, maskHeaderValue(name, value)];
  }
  return out ?? headers;
}

/** `Bearer [REDACTED]` for Authorization-style values with a scheme, else `[REDACTED]`; '' stays ''. */
export function maskHeaderValue(name: string, value: string): string {
  if (value === '') return value;
  if (/authorization$/i.test(name)) {
    const scheme = AUTH_SCHEME.exec(value);
    if (scheme !== null) return `${scheme[1]} ${MASK}`;
  }
  return MASK;
}

function maskBody(msg: HttpRequestRecord | HttpResponseRecord, fields: ReadonlySet<string>): Uint8Array {
  if (msg.body.byteLength === 0 || !JSON_TYPE.test(firstHeader(msg.headers, 'content-type'))) return msg.body;
  const text = Buffer.from(msg.body.buffer, msg.body.byteOffset, msg.body.byteLength).toString('utf8');
  const masked = maskJsonFields(text, fields);
  return masked === text ? msg.body : new Uint8Array(Buffer.from(masked, 'utf8'));
}

function maskCmdline(argv: readonly string[], isSensitive: (name: string) => boolean): string[] {
  let out: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let masked = arg;
    const prev = i > 0 ? argv[i - 1] : undefined;
    if (prev === '-u' || prev === '--user' || prev === '--proxy-user' || prev === '-U') {
      masked = maskUserPassword(arg);
    } else if (arg.startsWith('--user=')) {
      masked = `--user=${maskUserPassword(arg.slice(7))}`;
    } else if (arg.includes(':')) {
      const m = HEADER_ARG.exec(arg);
      if (m !== null && isSensitive(m[2]!)) masked = `${m[1]}${m[2]}${m[3]}${maskHeaderValue(m[2]!, m[4]!)}`;
    }
    if (masked !== arg) {
      out ??= argv.slice();
      out[i] = masked;
    }
  }
  return out ?? (argv as string[]);
}

function maskUserPassword(arg: string): string {
  const colon = arg.indexOf(':');
  return colon < 0 ? arg : `${arg.slice(0, colon + 1)}${MASK}`;
}
