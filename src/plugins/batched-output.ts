// Lines for stdout from the plugins (access logs, the stdout object store), gathered for one event-loop turn and
// written as one chunk: one write syscall per turn, not one per transaction. Writes go through the stdout sink's
// stream writer (backpressure, broken pipes). The queue is bounded: when stdout cannot keep up, new lines are
// dropped and counted rather than held without limit.

import { Buffer } from 'node:buffer';
import type { Writable } from 'node:stream';
import { createStreamWriter } from '../sinks/stdout/index.ts';

/** Bytes queued or being written before new lines are dropped. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export interface BatchedOutputCounters {
  /** Records handed to the stream. */
  records: number;
  bytes: number;
  /** Records dropped because MAX_QUEUED_BYTES were already waiting for the stream. */
  droppedBacklog: number;
  /** Records dropped because the stream had broken (EPIPE), failed or was closed. */
  droppedBroken: number;
  backpressureWaits: number;
  epipe: number;
  errors: number;
}

export interface BatchedOutput {
  /** Queues `chunk`; `records` is how many records it completes (0 for a separator). Never throws. */
  write(chunk: string | Uint8Array, records: number): void;
  /** Writes what is queued now; resolves once the stream has taken everything. Rejects on a stream error. */
  flush(): Promise<void>;
  /** flush(), then detach from the stream (which stays open). Later writes are dropped and counted. */
  close(): Promise<void>;
  counters(): Readonly<BatchedOutputCounters>;
}

export interface BatchedOutputOptions {
  /** Called with each stream error other than EPIPE (EPIPE only counts: a reader leaving is normal). */
  onError(err: unknown): void;
  /** Called with the number of records each time some are dropped (backlog full, stream broken, closed). */
  onDrop?(records: number): void;
  maxQueuedBytes?: number;
}

export function createBatchedOutput(stream: Writable, options: BatchedOutputOptions): BatchedOutput {
  const writer = createStreamWriter(stream);
  const max = options.maxQueuedBytes ?? MAX_QUEUED_BYTES;
  let pending: Array<string | Uint8Array> = [];
  let pendingRecords = 0;
  let pendingBytes = 0;
  /** Pending bytes plus those handed to the writer and not yet accepted by the stream. */
  let queuedBytes = 0;
  let droppedBacklog = 0;
  let droppedClosed = 0;
  let closed = false;
  let scheduled: NodeJS.Immediate | undefined;
  /** The writer's drop count already reported through onDrop. */
  let brokenReported = 0;
  const dropped = (records: number): void => {
    if (records > 0) options.onDrop?.(records);
  };
  const reportBroken = (): void => {
    const now = writer.counters().dropped;
    dropped(now - brokenReported);
    brokenReported = now;
  };

  const writePending = (): Promise<void> => {
    if (scheduled !== undefined) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending.length === 0) return Promise.resolve();
    const chunks = pending;
    const records = pendingRecords;
    const bytes = pendingBytes;
    pending = [];
    pendingRecords = 0;
    pendingBytes = 0;
    const done = writer.write(() => join(chunks), records);
    done.then(
      () => {
        queuedBytes -= bytes;
        reportBroken();
      },
      (err: unknown) => {
        queuedBytes -= bytes;
        reportBroken();
        options.onError(err);
      },
    );
    return done;
  };

  return {
    write(chunk, records) {
      const size = typeof chunk === 'string' ? chunk.length : chunk.byteLength;
      if (closed) {
        droppedClosed += records;
        dropped(records);
        return;
      }
      if (queuedBytes + size > max) {
        droppedBacklog += records;
        dropped(records);
        return;
      }
      pending.push(chunk);
      pendingRecords += records;
      pendingBytes += size;
      queuedBytes += size;
      scheduled ??= setImmediate(() => void writePending().catch(() => undefined)); // reported through onError
    },
    async flush() {
      await writePending().catch(() => undefined); // reported through onError; flush() rejects below
      await writer.flush();
    },
    async close() {
      if (closed) return;
      closed = true;
      await writePending().catch(() => undefined);
      await writer.close();
    },
    counters() {
      const c = writer.counters();
      return {
        records: c.records,
        bytes: c.bytes,
        droppedBacklog,
        droppedBroken: c.dropped + droppedClosed,
        backpressureWaits: c.backpressureWaits,
        epipe: c.epipe,
        errors: c.errors,
      };
    },
  };
}

function join(chunks: ReadonlyArray<string | Uint8Array>): string | Uint8Array {
  if (chunks.every((c) => typeof c === 'string')) return chunks.join('');
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
}
