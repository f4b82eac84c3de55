// A transaction's row in the local store, from whichever of its records arrives: the Request event (report_usage)
// or the http_transaction object (http_capture, Qtap's JSON record). Each gives what it knows and leaves the rest
// null; the upsert keeps what the other one gave. Only the object knows the process. The second record updates the
// row only when it fills a column the first left empty: an update rewrites every index of the table, and most
// second records (the JSON object after its event, or the event after its object) add nothing.

import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { hostOf, timeMsOf, transactionIdOf } from '../event-fields.ts';
import type { SpooledArtifact } from '../record-codecs.ts';
import type { RequestEvent } from '../../core/stores.ts';

export interface TransactionRow {
  id: string;
  connection_id: string;
  time_ms: number;
  direction: string | null;
  method: string | null;
  url: string | null;
  host: string | null;
  path: string | null;
  status: number | null;
  duration_ms: number | null;
  process_id: number | null;
  process_exe: string | null;
  bytes_sent: number | null;
  bytes_received: number | null;
  content_type: string | null;
  agent: string | null;
}

const COLUMNS = [
  'id', 'connection_id', 'time_ms', 'direction', 'method', 'url', 'host', 'path', 'status', 'duration_ms',
  'process_id', 'process_exe', 'bytes_sent', 'bytes_received', 'content_type', 'agent',
] as const satisfies readonly (keyof TransactionRow)[];

export function prepareTransactionUpsert(db: DatabaseSync): (row: TransactionRow) => void {
  const keep = COLUMNS.filter((c) => c !== 'id' && c !== 'connection_id' && c !== 'time_ms');
  const stmt: StatementSync = db.prepare(
    `INSERT INTO transactions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `:${c}`).join(', ')})
     ON CONFLICT(id) DO UPDATE SET ${keep.map((c) => `${c} = coalesce(excluded.${c}, ${c})`).join(', ')}
     WHERE ${keep.map((c) => `(${c} IS NULL AND excluded.${c} IS NOT NULL)`).join(' OR ')}`,
  );
  return (row) => void stmt.run({ ...row });
}

export function rowFromRequestEvent(e: RequestEvent): TransactionRow {
  return {
    id: transactionIdOf(e.requestId, e.connectionId, e.timestamp),
    connection_id: e.connectionId,
    time_ms: timeMsOf(e.timestamp),
    direction: e.direction,
    method: e.method,
    url: e.url,
    host: hostOf(e.url),
    path: e.path,
    status: e.status === 0 ? null : e.status,
    duration_ms: e.duration,
    process_id: null,
    process_exe: null,
    bytes_sent: e.bytesSent,
    bytes_received: e.bytesReceived,
    content_type: e.contentType || null,
    agent: e.agent || null,
  };
}

interface QtapRecordFields {
  metadata?: { process_id?: string; process_exe?: string; bytes_sent?: number; bytes_received?: number };
  request?: { method?: string; url?: string; path?: string; user_agent?: string; content_type?: string };
  response?: { status?: number; content_type?: string };
  duration_ms?: number;
  direction?: string;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The row an http_transaction object gives: all of Qtap's JSON record, or only its meta for the text format. */
export function rowFromArtifact(a: SpooledArtifact): TransactionRow {
  const { meta } = a;
  let r: QtapRecordFields = {};
  if (a.contentType.startsWith('application/json')) {
    try {
      r = JSON.parse(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).toString('utf8')) as QtapRecordFields;
    } catch {
      r = {};
    }
  }
  const url = str(r.request?.url) ?? meta.url;
  const pid = Number.parseInt(r.metadata?.process_id ?? '', 10);
  return {
    id: transactionIdOf(meta.requestId, meta.connectionId, meta.timestamp),
    connection_id: meta.connectionId,
    time_ms: timeMsOf(meta.timestamp),
    direction: str(r.direction),
    method: str(r.request?.method),
    url,
    host: hostOf(url) || null,
    path: str(r.request?.path),
    status: num(r.response?.status),
    duration_ms: num(r.duration_ms),
    process_id: Number.isInteger(pid) ? pid : null,
    process_exe: str(r.metadata?.process_exe),
    bytes_sent: num(r.metadata?.bytes_sent),
    bytes_received: num(r.metadata?.bytes_received),
    content_type: str(r.response?.content_type) ?? str(r.request?.content_type),
    agent: str(r.request?.user_agent),
  };
}
