// The ClickHouse table for events: one row per event, every kind in one table (event_type), typed columns for
// what people filter and group on, and the whole event as Qtap's JSON in `event` so nothing is lost.
//
// Kept to what ClickHouse 18.16 (Debian 12's package) already has: DateTime, not DateTime64 (the millisecond
// time is in `event`); String, not LowCardinality. TTL needs ClickHouse 19.6 or newer.
//
// ReplacingMergeTree with event_id last in the sort key: a row written twice (a retry whose first attempt did
// land after all) collapses at merge time; the backend also skips ids already present before a retry, so reads
// without FINAL see each event once. Events a gateway received carry their agent as two tags (sourceTags).

import { eventKeys, hostOf, timeMsOf } from '../event-fields.ts';
import type { SpooledEvent } from '../record-codecs.ts';

export interface EventTable {
  database: string;
  table: string;
  /** Rows older than this are removed by ClickHouse (TTL); undefined: kept. */
  ttlMs: number | undefined;
}

export interface EventRow {
  event_id: string;
  event_type: string;
  /** Seconds since the epoch. */
  timestamp: number;
  transaction_id: string;
  connection_id: string;
  endpoint_id: string;
  direction: string;
  method: string;
  url: string;
  host: string;
  path: string;
  status: number;
  duration_ms: number;
  content_type: string;
  category: string;
  agent: string;
  bytes_sent: number;
  bytes_received: number;
  tags: string[];
  error: string;
  artifact_type: string;
  digest: string;
  auth_token_type: string;
  auth_token_hash: string;
  event: string;
}

const COLUMNS: ReadonlyArray<readonly [keyof EventRow, string]> = [
  ['event_id', 'String'],
  ['event_type', 'String'],
  ['timestamp', 'DateTime'],
  ['transaction_id', 'String'],
  ['connection_id', 'String'],
  ['endpoint_id', 'String'],
  ['direction', 'String'],
  ['method', 'String'],
  ['url', 'String'],
  ['host', 'String'],
  ['path', 'String'],
  ['status', 'UInt16'],
  ['duration_ms', 'UInt32'],
  ['content_type', 'String'],
  ['category', 'String'],
  ['agent', 'String'],
  ['bytes_sent', 'UInt64'],
  ['bytes_received', 'UInt64'],
  ['tags', 'Array(String)'],
  ['error', 'String'],
  ['artifact_type', 'String'],
  ['digest', 'String'],
  ['auth_token_type', 'String'],
  ['auth_token_hash', 'String'],
  ['event', 'String'],
];

export const quoteIdentifier = (name: string) => `\`${name}\``;

export function qualifiedName(t: EventTable): string {
  return `${quoteIdentifier(t.database)}.${quoteIdentifier(t.table)}`;
}

function ttlInterval(ms: number): string {
  if (ms % 86_400_000 === 0) return `INTERVAL ${ms / 86_400_000} DAY`;
  if (ms % 3_600_000 === 0) return `INTERVAL ${ms / 3_600_000} HOUR`;
  return `INTERVAL ${Math.max(1, Math.round(ms / 1000))} SECOND`;
}

/** The statements that create the database (unless "default") and the table, each safe to run again. */
export function createStatements(t: EventTable): string[] {
  const statements = t.database === 'default' ? [] : [`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(t.database)}`];
  statements.push(
    [
      `CREATE TABLE IF NOT EXISTS ${qualifiedName(t)} (`,
      COLUMNS.map(([name, type]) => `  ${name} ${type}`).join(',\n'),
      ') ENGINE = ReplacingMergeTree()',
      'PARTITION BY toYYYYMM(timestamp)',
      'ORDER BY (host, timestamp, event_id)',
      ...(t.ttlMs !== undefined ? [`TTL timestamp + ${ttlInterval(t.ttlMs)}`] : []),
    ].join('\n'),
  );
  return statements;
}

const uint = (n: number, max: number) => (Number.isFinite(n) && n > 0 ? Math.min(Math.round(n), max) : 0);

/** The tags a gateway adds for the agent that sent an event: has(tags, 'cleartap.agent:web-1') finds its rows. */
function sourceTags(source: SpooledEvent['source']): string[] {
  return source === undefined ? [] : [`cleartap.agent_id:${source.agentId}`, `cleartap.agent:${source.agentName}`];
}

export function eventRow({ id, event, source }: SpooledEvent): EventRow {
  const keys = eventKeys(event);
  const row: EventRow = {
    event_id: id,
    event_type: event.type,
    timestamp: Math.floor(timeMsOf(keys.timestamp) / 1000),
    transaction_id: keys.transactionId,
    connection_id: keys.connectionId,
    endpoint_id: '',
    direction: '',
    method: '',
    url: keys.url,
    host: hostOf(keys.url),
    path: '',
    status: 0,
    duration_ms: 0,
    content_type: '',
    category: '',
    agent: '',
    bytes_sent: 0,
    bytes_received: 0,
    tags: [],
    error: '',
    artifact_type: '',
    digest: '',
    auth_token_type: '',
    auth_token_hash: '',
    event: JSON.stringify(event.item),
  };
  if (event.type === 'request') {
    const e = event.item;
    Object.assign(row, {
      endpoint_id: e.endpointId ?? '',
      direction: e.direction,
      method: e.method,
      path: e.path,
      status: uint(e.status, 65_535),
      duration_ms: uint(e.duration, 4_294_967_295),
      content_type: e.contentType,
      category: e.category,
      agent: e.agent,
      bytes_sent: uint(e.bytesSent, Number.MAX_SAFE_INTEGER),
      bytes_received: uint(e.bytesReceived, Number.MAX_SAFE_INTEGER),
      tags: e.tags,
      auth_token_type: e.authTokenType ?? '',
      auth_token_hash: e.authTokenHash ?? '',
    });
  } else if (event.type === 'dns') {
    // The name looked up is the host people filter on; the answer code goes where errors go.
    Object.assign(row, { host: event.item.name.toLowerCase(), error: event.item.rcode ?? '' });
  } else if (event.type === 'issue') {
    const e = event.item;
    Object.assign(row, { endpoint_id: e.meta.endpointId ?? '', direction: e.direction, method: e.method, path: e.path, status: uint(e.status, 65_535), tags: e.tags, error: e.error });
  } else {
    const e = event.item;
    Object.assign(row, { endpoint_id: e.meta.endpointId ?? '', artifact_type: e.type, digest: e.digest });
  }
  if (source !== undefined) row.tags = [...row.tags, ...sourceTags(source)];
  return row;
}

/** A ClickHouse string literal (18.16 has no query parameters). */
export function stringLiteral(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}
