// Moves records from a spool to a store, in order, in the background: read a batch, write it, commit it; when
// the write fails, wait (backoff.ts) and write the same batch again, for as long as it takes. The spool holds
// everything meanwhile, so a store that is down or slow never holds up capture.
//
// A store that refuses records for good (CT_ERR_STORE_REJECTED) gets them again one at a time, so one bad record
// costs only itself: it is dropped and counted. Outages are logged when they start, every minute while they last
// and when they end.

import { CleartapError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { abortableSleep, backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { recordId, type Spool } from './spool.ts';

export interface SpoolRecord {
  /** Stable across restarts: the spool's id and the record's sequence number. */
  id: string;
  seq: number;
  payload: Uint8Array;
}

export interface DeliveryTarget {
  /**
   * Writes the records, or throws. `maybeDelivered`: an earlier attempt (or the process before a restart) may
   * have written some of them already, so a store that can should skip those.
   */
  write(records: readonly SpoolRecord[], maybeDelivered: boolean): Promise<void>;
}

export interface DeliveryOptions {
  spool: Spool;
  target: DeliveryTarget;
  name: string;
  log: Logger;
  maxBatchRecords?: number;
  maxBatchBytes?: number;
  /** When a read returns less than a full batch, wait this long for more (stores that want few, large writes). */
  lingerMs?: number;
  backoff?: BackoffOptions;
}

export interface DeliveryCounters {
  written: number;
  /** Records written again after a failed attempt. */
  retried: number;
  failed_attempts: number;
  dropped_rejected: number;
  /** Gauges: records handed to the store and not yet confirmed; 1 while the store answers, 0 during an outage. */
  in_flight: number;
  up: number;
}

const OUTAGE_REMINDER_MS = 60_000;

export class Delivery {
  readonly #o: Required<DeliveryOptions>;
  readonly #abort = new AbortController();
  readonly #c: DeliveryCounters = { written: 0, retried: 0, failed_attempts: 0, dropped_rejected: 0, in_flight: 0, up: 1 };
  #loop: Promise<void> | undefined;
  #outage: { since: number; lastLog: number; attempts: number } | undefined;

  constructor(options: DeliveryOptions) {
    this.#o = { maxBatchRecords: 500, maxBatchBytes: 4 * 1024 * 1024, lingerMs: 0, backoff: DEFAULT_BACKOFF, ...options };
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  counters(): Readonly<DeliveryCounters> {
    return { ...this.#c };
  }

  /** True once every record spooled so far has been delivered (or dropped). */
  idle(): boolean {
    return this.#c.in_flight === 0 && this.#o.spool.counters().unread === 0;
  }

  /** Stops reading and retrying; a write under way may finish until the deadline, then is left to the next start. */
  async stop(deadlineMs: number): Promise<void> {
    this.#abort.abort();
    if (this.#loop === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#loop, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()))))]);
    clearTimeout(timer);
  }

  async #run(): Promise<void> {
    const { spool, maxBatchRecords, maxBatchBytes, lingerMs } = this.#o;
    const signal = this.#abort.signal;
    for (;;) {
      let frames = await spool.read(maxBatchRecords, maxBatchBytes, signal);
      if (frames.length === 0) return;
      if (lingerMs > 0 && frames.length < maxBatchRecords) {
        await abortableSleep(lingerMs, signal);
        if (!signal.aborted && spool.counters().unread > 0) frames = frames.concat(await spool.read(maxBatchRecords - frames.length, maxBatchBytes, signal));
      }
      const records = frames.map((f) => ({ id: recordId(spool.id, f.seq), seq: f.seq, payload: f.payload }));
      this.#c.in_flight = records.length;
      const done = await this.#deliver(records, records[0].seq < spool.replayEndSeq);
      this.#c.in_flight = 0;
      if (!done) return;
    }
  }

  // Resolves false when stopped before the records were written: they stay in the spool for the next start.
  async #deliver(records: SpoolRecord[], replayed: boolean): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#o.target.write(records, replayed || attempt > 0);
        this.#recovered();
        this.#c.written += records.length;
        this.#o.spool.commit(records[records.length - 1].seq + 1);
        return true;
      } catch (err) {
        if (err instanceof CleartapError && err.code === 'CT_ERR_STORE_REJECTED') return this.#deliverEach(records, replayed, err);
        this.#c.failed_attempts++;
        this.#failed(err, attempt);
        await abortableSleep(backoffDelay(attempt, this.#o.backoff), this.#abort.signal);
        if (this.#abort.signal.aborted) return false;
        this.#c.retried += records.length;
      }
    }
  }

  async #deliverEach(records: SpoolRecord[], replayed: boolean, err: CleartapError): Promise<boolean> {
    if (records.length > 1) {
      for (const r of records) if (!(await this.#deliver([r], replayed))) return false;
      return true;
    }
    this.#c.dropped_rejected++;
    this.#o.log.error({ store: this.#o.name, err: err.message, record: records[0].id }, `${this.#o.name}: the store refused a record; dropped`);
    this.#o.spool.commit(records[0].seq + 1);
    return true;
  }

  #failed(err: unknown, attempt: number): void {
    const now = Date.now();
    const fields = () => ({
      store: this.#o.name,
      err: err instanceof Error ? err.message : String(err),
      ...(err instanceof CleartapError && { code: err.code, hint: err.hint }),
      unread: this.#o.spool.counters().unread,
      attempt,
    });
    if (this.#outage === undefined) {
      this.#outage = { since: now, lastLog: now, attempts: 1 };
      this.#c.up = 0;
      this.#o.log.warn(fields(), `${this.#o.name}: store unavailable; records stay in the spool and are retried`);
      return;
    }
    this.#outage.attempts++;
    if (now - this.#outage.lastLog >= OUTAGE_REMINDER_MS) {
      this.#outage.lastLog = now;
      this.#o.log.warn({ ...fields(), down_ms: now - this.#outage.since }, `${this.#o.name}: store still unavailable`);
    }
  }

  #recovered(): void {
    if (this.#outage === undefined) return;
    this.#o.log.info(
      { store: this.#o.name, down_ms: Date.now() - this.#outage.since, attempts: this.#outage.attempts, unread: this.#o.spool.counters().unread },
      `${this.#o.name}: store is back; delivering the spool`,
    );
    this.#outage = undefined;
    this.#c.up = 1;
  }
}
