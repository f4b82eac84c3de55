// The stdout sink: renders each batch of transactions as Qtap JSON lines or text blocks and hands the batch to a
// stream writer as ONE chunk (one write syscall per batch). Backpressure, broken pipes and stream errors are the
// writer's (stream-writer.ts): write() resolves once the stream accepted the batch, EPIPE drops and counts, other
// errors reject.
//
// The sink does not own the stream: close() flushes and detaches, it never ends or destroys it.

import type { Writable } from 'node:stream';
import type { Transaction } from '../../core/transaction.ts';
import { type CaptureLevel, type CaptureLevelInput, normalizeLevel } from './level.ts';
import { toQtapRecord } from './qtap-record.ts';
import { createStreamWriter } from './stream-writer.ts';
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

export function createStdoutSink(options: StdoutSinkOptions): StdoutSink {
  const writer = createStreamWriter(options.stream ?? process.stdout);
  const level = normalizeLevel(options.level);
  const render = options.format === 'json' ? renderJson : renderText;
  return {
    write(batch) {
      return writer.write(() => render(batch, level), level === 'none' ? 0 : batch.length);
    },
    flush: () => writer.flush(),
    close: () => writer.close(),
    counters() {
      const c = writer.counters();
      return {
        sink_stdout_records: c.records,
        sink_stdout_bytes: c.bytes,
        sink_stdout_backpressure_waits: c.backpressureWaits,
        sink_stdout_epipe: c.epipe,
        sink_stdout_dropped: c.dropped,
        sink_stdout_errors: c.errors,
      };
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
