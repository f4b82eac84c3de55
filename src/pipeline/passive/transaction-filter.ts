// The NTA's transaction filters: keep only responses whose status matches INVICTI_TAP_HTTP_STATUS_CODES, and
// drop any transaction carrying a header named in INVICTI_TAP_EXCLUDE_TRAFFIC_WITH_HEADERS (request or response).
import type { HeaderList, Transaction } from '../../core/transaction.ts';
import type { StatusCodeSet } from './status-codes.ts';

export interface FilterCounters {
  /** Transactions whose status (or lack of a response) is not in the list. */
  statusFiltered: number;
  /** Transactions carrying an excluded header. */
  headerFiltered: number;
  passed: number;
}

export class TransactionFilter {
  readonly counters: FilterCounters = { statusFiltered: 0, headerFiltered: 0, passed: 0 };
  private readonly statuses: StatusCodeSet;
  /** Excluded names, lower case, by length: most header names are rejected on their length alone. */
  private readonly excluded = new Map<number, string[]>();

  constructor(statuses: StatusCodeSet, excludedHeaders: readonly string[]) {
    this.statuses = statuses;
    for (const name of excludedHeaders) {
      const lower = name.toLowerCase();
      const list = this.excluded.get(lower.length) ?? [];
      list.push(lower);
      this.excluded.set(lower.length, list);
    }
  }

  /** The transactions of a batch that pass, in order (the batch itself when all do). */
  apply(batch: Transaction[]): Transaction[] {
    let kept: Transaction[] | undefined;
    for (let i = 0; i < batch.length; i++) {
      const tx = batch[i];
      const keep = this.keep(tx);
      if (!keep && kept === undefined) kept = batch.slice(0, i);
      else if (keep && kept !== undefined) kept.push(tx);
    }
    return kept ?? batch;
  }

  private keep(tx: Transaction): boolean {
    if (!this.statuses.has(tx.response?.status)) {
      this.counters.statusFiltered++;
      return false;
    }
    if (this.excluded.size > 0 && (this.carries(tx.request.headers) || (tx.response !== undefined && this.carries(tx.response.headers)))) {
      this.counters.headerFiltered++;
      return false;
    }
    this.counters.passed++;
    return true;
  }

  private carries(headers: HeaderList): boolean {
    for (const [name] of headers) {
      const candidates = this.excluded.get(name.length);
      if (candidates !== undefined && candidates.includes(name.toLowerCase())) return true;
    }
    return false;
  }
}
