// The local store's SQLite database (node:sqlite: built into Node, nothing to compile or download). WAL lets
// `cleartap query` read while the agent writes; synchronous=NORMAL syncs at checkpoints, not at every commit
// (the spool in front already holds what a crash could lose). Every table is keyed so that writing the same
// spool record twice changes nothing.
//
// transactions  one row per transaction, filled from its Request event and its http_transaction object,
//               whichever comes first; indexed for the filters of `cleartap query`
// events        every event as Qtap's JSON, by spool record id
// objects       one row per stored payload, shared by identical payloads: where it is in its pack
//               (pack-files.ts); rows without a pack are files of stores written before packs
//               (objects/<2 hex>/<sha1>.gz)
// artifacts     which objects belong to which transaction
// transaction_agents  which agent sent a transaction's events, for those a gateway (`cleartap serve`) received

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CleartapError } from '../../core/errors.ts';

export const DATABASE_FILE = 'cleartap.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS transactions (
  id TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL DEFAULT '',
  time_ms INTEGER NOT NULL,
  direction TEXT,
  method TEXT,
  url TEXT,
  host TEXT,
  path TEXT,
  status INTEGER,
  duration_ms INTEGER,
  process_id INTEGER,
  process_exe TEXT,
  bytes_sent INTEGER,
  bytes_received INTEGER,
  content_type TEXT,
  agent TEXT
);
CREATE INDEX IF NOT EXISTS transactions_time ON transactions(time_ms);
CREATE INDEX IF NOT EXISTS transactions_host ON transactions(host, time_ms);
CREATE INDEX IF NOT EXISTS transactions_status ON transactions(status, time_ms);
CREATE INDEX IF NOT EXISTS transactions_process ON transactions(process_exe, time_ms);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  transaction_id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_time ON events(time_ms);
CREATE INDEX IF NOT EXISTS events_transaction ON events(transaction_id);
CREATE TABLE IF NOT EXISTS objects (
  digest TEXT PRIMARY KEY,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  stored_size INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  pack TEXT,
  block_offset INTEGER,
  block_size INTEGER,
  offset INTEGER
);
CREATE INDEX IF NOT EXISTS objects_time ON objects(time_ms);
CREATE TABLE IF NOT EXISTS artifacts (
  transaction_id TEXT NOT NULL,
  type TEXT NOT NULL,
  digest TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  PRIMARY KEY (transaction_id, type, digest)
);
CREATE INDEX IF NOT EXISTS artifacts_time ON artifacts(time_ms);
CREATE INDEX IF NOT EXISTS artifacts_digest ON artifacts(digest);

CREATE TABLE IF NOT EXISTS transaction_agents (
  transaction_id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL,
  agent_name TEXT NOT NULL,
  time_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS transaction_agents_agent ON transaction_agents(agent_id);
CREATE INDEX IF NOT EXISTS transaction_agents_time ON transaction_agents(time_ms);
`;

export function openDatabase(dir: string, options: { readOnly?: boolean } = {}): DatabaseSync {
  const file = join(dir, DATABASE_FILE);
  try {
    if (options.readOnly === true) return new DatabaseSync(file, { readOnly: true, timeout: 5000 });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const db = new DatabaseSync(file, { timeout: 5000 });
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    db.exec(SCHEMA);
    addPackColumns(db);
    db.exec('CREATE INDEX IF NOT EXISTS objects_pack ON objects(pack)');
    return db;
  } catch (err) {
    throw new CleartapError(
      'CT_ERR_CONFIG',
      `local store: cannot open ${file}: ${(err as Error).message}`,
      options.readOnly === true ? 'is this the directory of a local store the agent has written to? (--dir)' : 'point the local store path at a writable directory',
      { cause: err },
    );
  }
}

/** A store written before packs has an objects table without their columns. */
function addPackColumns(db: DatabaseSync): void {
  const have = new Set((db.prepare('PRAGMA table_info(objects)').all() as { name: string }[]).map((c) => c.name));
  for (const [name, type] of [['pack', 'TEXT'], ['block_offset', 'INTEGER'], ['block_size', 'INTEGER'], ['offset', 'INTEGER']]) {
    if (!have.has(name)) db.exec(`ALTER TABLE objects ADD COLUMN ${name} ${type}`);
  }
}

/** Runs fn inside one transaction: all of its writes land, or none. */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
