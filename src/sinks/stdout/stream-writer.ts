// Serialised, backpressure-aware writes of whole chunks to a stream that the writer does not own (stdout), shared
// by the stdout sink and the plugin outputs that print to stdout. Each write is ONE stream.write, so a batch
// costs one write syscall, not one per record.
//
// Backpressure: write() resolves only once the stream has accepted the chunk; when stream.write returns false it
// waits for 'drain' first. Writes are serialised, so a caller that awaits write() never has more than one chunk
// buffered in the stream beyond its highWaterMark.
//
// A reader that goes away (`cleartap ... | head`) is normal, not a failure: on EPIPE the writer stops writing,
// counts it, drops (and counts) later chunks, and every pending and later call resolves. Any other stream error
// makes write/flush/close reject with that error.
//
// close() flushes and detaches, it never ends or destroys the stream.

import { Buffer } from 'node:buffer';
import type { Writable } from 'node:stream';

export interface StreamWriterCounters {
  /** Records handed to the stream. */
  records: number;
  /** Bytes handed to the stream. */
  bytes: number;
  /** Times a chunk had to wait for 'drain'. */
  backpressureWaits: number;
  /** The reader closed the pipe (0 or 1 per writer). */
  epipe: number;
  /** Records not written because the stream had broken, failed or was destroyed. */
  dropped: number;
  /** Stream errors other than EPIPE. */
  errors: number;
}

export interface StreamWriter {
  /**
   * Writes what `render` returns as one chunk, after every earlier write; resolves when the stream has accepted
   * it. `render` runs only when the chunk will be written (not once the pipe has broken). `records` is what the
   * chunk holds, for the counters; a write of 0 records writes nothing.
   */
  write(render: () => string | Uint8Array, records: number): Promise<void>;
  /** Resolves when everything written so far has been handed to the operating system. */
  flush(): Promise<void>;
  /** flush(), then detach from the stream. Later writes reject with code CT_ERR_SINK_CLOSED. */
  close(): Promise<void>;
  counters(): Readonly<StreamWriterCounters>;
}

type WriterState = 'open' | 'broken' | 'failed' | 'closed';

export function createStreamWriter(stream: Writable): StreamWriter {
  const counters: StreamWriterCounters = { records: 0, bytes: 0, backpressureWaits: 0, epipe: 0, dropped: 0, errors: 0 };
  let state: WriterState = 'open';
  let failure: Error | undefined;
  /** The previous write's completion; each write starts after it, so drains are awaited in order. */
  let tail: Promise<void> = Promise.resolve();
  /** Settles when the last chunk handed to the stream has been flushed or has failed. */
  let lastChunk: Promise<void> = Promise.resolve();

  const onError = (err: Error): void => {
    if (state !== 'open') return;
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') {
      state = 'broken';
      counters.epipe++;
    } else {
      state = 'failed';
      failure = err;
      counters.errors++;
    }
  };
  // Registered for the writer's whole life: an unhandled 'error' on process.stdout would kill the agent.
  stream.on('error', onError);
  const throwIfFailed = (): void => {
    if (state === 'failed') throw failure;
  };

  const writeChunk = async (render: () => string | Uint8Array, records: number): Promise<void> => {
    if (records === 0) return;
    if (state === 'open' && (stream.destroyed || stream.writableEnded)) state = 'broken';
    if (state !== 'open') {
      counters.dropped += records;
      throwIfFailed();
      return;
    }
    const rendered = render();
    const chunk = typeof rendered === 'string' ? Buffer.from(rendered, 'utf8') : rendered;
    counters.records += records;
    counters.bytes += chunk.byteLength;
    let accepted = true;
    lastChunk = new Promise<void>((resolve) => {
      // The callback runs on success and on failure (errors also arrive through 'error').
      accepted = stream.write(chunk, () => resolve());
    });
    if (!accepted) {
      counters.backpressureWaits++;
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
    write(render, records) {
      if (state === 'closed') return Promise.reject(closedError());
      const done = tail.then(() => writeChunk(render, records));
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
  return Object.assign(new Error('stdout writer: write() after close()'), { code: 'CT_ERR_SINK_CLOSED' });
}
