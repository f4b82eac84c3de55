// The server's index over the local store: what the store's transactions table does not keep but the filters
// need — the container id, the remote address and the TLS server name, all in each transaction's http_capture
// record (the object's `cleartap` extension). It follows the store's artifacts table by rowid (append order), so
// each record is read once, and a record that arrives after its transaction's event still gets indexed. Work
// is done in slices of a few milliseconds; the caller runs the next slice at once while there is a backlog.

import type { Logger } from '../../core/logger.ts';
import type { LocalStoreReader } from '../../sinks/index.ts';
import type { StoreConnection } from './store-connection.ts';

const BATCH = 128;
const CURSOR_KEY = 'artifact_rowid';
const PRUNE_EVERY_MS = 10 * 60_000;

interface RecordExtension {
  container_id?: unknown;
  remote?: unknown;
  tls_sni?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export interface IndexProgress {
  indexed: number;
  /** More is waiting: run the next slice without waiting for the timer. */
  backlog: boolean;
}

export class StoreIndexer {
  readonly #conn: StoreConnection;
  readonly #log: Logger;
  #cursor: number;
  #prunedAt = 0;
  #total = 0;

  constructor(conn: StoreConnection, log: Logger) {
    this.#conn = conn;
    this.#log = log;
    this.#cursor = Number(conn.indexState(CURSOR_KEY) ?? 0);
  }

  /** Records indexed since the server started. */
  get total(): number {
    return this.#total;
  }

  /** Indexes new records for at most budgetMs. */
  step(budgetMs: number, now = Date.now()): IndexProgress {
    if (!this.#conn.attached) return { indexed: 0, backlog: false };
    const db = this.#conn.db;
    const reader = this.#conn.reader();
    if (reader === undefined) return { indexed: 0, backlog: false };
    const max = (db.prepare('SELECT coalesce(max(rowid), 0) AS m FROM store.artifacts').get() as { m: number }).m;
    if (max < this.#cursor) {
      // Retention emptied the table and rowids started again: index from the start (upserts make it idempotent).
      this.#log.info({ cursor: this.#cursor, max }, 'control plane: the local store was emptied; re-indexing');
      this.#cursor = 0;
    }
    const select = db.prepare("SELECT rowid AS seq, transaction_id, time_ms FROM store.artifacts WHERE rowid > ? AND type = 'http_transaction' ORDER BY rowid LIMIT ?");
    const upsert = db.prepare(
      `INSERT INTO tx_extra (id, time_ms, container_id, remote, tls_sni) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET container_id = coalesce(excluded.container_id, container_id), remote = coalesce(excluded.remote, remote), tls_sni = coalesce(excluded.tls_sni, tls_sni)`,
    );
    const started = performance.now();
    let indexed = 0;
    let backlog = false;
    for (;;) {
      const rows = select.all(this.#cursor, BATCH) as { seq: number; transaction_id: string; time_ms: number }[];
      // One write transaction per batch: the index's WAL grows by a batch, not by a commit per row.
      db.exec('BEGIN');
      try {
        for (const row of rows) {
          const ext = this.#extension(this.#record(reader, row.transaction_id));
          upsert.run(row.transaction_id, row.time_ms, str(ext.container_id), str(ext.remote), str(ext.tls_sni));
          this.#cursor = row.seq;
          indexed++;
        }
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
      if (rows.length < BATCH) break;
      if (performance.now() - started > budgetMs) {
        backlog = true;
        break;
      }
    }
    if (indexed > 0) this.#conn.setIndexState(CURSOR_KEY, String(this.#cursor));
    this.#total += indexed;
    if (now - this.#prunedAt > PRUNE_EVERY_MS) {
      this.#prunedAt = now;
      db.prepare('DELETE FROM tx_extra WHERE time_ms < (SELECT coalesce(min(time_ms), 0) FROM store.transactions)').run();
    }
    return { indexed, backlog };
  }

  /** The transaction's http_capture record; undefined when retention took it between the two reads. */
  #record(reader: LocalStoreReader, id: string): Buffer | undefined {
    let detail: ReturnType<LocalStoreReader['show']>;
    try {
      detail = reader.show(id);
    } catch {
      return undefined; // its row is gone and the id is the start of several others: nothing to index
    }
    // Without its own row, show() may answer with another transaction whose id starts with this one.
    if (detail?.id !== id) return undefined;
    return detail.objects.find((o) => o.type === 'http_transaction')?.data;
  }

  #extension(data: Buffer | undefined): RecordExtension {
    if (data === undefined) return {};
    try {
      const record = JSON.parse(data.toString('utf8')) as { cleartap?: RecordExtension };
      return typeof record.cleartap === 'object' && record.cleartap !== null ? record.cleartap : {};
    } catch {
      return {}; // the text format: nothing to index
    }
  }
}
