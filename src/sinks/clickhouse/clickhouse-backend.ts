// Events to ClickHouse over its HTTP interface (@clickhouse/client): the database and table are created on the
// first write (and again if someone drops them), then each delivered batch is one INSERT ... FORMAT JSONEachRow,
// which ClickHouse applies whole or not at all.
//
// When a batch may have landed already (a retry after a timeout, or a replay after a restart), the ids already in
// the table are looked up first and skipped, so a retry does not duplicate rows. The lookup is a literal IN list
// bounded by the batch's time range: ClickHouse 18.16 has no query parameters.

import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { CleartapError, errorCode } from '../../core/errors.ts';
import type { EventBackend } from '../spooled-store.ts';
import type { ClickHouseSettings } from './clickhouse-config.ts';
import { createStatements, eventRow, qualifiedName, stringLiteral, type EventRow } from './event-table.ts';

export interface ClickHouseBackend extends EventBackend {
  /** Resolves once the server answers, takes our credentials and has the table; rejects with CT_ERR_STORE(_AUTH). */
  verify(): Promise<void>;
}

// UNKNOWN_USER, WRONG_PASSWORD, REQUIRED_PASSWORD, AUTHENTICATION_FAILED (newer servers).
const AUTH_CODES = new Set([192, 193, 194, 516]);
// UNKNOWN_TABLE, UNKNOWN_DATABASE: the table went away after we created it.
const MISSING_TABLE_CODES = new Set([60, 81]);

/** The server's error code: the client's `code` on newer servers, the "Code: N" of the message on older ones. */
function serverCode(err: unknown): number | undefined {
  const code = Number(errorCode(err));
  if (Number.isInteger(code)) return code;
  const m = /Code: (\d+)/.exec(err instanceof Error ? err.message : '');
  return m === null ? undefined : Number(m[1]);
}

export function clickHouseError(err: unknown, s: ClickHouseSettings, action: string): CleartapError {
  const code = serverCode(err);
  const message = err instanceof Error ? err.message.split(', e.what()')[0] : String(err);
  const where = `ClickHouse ${s.url} (${s.database}.${s.table})`;
  if (code !== undefined && AUTH_CODES.has(code)) {
    return new CleartapError('CT_ERR_STORE_AUTH', `${where}: ${action}: the server refused user ${s.username}: ${message}`, 'check username and password', { cause: err });
  }
  const network = errorCode(err);
  return new CleartapError(
    'CT_ERR_STORE',
    `${where}: ${action} failed: ${message}${code === undefined && network !== undefined && !message.includes(network) ? ` (${network})` : ''}`,
    code === undefined ? 'is the server up and is url its HTTP interface (port 8123 by default)?' : undefined,
    { cause: err },
  );
}

export function createClickHouseBackend(s: ClickHouseSettings, options: { requestTimeoutMs?: number } = {}): ClickHouseBackend {
  const client = createClient({
    url: s.url,
    username: s.username,
    password: s.password,
    application: 'cleartap',
    request_timeout: options.requestTimeoutMs ?? 30_000,
    compression: { request: false, response: false },
    // Failures come back to the spool's delivery, which logs them once per outage; the client would log each.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const table = qualifiedName(s);
  let ready: Promise<void> | undefined;

  const ensureTable = () =>
    (ready ??= (async () => {
      for (const query of createStatements(s)) await client.command({ query });
    })().catch((err: unknown) => {
      ready = undefined;
      throw clickHouseError(err, s, 'creating the table');
    }));

  const withoutPresent = async (rows: EventRow[]): Promise<EventRow[]> => {
    const times = rows.map((r) => r.timestamp);
    const query = `SELECT event_id FROM ${table} WHERE timestamp BETWEEN toDateTime(${Math.min(...times)}) AND toDateTime(${Math.max(...times)})
      AND event_id IN (${rows.map((r) => stringLiteral(r.event_id)).join(', ')})`;
    let present: Set<string>;
    try {
      const result = await client.query({ query, format: 'JSONEachRow' });
      present = new Set((await result.json<{ event_id: string }>()).map((r) => r.event_id));
    } catch (err) {
      throw clickHouseError(err, s, 'looking up a retried batch');
    }
    return rows.filter((r) => !present.has(r.event_id));
  };

  return {
    async write(items, maybeDelivered) {
      await ensureTable();
      let rows = items.map(eventRow);
      if (maybeDelivered) rows = await withoutPresent(rows);
      if (rows.length === 0) return;
      try {
        await client.insert({ table, values: rows, format: 'JSONEachRow' });
      } catch (err) {
        const code = serverCode(err);
        if (code !== undefined && MISSING_TABLE_CODES.has(code)) ready = undefined;
        throw clickHouseError(err, s, 'INSERT');
      }
    },
    async verify() {
      try {
        await client.command({ query: 'SELECT 1' });
      } catch (err) {
        throw clickHouseError(err, s, 'connecting');
      }
      await ensureTable();
    },
    async close() {
      await client.close();
    },
  };
}
