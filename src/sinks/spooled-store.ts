// Every store except stdout sits behind a durable spool (spool/): put()/submit() only frame the item into the
// spool, and a background delivery hands it to the backend (local, S3, ClickHouse) for as long as that takes.
//
// flush() resolves once what was put is on disk in the spool (durable; it does not wait for a store that may be
// down for hours). close() stops taking items, then lets delivery run until the spool is empty or the deadline
// passes; whatever is left stays in the spool and goes first after the next start.

import type { Logger } from '../core/logger.ts';
import { decodeArtifact, decodeEvent, encodeArtifact, encodeEvent, type SpooledArtifact, type SpooledEvent } from './record-codecs.ts';
import { Delivery, Spool, type BackoffOptions, type DeliveryCounters, type SpoolCounters, type SpoolOptions } from './spool/index.ts';
import type { Artifact, EventStore, ObjectStore, StoreEvent } from '../core/stores.ts';

export type StoreCounters = Omit<SpoolCounters, 'bytes' | 'unread' | 'write_errors'> &
  Omit<DeliveryCounters, 'in_flight'> & {
    /** Items that could not be encoded into a spool record. */
    dropped_invalid: number;
    spool_write_errors: number;
    /** Gauges: bytes in the spool; records spooled and not yet delivered (or dropped). */
    spool_bytes: number;
    backlog: number;
  };

/** What a spooled store's owner (the pipeline, /metrics, tests) sees beyond the plugin-facing contract. */
export interface StoreControl {
  /** e.g. "object_store.s3": the label for metrics and logs. */
  readonly name: string;
  counters(): StoreCounters;
  /** Resolves true once everything put so far reached the store, false when timeoutMs passed first. */
  whenDelivered(timeoutMs: number): Promise<boolean>;
}

export interface SpooledObjectStore extends ObjectStore, StoreControl {}
export interface SpooledEventStore extends EventStore, StoreControl {}

export interface ObjectBackend {
  write(items: readonly SpooledArtifact[], maybeDelivered: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface EventBackend {
  write(items: readonly SpooledEvent[], maybeDelivered: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface DeliveryTuning {
  maxBatchRecords?: number;
  maxBatchBytes?: number;
  lingerMs?: number;
  backoff?: BackoffOptions;
}

export interface SpooledStoreOptions {
  name: string;
  log: Logger;
  spool: Omit<SpoolOptions, 'log' | 'name'>;
  delivery?: DeliveryTuning;
  /** How long close() lets delivery empty the spool; default 5 s. */
  closeTimeoutMs?: number;
}

const POLL_MS = 20;

interface SpooledCore<T> extends StoreControl {
  add(item: T): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

function createSpooledCore<T>(
  options: SpooledStoreOptions,
  encode: (item: T) => Uint8Array,
  write: (records: readonly { id: string; payload: Uint8Array }[], maybeDelivered: boolean) => Promise<void>,
  closeBackend: () => Promise<void>,
): SpooledCore<T> {
  const { name, log } = options;
  const spool = new Spool({ ...options.spool, name, log });
  const delivery = new Delivery({ ...options.delivery, spool, name, log, target: { write } });
  delivery.start();
  let droppedInvalid = 0;
  let closing: Promise<void> | undefined;

  const whenDelivered = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    await spool.flushed();
    while (!delivery.idle()) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return true;
  };

  return {
    name,
    add(item) {
      let payload: Uint8Array;
      try {
        payload = encode(item);
      } catch (err) {
        droppedInvalid++;
        log.error({ store: name, err }, `${name}: an item could not be encoded for the spool; dropped`);
        return;
      }
      spool.append(payload);
    },
    flush: () => spool.flushed(),
    whenDelivered,
    counters() {
      const { bytes, unread, write_errors, ...s } = spool.counters();
      const { in_flight, ...d } = delivery.counters();
      return { ...s, ...d, dropped_invalid: droppedInvalid, spool_write_errors: write_errors, spool_bytes: bytes, backlog: unread + in_flight };
    },
    close() {
      closing ??= (async () => {
        const timeoutMs = options.closeTimeoutMs ?? 5000;
        const deadline = Date.now() + timeoutMs;
        await whenDelivered(timeoutMs);
        await delivery.stop(deadline);
        await spool.close();
        await closeBackend();
      })();
      return closing;
    },
  };
}

export function createSpooledObjectStore(backend: ObjectBackend, options: SpooledStoreOptions): SpooledObjectStore {
  const core = createSpooledCore<Artifact>(
    options,
    encodeArtifact,
    (records, maybe) => backend.write(records.map((r) => decodeArtifact(r.id, r.payload)), maybe),
    () => backend.close(),
  );
  const { add, ...rest } = core;
  return { ...rest, put: add };
}

export function createSpooledEventStore(backend: EventBackend, options: SpooledStoreOptions): SpooledEventStore {
  const core = createSpooledCore<StoreEvent>(
    options,
    encodeEvent,
    (records, maybe) => backend.write(records.map((r) => decodeEvent(r.id, r.payload)), maybe),
    () => backend.close(),
  );
  const { add, ...rest } = core;
  return { ...rest, submit: add };
}
