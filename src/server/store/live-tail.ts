// The live tail behind GET /api/v1/transactions/stream: new transactions as the store receives them, through each
// subscriber's own filter. The store's transactions table is followed by rowid (insertion order): each poll reads
// max(rowid), an index lookup. A row is handed out only once it has settled — seen at least settleMs ago — because
// a transaction's row is written by whichever of its event and its record arrives first and completed by the
// other; the filters (process, container, status) need both. Each subscriber then reads its slice of settled
// rowids with its filter in SQL, so a tail costs nothing for rows it does not want.

import type { SQLInputValue } from 'node:sqlite';
import type { StoreConnection } from './store-connection.ts';
import { filterConditions, TRANSACTIONS_FROM, type TransactionFilter } from './transaction-filter.ts';
import { SUMMARY_COLUMNS, summaryOf, type SummaryRow, type TransactionSummary } from './transaction-list.ts';

const BATCH = 500;

interface Subscriber {
  filter: TransactionFilter;
  cursor: number;
  send: (rows: TransactionSummary[]) => void;
}

export class LiveTail {
  readonly #conn: StoreConnection;
  readonly #settleMs: number;
  readonly #subscribers = new Set<Subscriber>();
  /** (when, max rowid then), oldest first: what has settled is the newest mark at least settleMs old. */
  #marks: Array<{ at: number; max: number }> = [];

  constructor(conn: StoreConnection, settleMs: number) {
    this.#conn = conn;
    this.#settleMs = settleMs;
  }

  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** The newest rowid in the store (0 when there is none). */
  head(): number {
    if (!this.#conn.attached) return 0;
    return (this.#conn.db.prepare('SELECT coalesce(max(rowid), 0) AS m FROM store.transactions').get() as { m: number }).m;
  }

  /** Rows after `from` (a seq the client saw last), else after the newest now, reach `send`; returns the unsubscribe. */
  subscribe(filter: TransactionFilter, from: number | undefined, send: (rows: TransactionSummary[]) => void): () => void {
    const head = this.head();
    const sub: Subscriber = { filter, cursor: from !== undefined && from <= head ? from : head, send };
    this.#subscribers.add(sub);
    return () => {
      this.#subscribers.delete(sub);
      if (this.#subscribers.size === 0) this.#marks = [];
    };
  }

  step(now = Date.now()): void {
    if (this.#subscribers.size === 0) return;
    const head = this.head();
    this.#marks.push({ at: now, max: head });
    let settled = -1;
    while (this.#marks.length > 0 && this.#marks[0].at <= now - this.#settleMs) settled = (this.#marks.shift() as { max: number }).max;
    // Keep the newest settled mark for the next round (nothing newer may settle before it).
    if (settled >= 0) this.#marks.unshift({ at: now - this.#settleMs, max: settled });
    if (settled < 0) return;
    for (const sub of [...this.#subscribers]) {
      if (sub.cursor > head) sub.cursor = head; // the store was emptied and rowids began again
      if (sub.cursor >= settled) continue;
      const params: SQLInputValue[] = [sub.cursor, settled];
      const where = ['t.rowid > ?', 't.rowid <= ?', ...filterConditions(sub.filter, params)];
      params.push(BATCH);
      const rows = this.#conn.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM ${TRANSACTIONS_FROM} WHERE ${where.join(' AND ')} ORDER BY t.rowid LIMIT ?`).all(...params) as unknown as SummaryRow[];
      sub.cursor = rows.length === BATCH ? rows[rows.length - 1].seq : settled;
      if (rows.length > 0) sub.send(rows.map(summaryOf));
    }
  }
}
