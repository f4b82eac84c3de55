// The local store's two backends, one per side of the object/event split, writing into the same directory:
// objects become compressed files plus index rows, events become rows; both fill the transaction row that
// `cleartap query` lists. A batch's rows go in one SQLite transaction, after its files are on disk, so a row
// never points at a file that is not there.

import type { Logger } from '../../core/logger.ts';
import { CleartapError } from '../../core/errors.ts';
import { eventKeys, timeMsOf, transactionIdOf } from '../event-fields.ts';
import type { SpooledArtifact, SpooledEvent } from '../record-codecs.ts';
import type { EventBackend, ObjectBackend } from '../spooled-store.ts';
import { inTransaction, openDatabase } from './database.ts';
import { createObjectWriter } from './object-files.ts';
import { scheduleRetention, type Retention } from './retention.ts';
import { prepareTransactionUpsert, rowFromArtifact, rowFromRequestEvent } from './transaction-row.ts';

export interface LocalBackendOptions {
  dir: string;
  retention: Retention;
  log: Logger;
}

const FILE_CONCURRENCY = 16;

function storeError(dir: string, what: string, err: unknown): CleartapError {
  return new CleartapError('CT_ERR_STORE', `local store ${dir}: ${what}: ${(err as Error).message}`, 'check the free space and permissions of the local store directory', { cause: err });
}

export function createLocalObjectBackend(options: LocalBackendOptions): ObjectBackend {
  const { dir } = options;
  const db = openDatabase(dir);
  const upsertTransaction = prepareTransactionUpsert(db);
  const upsertObject = db.prepare(
    `INSERT INTO objects (digest, content_type, size, stored_size, time_ms) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(digest) DO UPDATE SET time_ms = max(time_ms, excluded.time_ms), stored_size = excluded.stored_size`,
  );
  const insertArtifact = db.prepare('INSERT OR IGNORE INTO artifacts (transaction_id, type, digest, time_ms) VALUES (?, ?, ?, ?)');
  // A row is written only after its file, so an object with a row has its file: no need to write it again.
  const storedSize = db.prepare('SELECT stored_size FROM objects WHERE digest = ?');
  const writeObject = createObjectWriter(dir);
  const stopRetention = scheduleRetention(db, dir, options.retention, options.log);

  const writeFiles = async (items: readonly SpooledArtifact[]): Promise<number[]> => {
    const sizes = new Array<number>(items.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < items.length; i = next++) {
        const known = storedSize.get(items[i].digest) as { stored_size: number } | undefined;
        sizes[i] = known?.stored_size ?? (await writeObject(items[i].digest, items[i].data));
      }
    };
    await Promise.all(Array.from({ length: Math.min(FILE_CONCURRENCY, items.length) }, worker));
    return sizes;
  };

  // A write still under way when the spool gives up on it at close must finish before the database closes.
  let inFlight: Promise<unknown> = Promise.resolve();
  return {
    async write(items) {
      let sizes: number[];
      try {
        const files = writeFiles(items);
        inFlight = files.catch(() => {});
        sizes = await files;
      } catch (err) {
        throw storeError(dir, 'writing an object file failed', err);
      }
      try {
        inTransaction(db, () => {
          items.forEach((a, i) => {
            const time = timeMsOf(a.meta.timestamp);
            upsertObject.run(a.digest, a.contentType, a.data.byteLength, sizes[i], time);
            insertArtifact.run(transactionIdOf(a.meta.requestId, a.meta.connectionId, a.meta.timestamp), a.type, a.digest, time);
            if (a.type === 'http_transaction') upsertTransaction(rowFromArtifact(a));
          });
        });
      } catch (err) {
        throw storeError(dir, 'writing the index failed', err);
      }
    },
    async close() {
      await stopRetention();
      await inFlight;
      db.close();
    },
  };
}

export function createLocalEventBackend(options: LocalBackendOptions): EventBackend {
  const { dir } = options;
  const db = openDatabase(dir);
  const upsertTransaction = prepareTransactionUpsert(db);
  const insertEvent = db.prepare('INSERT OR IGNORE INTO events (id, type, time_ms, transaction_id, body) VALUES (?, ?, ?, ?, ?)');
  const stopRetention = scheduleRetention(db, dir, options.retention, options.log);
  return {
    async write(items: readonly SpooledEvent[]) {
      try {
        inTransaction(db, () => {
          for (const { id, event } of items) {
            const keys = eventKeys(event);
            insertEvent.run(id, event.type, timeMsOf(keys.timestamp), keys.transactionId, JSON.stringify(event.item));
            if (event.type === 'request') upsertTransaction(rowFromRequestEvent(event.item));
          }
        });
      } catch (err) {
        throw storeError(dir, 'writing events failed', err);
      }
    },
    async close() {
      await stopRetention();
      db.close();
    },
  };
}
