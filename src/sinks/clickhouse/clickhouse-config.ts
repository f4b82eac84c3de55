// cleartap's `clickhouse` event store entry (not a Qtap type):
//   url        the HTTP interface, default http://localhost:8123
//   database   default "cleartap" (created when missing)
//   table      default "events" (created when missing: event-table.ts)
//   username, password   ValueSources ({type: text|env, value}) or strings; default user "default", no password
//   ttl        optional retention such as 30d (ClickHouse 19.6 or newer)
//   batch_size       most events in one INSERT, default 5000
//   flush_interval   how long a small batch waits for more before it is inserted, default 1s (ClickHouse
//                    prefers fewer, larger inserts: each one is a part to merge)

import { asObject, configError, readDuration, readSecret, readString, type ConfigObject } from '../store-config.ts';
import type { EventTable } from './event-table.ts';

export interface ClickHouseSettings extends EventTable {
  url: string;
  username: string;
  password: string;
  batchSize: number;
  flushIntervalMs: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function readClickHouseSettings(raw: unknown, where: string, env: NodeJS.ProcessEnv): ClickHouseSettings {
  const cfg: ConfigObject = asObject(raw, where);
  const url = readString(cfg, 'url', where) ?? 'http://localhost:8123';
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw configError(where, `url "${url}" is not an http(s) URL`, 'give the HTTP interface, e.g. http://127.0.0.1:8123');
  }
  const database = readString(cfg, 'database', where) ?? 'cleartap';
  const table = readString(cfg, 'table', where) ?? 'events';
  for (const [key, name] of [['database', database], ['table', table]] as const) {
    if (!IDENTIFIER.test(name)) throw configError(where, `${key} "${name}" must be letters, digits and _ (not starting with a digit)`);
  }
  return {
    url,
    database,
    table,
    username: readSecret(cfg, 'username', where, env) ?? 'default',
    password: readSecret(cfg, 'password', where, env) ?? '',
    ttlMs: readDuration(cfg, 'ttl', where),
    batchSize: readBatchSize(cfg, where),
    flushIntervalMs: readDuration(cfg, 'flush_interval', where) ?? 1000,
  };
}

function readBatchSize(cfg: ConfigObject, where: string): number {
  const v = cfg.batch_size ?? 5000;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw configError(where, `batch_size must be a positive integer (got ${JSON.stringify(v)})`);
  return v;
}
