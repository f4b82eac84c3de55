// How the server reaches the local store: one SQLite connection to its own index database
// (<data-dir>/server/store-index.db) with the store's database ATTACHed read-only as `store`, so that a query can
// join the store's transactions with what the index adds (container ids) — and SQLite refuses any write to the
// store through it. The store's object files are read through the store's own reader (LocalStoreReader).
//
// The store may not exist yet when the server starts (no agent has run); every use tries to attach it again,
// which costs one stat() until it appears.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../../core/logger.ts';
import { LocalStoreReader } from '../../sinks/index.ts';

/** The local store's database file (sinks/local/database.ts DATABASE_FILE; the e2e tests attach the real one). */
export const STORE_DATABASE_FILE = 'cleartap.db';
export const INDEX_FILE = 'store-index.db';

const INDEX_SCHEMA = `
CREATE TABLE IF NOT EXISTS index_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tx_extra (
  id TEXT PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  container_id TEXT,
  remote TEXT,
  tls_sni TEXT
);
CREATE INDEX IF NOT EXISTS tx_extra_container ON tx_extra(container_id);
CREATE INDEX IF NOT EXISTS tx_extra_time ON tx_extra(time_ms);
`;

export class StoreConnection {
  readonly storeDir: string;
  readonly #db: DatabaseSync;
  readonly #log: Logger;
  #attached = false;
  #reader: LocalStoreReader | undefined;

  constructor(storeDir: string, stateDir: string, log: Logger) {
    this.storeDir = storeDir;
    this.#log = log;
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    this.#db = new DatabaseSync(join(stateDir, INDEX_FILE), { timeout: 5000 });
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    this.#db.exec(INDEX_SCHEMA);
    // The index belongs to one store: pointed at another, it starts over.
    const known = this.indexState('store_dir');
    if (known !== storeDir) {
      this.#db.exec('DELETE FROM tx_extra; DELETE FROM index_state;');
      this.setIndexState('store_dir', storeDir);
    }
  }

  /** The connection, with the store attached when it exists (check `attached`). */
  get db(): DatabaseSync {
    this.attach();
    return this.#db;
  }

  get attached(): boolean {
    return this.attach();
  }

  attach(): boolean {
    if (this.#attached) return true;
    const file = join(this.storeDir, STORE_DATABASE_FILE);
    if (!existsSync(file)) return false;
    try {
      this.#db.prepare('ATTACH DATABASE ? AS store').run(`${pathToFileURL(file).href}?mode=ro`);
      // A store the agent has only just created may not have its tables yet.
      this.#db.prepare('SELECT 1 FROM store.transactions LIMIT 1').get();
      this.#db.prepare('SELECT 1 FROM store.artifacts LIMIT 1').get();
      this.#db.prepare('SELECT 1 FROM store.transaction_agents LIMIT 1').get();
      this.#attached = true;
      this.#log.info({ store: this.storeDir }, 'control plane: reading the local store');
    } catch (err) {
      try {
        this.#db.exec('DETACH DATABASE store');
      } catch {
        // it was not attached
      }
      this.#log.debug({ err, store: this.storeDir }, 'control plane: the local store cannot be read yet');
    }
    return this.#attached;
  }

  /** The store's reader for objects; undefined while there is no store. */
  reader(): LocalStoreReader | undefined {
    if (this.#reader === undefined && this.attach()) this.#reader = LocalStoreReader.open(this.storeDir);
    return this.#reader;
  }

  indexState(key: string): string | undefined {
    return (this.#db.prepare('SELECT value FROM index_state WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setIndexState(key: string, value: string): void {
    this.#db.prepare('INSERT INTO index_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  close(): void {
    this.#reader?.close();
    this.#reader = undefined;
    this.#db.close();
  }
}
