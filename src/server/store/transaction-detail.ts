// One transaction in full: its summary, what its http_capture record holds — connection, process, request and
// response with headers and bodies as the capture level kept them — its other artifacts (detect_errors' recorded
// headers and bodies) and its events. Bodies are decoded from the record's base64: text when they are UTF-8,
// base64 otherwise. For a reader who may not see payloads, header values (but the pseudo-headers), bodies,
// artifact contents and the command line's arguments are replaced by a marker and sizes: what was exchanged
// stays visible, not what it said.

import type { StoredObject, TransactionDetail as StoredDetail } from '../../sinks/index.ts';
import type { TransactionSummary } from './transaction-list.ts';

export const REDACTED = '[redacted]';

export type BodyView =
  | { encoding: 'utf8' | 'base64'; data: string; size: number; truncated: boolean }
  | { redacted: true; size: number; truncated: boolean };

export interface MessageView {
  headers: Record<string, string> | null;
  body: BodyView | null;
}

export interface TransactionDetail extends TransactionSummary {
  /** What the capture kept: summary (no headers), details (headers), full (headers and bodies); null without a record. */
  level: 'summary' | 'details' | 'full' | null;
  redacted: boolean;
  connection: { local: string | null; remote: string | null; tlsLibrary: string | null; tlsSni: string | null; httpVersion: string | null };
  process: { pid: number | null; exe: string | null; user: string | null; uid: number | null; cmdline: string[] | null; cgroup: string | null; containerId: string | null };
  request: MessageView & { bodySize: number | null };
  response: (MessageView & { status: number; reason: string | null; bodySize: number | null }) | null;
  /** The http_capture record in the text format (summary only, or redacted): the fields above are then empty. */
  recordText: string | null;
  artifacts: ArtifactView[];
  events: Array<{ type: string; item: Record<string, unknown> }>;
}

/**
 * One object of the transaction: in the local store (its content inline, unless it is the http_capture record,
 * which the fields above show), or in an S3-compatible store (object-links.ts: a presigned URL to fetch it from).
 */
export interface ArtifactView {
  type: string;
  digest: string;
  contentType: string | null;
  size: number | null;
  available: boolean;
  content: BodyView | null;
  /** A short-lived URL to GET the object from its store; null for local objects and for callers who may not see payloads. */
  url: string | null;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function bytesView(bytes: Uint8Array, truncated: boolean, redact: boolean): BodyView {
  if (redact) return { redacted: true, size: bytes.byteLength, truncated };
  try {
    const text = utf8.decode(bytes);
    // Text with control bytes other than whitespace is binary that happens to be valid UTF-8.
    if (!/[\u0000-\u0008\u000e-\u001f]/.test(text)) return { encoding: 'utf8', data: text, size: bytes.byteLength, truncated };
  } catch {
    // not UTF-8
  }
  return { encoding: 'base64', data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), size: bytes.byteLength, truncated };
}

function headersOf(v: unknown, redact: boolean): Record<string, string> | null {
  if (!isObject(v)) return null;
  const out: Record<string, string> = {};
  // Pseudo-headers (:method, :path, :authority, :status) restate the summary: they stay.
  for (const [k, value] of Object.entries(v)) if (typeof value === 'string') out[k] = redact && !k.startsWith(':') ? REDACTED : value;
  return out;
}

function messageOf(m: Json, truncated: boolean, redact: boolean): MessageView {
  const body = typeof m.body === 'string' ? bytesView(Buffer.from(m.body, 'base64'), truncated, redact) : null;
  return { headers: headersOf(m.headers, redact), body };
}

const emptyConnection = (): TransactionDetail['connection'] => ({ local: null, remote: null, tlsLibrary: null, tlsSni: null, httpVersion: null });

function fromRecord(summary: TransactionSummary, record: Json, redact: boolean): Pick<TransactionDetail, 'level' | 'connection' | 'process' | 'request' | 'response'> {
  const ext = isObject(record.cleartap) ? record.cleartap : {};
  const meta = isObject(record.metadata) ? record.metadata : {};
  const req = isObject(record.request) ? record.request : {};
  const res = isObject(record.response) ? record.response : undefined;
  const hasBody = typeof req.body === 'string' || typeof res?.body === 'string';
  const hasHeaders = isObject(req.headers) || isObject(res?.headers);
  const pid = Number.parseInt(String(meta.process_id ?? ''), 10);
  const cmdline = Array.isArray(ext.cmdline) ? ext.cmdline.filter((a): a is string => typeof a === 'string') : null;
  return {
    level: hasBody ? 'full' : hasHeaders ? 'details' : 'summary',
    connection: { local: str(ext.local), remote: str(ext.remote), tlsLibrary: str(ext.tls_library), tlsSni: str(ext.tls_sni), httpVersion: str(ext.http_version) },
    process: {
      pid: Number.isInteger(pid) ? pid : summary.processId,
      exe: str(meta.process_exe) ?? summary.processExe,
      user: str(ext.user),
      uid: num(ext.uid),
      cmdline: cmdline === null ? null : redact ? cmdline.slice(0, 1) : cmdline,
      cgroup: str(ext.cgroup),
      containerId: str(ext.container_id) ?? summary.containerId,
    },
    request: { ...messageOf(req, ext.request_body_truncated === true, redact), bodySize: num(ext.request_body_size) },
    response:
      res === undefined || ext.no_response === true
        ? null
        : { status: num(res.status) ?? 0, reason: str(ext.response_reason), ...messageOf(res, ext.response_body_truncated === true, redact), bodySize: num(ext.response_body_size) },
  };
}

function artifactOf(o: StoredObject, redact: boolean): ArtifactView {
  return {
    type: o.type,
    digest: o.digest,
    contentType: o.contentType,
    size: o.size,
    available: o.data !== undefined,
    content: o.data === undefined || o.type === 'http_transaction' ? null : bytesView(o.data, false, redact),
    url: null,
  };
}

/** The detail of a transaction from its summary and what the store keeps for it. */
export function transactionDetail(summary: TransactionSummary, stored: StoredDetail, redact: boolean): TransactionDetail {
  const recordObject = stored.objects.find((o) => o.type === 'http_transaction' && o.data !== undefined);
  let record: Json | undefined;
  let recordText: string | null = null;
  if (recordObject?.data !== undefined) {
    const text = recordObject.data.toString('utf8');
    try {
      const parsed = JSON.parse(text) as unknown;
      if (isObject(parsed)) record = parsed;
    } catch {
      recordText = redact ? REDACTED : text;
    }
  }
  const parts =
    record !== undefined
      ? fromRecord(summary, record, redact)
      : {
          level: null,
          connection: emptyConnection(),
          process: { pid: summary.processId, exe: summary.processExe, user: null, uid: null, cmdline: null, cgroup: null, containerId: summary.containerId },
          request: { headers: null, body: null, bodySize: null },
          response: summary.status === null ? null : { status: summary.status, reason: null, headers: null, body: null, bodySize: null },
        };
  return {
    ...summary,
    ...parts,
    redacted: redact,
    recordText,
    artifacts: stored.objects.map((o) => artifactOf(o, redact)),
    events: stored.events.map((e) => ({ type: e.type, item: isObject(e.item) ? e.item : { value: e.item } })),
  };
}
