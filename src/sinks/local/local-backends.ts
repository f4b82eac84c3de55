// The local store's two backends, one per side of the object/event split, writing into the same directory:
// objects are appended to compressed pack files and indexed by rows, events become rows; both fill the
// transaction row that `cleartap query` lists. A batch's rows go in one SQLite transaction, after its block is
// on disk, so a row never points at bytes that are not there.

import type { Logger } from '../../core/logger.ts';
import { CleartapError } from '../../core/errors.ts';
import { eventKeys, timeMsOf, transactionIdOf } from '../event-fields.ts';
import type { SpooledArtifact, SpooledEvent } from '../record-codecs.ts';
import type { EventBackend, ObjectBackend } from '../spooled-store.ts';
import { inTransaction, openDatabase } from './database.ts';
import { PackWriter } from './pack-files.ts';
import { scheduleRetention, type Retention } from './retention.ts';
import { prepareTransactionUpsert, rowFromArtifact, rowFromRequestEvent } from './transaction-row.ts';

export interface LocalBackendOptions {
  dir: string;
  retention: Retention;
  log: Logger;
}

function storeError(dir: string, what: string, err: unknown): CleartapError {
  return new CleartapError('CT_ERR_STORE', `local store ${dir}: ${what}: ${(err as Error).message}`, 'check the free space and permissions of the local store directory', { cause: err });
}

export function createLocalObjectBackend(options: LocalBackendOptions): ObjectBackend {
  const { dir } = options;
  const db = openDatabase(dir);
  const upsertTransaction = prepareTransactionUpsert(db);
  const upsertObject = db.prepare(
    `INSERT INTO objects (digest, content_type, size, stored_size, time_ms, pack, block_offset, block_size, offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(digest) DO UPDATE SET time_ms = max(time_ms, excluded.time_ms), stored_size = excluded.stored_size, pack = excluded.pack,
       block_offset = excluded.block_offset, block_size = excluded.block_size, offset = excluded.offset`,
  );
  const insertArtifact = db.prepare('INSERT OR IGNORE INTO artifacts (transaction_id, type, digest, time_ms) VALUES (?, ?, ?, ?)');
  const storedAt = db.prepare('SELECT pack, block_offset AS blockOffset, block_size AS blockSize, offset, stored_size AS storedSize FROM objects WHERE digest = ?');
  const packs = new PackWriter(dir);
  const stopRetention = scheduleRetention(db, dir, options.retention, options.log);

  // Where each item goes: a payload already in the pack being written keeps its place (a row is written only
  // after its block, so a row's block is there); anything else, new or in an older pack, is appended again, so
  // that old packs can go whole.
  const place = async (items: readonly SpooledArtifact[]): Promise<StoredAt[]> => {
    const placed = new Array<StoredAt>(items.length);
    const fresh = packs.currentPack;
    const toWrite: number[] = [];
    const firstOf = new Map<string, number>();
    items.forEach((a, i) => {
      const known = storedAt.get(a.digest) as StoredAt | undefined;
      if (known !== undefined && known.pack !== null && known.pack === fresh) placed[i] = known;
      else if (!firstOf.has(a.digest)) {
        firstOf.set(a.digest, i);
        toWrite.push(i);
      }
    });
    if (toWrite.length > 0) {
      const block = await packs.append(toWrite.map((i) => items[i].data));
      const rawBytes = toWrite.reduce((n, i) => n + items[i].data.byteLength, 0);
      toWrite.forEach((i, k) => {
        const storedSize = Math.max(1, Math.round((block.blockSize * items[i].data.byteLength) / Math.max(1, rawBytes)));
        placed[i] = { pack: block.pack, blockOffset: block.blockOffset, blockSize: block.blockSize, offset: block.offsets[k], storedSize };
      });
    }
    items.forEach((a, i) => (placed[i] ??= placed[firstOf.get(a.digest)!]));
    return placed;
  };

  // A write still under way when the spool gives up on it at close must finish before the database closes.
  let inFlight: Promise<unknown> = Promise.resolve();
  return {
    async write(items) {
      let placed: StoredAt[];
      try {
        const appended = place(items);
        inFlight = appended.catch(() => {});
        placed = await appended;
      } catch (err) {
        throw storeError(dir, 'writing an object pack failed', err);
      }
      try {
        inTransaction(db, () => {
          items.forEach((a, i) => {
            const time = timeMsOf(a.meta.timestamp);
            const at = placed[i];
            upsertObject.run(a.digest, a.contentType, a.data.byteLength, at.storedSize, time, at.pack, at.blockOffset, at.blockSize, at.offset);
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
      await packs.close();
      db.close();
    },
  };
}

/** An object's place in a pack, as its row keeps it. */
interface StoredAt {
  pack: string | null;
  blockOffset: number;
  blockSize: number;
  offset: number;
  storedSize: number;
}

export function createLocalEventBackend(options: LocalBackendOptions): EventBackend {
  const { dir } = options;
  const db = openDatabase(dir);
  const upsertTransaction = prepareTransactionUpsert(db);
  const insertEvent = db.prepare('INSERT OR IGNORE INTO events (id, type, time_ms, transaction_id, body) VALUES (?, ?, ?, ?, ?)');
  const upsertSource = db.prepare(
    'INSERT INTO transaction_agents (transaction_id, agent_id, agent_name, time_ms) VALUES (?, ?, ?, ?) ON CONFLICT(transaction_id) DO UPDATE SET agent_id = excluded.agent_id, agent_name = excluded.agent_name',
  );
  const stopRetention = scheduleRetention(db, dir, options.retention, options.log);
  return {
    async write(items: readonly SpooledEvent[]) {
      try {
        inTransaction(db, () => {
          for (const { id, event, source } of items) {
            const keys = eventKeys(event);
            const time = timeMsOf(keys.timestamp);
            insertEvent.run(id, event.type, time, keys.transactionId, JSON.stringify(event.item));
            if (event.type === 'request') upsertTransaction(rowFromRequestEvent(event.item));
            if (source !== undefined && keys.transactionId !== '') upsertSource.run(keys.transactionId, source.agentId, source.agentName, time);
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
