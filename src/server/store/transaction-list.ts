// Transactions, newest first, a page at a time. Pages are keyed (time, id) — a cursor names the last row of the
// previous page — so a page is stable while the agent keeps writing, and each page costs an index range scan
// whatever its depth (an OFFSET would rescan everything before it).

import type { SQLInputValue } from 'node:sqlite';
import { invalidField } from '../api-error.ts';
import type { StoreConnection } from './store-connection.ts';
import { filterConditions, TRANSACTIONS_FROM, type TransactionFilter } from './transaction-filter.ts';

export interface TransactionSummary {
  id: string;
  /** Monotonic position in the store (its rowid): the live tail's event id. */
  seq: number;
  connectionId: string;
  time: string;
  direction: string | null;
  method: string | null;
  url: string | null;
  host: string | null;
  path: string | null;
  status: number | null;
  durationMs: number | null;
  processId: number | null;
  processExe: string | null;
  containerId: string | null;
  bytesSent: number | null;
  bytesReceived: number | null;
  contentType: string | null;
  userAgent: string | null;
  /** The agent that posted this transaction's events to the server; null for the local store's own. */
  agentId: string | null;
  agentName: string | null;
}

export interface SummaryRow {
  seq: number;
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
  container_id: string | null;
  bytes_sent: number | null;
  bytes_received: number | null;
  content_type: string | null;
  agent: string | null;
  agent_id: string | null;
  agent_name: string | null;
}

export const SUMMARY_COLUMNS =
  't.rowid AS seq, t.id, t.connection_id, t.time_ms, t.direction, t.method, t.url, t.host, t.path, t.status, t.duration_ms, t.process_id, t.process_exe, x.container_id, t.bytes_sent, t.bytes_received, t.content_type, t.agent, a.agent_id, a.agent_name';

export function summaryOf(r: SummaryRow): TransactionSummary {
  return {
    id: r.id,
    seq: r.seq,
    connectionId: r.connection_id,
    time: new Date(r.time_ms).toISOString(),
    direction: r.direction,
    method: r.method,
    url: r.url,
    host: r.host,
    path: r.path,
    status: r.status,
    durationMs: r.duration_ms,
    processId: r.process_id,
    processExe: r.process_exe,
    containerId: r.container_id,
    bytesSent: r.bytes_sent,
    bytesReceived: r.bytes_received,
    contentType: r.content_type,
    userAgent: r.agent,
    agentId: r.agent_id,
    agentName: r.agent_name,
  };
}

interface Cursor {
  timeMs: number;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.timeMs, c.id])).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && typeof v[1] === 'string') return { timeMs: v[0] as number, id: v[1] };
  } catch {
    // reported below
  }
  throw invalidField('querystring.cursor', 'is not a cursor this server returned (pass nextCursor back unchanged)');
}

export interface TransactionPage {
  items: TransactionSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export function listTransactions(conn: StoreConnection, filter: TransactionFilter, page: { limit: number; cursor?: string }): TransactionPage {
  const cursor = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  if (!conn.attached) return { items: [], nextCursor: null };
  const params: SQLInputValue[] = [];
  const where = filterConditions(filter, params);
  if (cursor !== undefined) {
    where.push('(t.time_ms < ? OR (t.time_ms = ? AND t.id < ?))');
    params.push(cursor.timeMs, cursor.timeMs, cursor.id);
  }
  params.push(page.limit + 1);
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM ${TRANSACTIONS_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY t.time_ms DESC, t.id DESC LIMIT ?`;
  const rows = conn.db.prepare(sql).all(...params) as unknown as SummaryRow[];
  const more = rows.length > page.limit;
  const items = rows.slice(0, page.limit).map(summaryOf);
  const last = rows[page.limit - 1];
  return { items, nextCursor: more && last !== undefined ? encodeCursor({ timeMs: last.time_ms, id: last.id }) : null };
}

/** One transaction's summary row by exact id (with its index columns), or undefined. */
export function summaryById(conn: StoreConnection, id: string): TransactionSummary | undefined {
  if (!conn.attached) return undefined;
  const row = conn.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM ${TRANSACTIONS_FROM} WHERE t.id = ?`).get(id) as SummaryRow | undefined;
  return row === undefined ? undefined : summaryOf(row);
}
