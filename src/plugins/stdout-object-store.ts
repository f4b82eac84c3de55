// Qtap's `stdout` object store: http_capture records go to stdout, one JSON line (or one text block and a blank
// line) per transaction, byte for byte what the stdout sink prints, batched per event-loop turn. Other artifacts
// (detect_errors' recorded headers and bodies) would break the line stream, so they are only logged at debug
// level without their data, and counted.

import type { Writable } from 'node:stream';
import type { Logger } from '../core/logger.ts';
import { createBatchedOutput } from './batched-output.ts';
import type { Artifact, ObjectStore } from './object-store.ts';
import { createRateLimitedLog } from './rate-limited-log.ts';

export interface StdoutObjectStoreCounters {
  object_store_stdout_records: number;
  object_store_stdout_bytes: number;
  /** Records dropped because stdout was too far behind. */
  object_store_stdout_dropped_backlog: number;
  /** Records dropped because stdout had broken (reader gone), failed, or the store was closed. */
  object_store_stdout_dropped_broken: number;
  object_store_stdout_epipe: number;
  object_store_stdout_errors: number;
  /** Artifacts other than http_transaction: logged at debug level, not printed. */
  object_store_stdout_not_printed: number;
}

export interface StdoutObjectStore extends ObjectStore {
  counters(): Readonly<StdoutObjectStoreCounters>;
}

export interface StdoutObjectStoreOptions {
  log: Logger;
  /** Defaults to process.stdout. */
  stream?: Writable;
}

const NEWLINE = '\n';

export function createStdoutObjectStore(options: StdoutObjectStoreOptions): StdoutObjectStore {
  const { log } = options;
  const logError = createRateLimitedLog(log, 'error');
  const out = createBatchedOutput(options.stream ?? process.stdout, {
    onError: (err) => logError('stdout', { err }, 'stdout object store: writing to stdout failed'),
  });
  let notPrinted = 0;
  return {
    put(artifact: Artifact) {
      if (artifact.type === 'http_transaction') {
        out.write(artifact.data, 1);
        out.write(NEWLINE, 0);
        return;
      }
      notPrinted++;
      if (log.isLevelEnabled('debug')) {
        log.debug(
          {
            type: artifact.type,
            contentType: artifact.contentType,
            size: artifact.data.byteLength,
            digest: artifact.digest,
            meta: artifact.meta,
          },
          'object store submission',
        );
      }
    },
    flush: () => out.flush(),
    close: () => out.close(),
    counters() {
      const c = out.counters();
      return {
        object_store_stdout_records: c.records,
        object_store_stdout_bytes: c.bytes,
        object_store_stdout_dropped_backlog: c.droppedBacklog,
        object_store_stdout_dropped_broken: c.droppedBroken,
        object_store_stdout_epipe: c.epipe,
        object_store_stdout_errors: c.errors,
        object_store_stdout_not_printed: notPrinted,
      };
    },
  };
}
