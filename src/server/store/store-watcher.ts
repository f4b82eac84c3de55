// One loop follows the local store for the whole server: every interval it indexes new records (store-index.ts)
// and feeds the live tails (live-tail.ts). While the index has a backlog (a large store met for the first time),
// slices of indexing follow each other at once, yielding to requests in between.

import type { Logger } from '../../core/logger.ts';
import type { LiveTail } from './live-tail.ts';
import type { StoreIndexer } from './store-index.ts';

const INDEX_SLICE_MS = 20;

export class StoreWatcher {
  readonly #indexer: StoreIndexer;
  readonly #tail: LiveTail;
  readonly #log: Logger;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #lastError = 0;

  constructor(indexer: StoreIndexer, tail: LiveTail, log: Logger, intervalMs: number) {
    this.#indexer = indexer;
    this.#tail = tail;
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#timer = setInterval(() => this.tick(), this.#intervalMs);
    this.#timer.unref();
    this.tick();
  }

  /** One round: index what is new (continuing at once while there is more), then feed the tails. */
  tick(): void {
    try {
      const { backlog } = this.#indexer.step(INDEX_SLICE_MS);
      this.#tail.step();
      if (backlog && this.#immediate === undefined && this.#timer !== undefined) {
        this.#immediate = setImmediate(() => {
          this.#immediate = undefined;
          this.tick();
        });
      }
    } catch (err) {
      // A store being replaced or a disk error: say so at most every 30 s, and keep following.
      if (Date.now() - this.#lastError > 30_000) {
        this.#lastError = Date.now();
        this.#log.error({ err }, 'control plane: following the local store failed (retrying)');
      }
    }
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }
}
