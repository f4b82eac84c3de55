// The stdout sink: renders each batch of transactions as Qtap JSON lines or text blocks and writes the batch
// with ONE stream.write, so a batch costs one write syscall, not one per record.
//
// Backpressure: write() resolves only once the stream has accepted the batch; when stream.write returns false it
// waits for 'drain' first. Writes are serialised, so a caller that awaits write() never has more than one
// batch buffered in the stream beyond its highWaterMark.
//
// A reader that goes away (`cleartap ... | head`) is normal, not a failure: on EPIPE the sink stops writing,
// counts sink_stdout_epipe, drops (and counts) later batches, and every pending and later call resolves. Any
// other stream error makes write/flush/close reject with that error.
//
// The sink does not own the stream: close() flushes and detaches, it never ends or destroys it.

import { Buffer } from 'node:buffer';
import type { Writable } from 'node:stream';
import type { Transaction } from '../../core/transaction.ts';
import { type CaptureLevel, type CaptureLevelInput, normalizeLevel } from './level.ts';
import { toQtapRecord } from './qtap-record.ts';
import { formatText } from './text-format.ts';

export type StdoutFormat = 'json' | 'text';

export interface StdoutSinkOptions {
  format: StdoutFormat;
  level: CaptureLevelInput;
  /** Defaults to process.stdout. */
  stream?: Writable;
}

export interface StdoutSinkCounters {
  /** Transactions handed to the stream. */
  sink_stdout_records: number;
  /** Bytes handed to the stream. */
  sink_stdout_bytes: number;
  /** Times a batch had to wait for 'drain'. */
  sink_stdout_backpressure_waits: number;
  /** The reader closed the pipe (0 or 1 per sink). */
  sink_stdout_epipe: number;
  /** Transactions not written because the stream had broken, failed or was destroyed. */
  sink_stdout_dropped: number;
  /** Stream errors other than EPIPE. */
  sink_stdout_errors: number;
}

export interface StdoutSink {
  /** Renders and writes one batch; resolves when the stream has accepted it (after 'drain' if needed). */
  write(batch: readonly Transaction[]): Promise<void>;
  /** Resolves when everything written so far has been handed to the operating system. */
  flush(): Promise<void>;
  /** flush(), then detach from the stream. Later writes reject with code CT_ERR_SINK_CLOSED. */
  close(): Promise<void>;
  counters(): Readonly<StdoutSinkCounters>;
}

type SinkState = 'open' | 'broken' | 'failed' | 'closed';

export function createStdoutSink(options: StdoutSinkOptions): StdoutSink {
  const stream: Writable = options.stream ?? process.stdout;
  const level = normalizeLevel(options.level);
  const render = options.format === 'json' ? renderJson : renderText;
  const counters: StdoutSinkCounters = {
    sink_stdout_records: 0,
    sink_stdout_bytes: 0,
    sink_stdout_backpressure_waits: 0,
    sink_stdout_epipe: 0,
    sink_stdout_dropped: 0,
    sink_stdout_errors: 0,
  };
  let state: SinkState = 'open';
  let failure: Error | undefined;
  /** The previous write's completion; each write starts after it, so drains are awaited in order. */
  let tail: Promise<void> = Promise.resolve();
  /** Settles when the last chunk handed to the stream has been flushed or has failed. */
  let lastChunk: Promise<void> = Promise.resolve();

  const onError = (err: Error): void => {
    if (state !== 'open') return;
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') {
      state = 'broken';
      counters.sink_stdout_epipe++;
    } else {
      state = 'failed';
      failure = err;
      counters.sink_stdout_errors++;
    }
  };
  // Registered for the sink's whole life: an unhandled 'error' on process.stdout would kill the agent.
  stream.on('error', onError);
  const throwIfFailed = (): void => {
    if (state === 'failed') throw failure;
  };

  const writeBatch = async (batch: readonly Transaction[]): Promise<void> => {
    if (level === 'none' || batch.length === 0) return;
    if (state === 'open' && (stream.destroyed || stream.writableEnded)) state = 'broken';
    if (state !== 'open') {
      counters.sink_stdout_dropped += batch.length;
      throwIfFailed();
      return;
    }
    const chunk = Buffer.from(render(batch, level), 'utf8');
    counters.sink_stdout_records += batch.length;
    counters.sink_stdout_bytes += chunk.byteLength;
    let accepted = true;
    lastChunk = new Promise<void>((resolve) => {
      // The callback runs on success and on failure (errors also arrive through 'error').
      accepted = stream.write(chunk, () => resolve());
    });
    if (!accepted) {
      counters.sink_stdout_backpressure_waits++;
      await streamEvent(stream, 'drain');
    }
    throwIfFailed();
  };

  const flushAll = async (): Promise<void> => {
    await tail;
    await lastChunk;
    throwIfFailed();
  };

  return {
    write(batch) {
      if (state === 'closed') return Promise.reject(closedError());
      const done = tail.then(() => writeBatch(batch));
      tail = done.catch(() => undefined); // the failure is reported by this call; the chain goes on
      return done;
    },
    flush() {
      return flushAll();
    },
    async close() {
      if (state === 'closed') return;
      try {
        await flushAll();
      } finally {
        // A failing write's callback runs just before the stream emits 'error' on process.nextTick, and
        // nextTick callbacks run before this continuation: that 'error' has been handled by now.
        stream.off('error', onError);
        state = 'closed';
      }
    },
    counters() {
      return { ...counters };
    },
  };
}

function renderJson(batch: readonly Transaction[], level: CaptureLevel): string {
  let out = '';
  for (const tx of batch) {
    const record = toQtapRecord(tx, level);
    if (record !== null) out += `${JSON.stringify(record)}\n`;
  }
  return out;
}

function renderText(batch: readonly Transaction[], level: CaptureLevel): string {
  let out = '';
  for (const tx of batch) out += `${formatText(tx, level)}\n`; // a blank line between blocks
  return out;
}

/** Resolves on `event`, or when the stream errors or closes (then `event` will never come). */
function streamEvent(stream: Writable, event: 'drain'): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off(event, done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    stream.on(event, done);
    stream.on('error', done);
    stream.on('close', done);
  });
}

function closedError(): Error {
  return Object.assign(new Error('stdout sink: write() after close()'), { code: 'CT_ERR_SINK_CLOSED' });
}
