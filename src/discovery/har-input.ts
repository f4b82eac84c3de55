// HAR 1.2 files (browser devtools, proxies, test tools) -> Transactions. Each entry is one client-side exchange;
// bodies come from postData.text (or its params) and content.text (base64 when `encoding` says so). HTTP/2
// pseudo-headers are dropped (the URL carries what they say). A file that is not HAR fails with
// CT_ERR_DISCOVERY_INPUT; an unusable entry is counted and skipped.

import { Buffer } from 'node:buffer';
import { readFile } from 'node:fs/promises';
import { CleartapError } from '../core/errors.ts';
import type { HeaderList, HttpResponseRecord, Transaction } from '../core/transaction.ts';
import { countInvalid, type InputCounters } from './input-reader.ts';

type Json = Record<string, unknown>;

const enc = new TextEncoder();

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function headersOf(list: unknown): HeaderList {
  const out: HeaderList = [];
  if (!Array.isArray(list)) return out;
  for (const h of list) {
    if (!isObject(h) || typeof h.name !== 'string' || h.name.startsWith(':')) continue;
    out.push([h.name, typeof h.value === 'string' ? h.value : String(h.value ?? '')]);
  }
  return out;
}

function requestBody(postData: unknown): Uint8Array {
  if (!isObject(postData)) return new Uint8Array(0);
  if (typeof postData.text === 'string') {
    return postData.encoding === 'base64' ? new Uint8Array(Buffer.from(postData.text, 'base64')) : enc.encode(postData.text);
  }
  if (Array.isArray(postData.params)) {
    const form = new URLSearchParams();
    for (const p of postData.params) if (isObject(p) && typeof p.name === 'string') form.append(p.name, typeof p.value === 'string' ? p.value : '');
    return enc.encode(form.toString());
  }
  return new Uint8Array(0);
}

function responseBody(content: unknown): Uint8Array {
  if (!isObject(content) || typeof content.text !== 'string') return new Uint8Array(0);
  return content.encoding === 'base64' ? new Uint8Array(Buffer.from(content.text, 'base64')) : enc.encode(content.text);
}

function withContentType(headers: HeaderList, mimeType: unknown): HeaderList {
  if (typeof mimeType !== 'string' || mimeType === '' || headers.some(([n]) => n.toLowerCase() === 'content-type')) return headers;
  return [...headers, ['Content-Type', mimeType]];
}

/** One HAR entry as a Transaction, or the reason it cannot be one. */
export function harEntryToTransaction(entry: unknown, id: string): Transaction | string {
  if (!isObject(entry) || !isObject(entry.request)) return 'no request';
  const req = entry.request;
  if (typeof req.method !== 'string' || req.method === '') return 'no request method';
  if (typeof req.url !== 'string') return 'no request url';
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return `request url "${req.url.slice(0, 80)}" is not absolute`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `not an HTTP url (${url.protocol})`;
  const start = typeof entry.startedDateTime === 'string' ? Date.parse(entry.startedDateTime) : Number.NaN;
  const duration = typeof entry.time === 'number' && entry.time >= 0 ? entry.time : 0;
  const body = requestBody(req.postData);
  const version = typeof req.httpVersion === 'string' ? req.httpVersion.toUpperCase() : 'HTTP/1.1';
  const tx: Transaction = {
    id,
    connectionId: typeof entry.connection === 'string' ? entry.connection : '',
    startTime: Number.isFinite(start) ? start : 0,
    endTime: Number.isFinite(start) ? start + duration : 0,
    durationMs: duration,
    direction: 'egress',
    host: url.hostname,
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    protocol: 'http1',
    request: {
      method: req.method.toUpperCase(),
      url: url.href,
      target: url.pathname + url.search,
      path: url.pathname,
      version,
      headers: withContentType(headersOf(req.headers), isObject(req.postData) ? req.postData.mimeType : undefined),
      body,
      bodySize: body.byteLength,
      bodyTruncated: false,
    },
    bytesSent: 0,
    bytesReceived: 0,
  };
  const res = entry.response;
  // Status 0 is how HAR writers record a request that got no response (blocked, failed, aborted).
  if (isObject(res) && typeof res.status === 'number' && res.status > 0) {
    const content = isObject(res.content) ? res.content : {};
    const resBody = responseBody(content);
    const response: HttpResponseRecord = {
      status: res.status,
      reason: typeof res.statusText === 'string' ? res.statusText : '',
      version: typeof res.httpVersion === 'string' ? res.httpVersion.toUpperCase() : version,
      headers: withContentType(headersOf(res.headers), content.mimeType),
      body: resBody,
      bodySize: typeof content.size === 'number' && content.size > resBody.byteLength ? content.size : resBody.byteLength,
      bodyTruncated: typeof content.size === 'number' && content.size > resBody.byteLength && resBody.byteLength > 0,
    };
    tx.response = response;
  }
  return tx;
}

/** Transactions of a HAR file, in entry order. */
export async function* readHar(file: string, counters: InputCounters): AsyncGenerator<Transaction> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new CleartapError('CT_ERR_DISCOVERY_INPUT', `${file}: not a HAR file (${(err as Error).message})`, 'give a HAR 1.2 export (JSON with log.entries)', { cause: err });
  }
  const log = isObject(doc) ? doc.log : undefined;
  if (!isObject(log) || !Array.isArray(log.entries)) {
    throw new CleartapError('CT_ERR_DISCOVERY_INPUT', `${file}: no log.entries array`, 'give a HAR 1.2 export (JSON with log.entries)');
  }
  for (let i = 0; i < log.entries.length; i++) {
    const tx = harEntryToTransaction(log.entries[i], `har-${i + 1}`);
    if (typeof tx === 'string') countInvalid(counters, `${file}: entry ${i + 1}`, tx);
    else {
      counters.transactions++;
      yield tx;
    }
  }
}
