// The local store keeps transactions for max_age and the whole directory under max_size (stored objects plus
// the database pages in use). Age goes first; then, while over size, the oldest tenth of what is left goes,
// objects and rows alike, and the packs nothing points into any more. It runs at start and every minute, in
// each local backend that is open (running twice deletes nothing twice: every step is keyed).

import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../../core/logger.ts';
import { inTransaction } from './database.ts';
import { removeObject } from './object-files.ts';
import { removeUnreferencedPacks } from './pack-files.ts';

export interface Retention {
  maxAgeMs: number;
  maxBytes: number;
}

export const DEFAULT_RETENTION: Retention = { maxAgeMs: 7 * 86_400_000, maxBytes: 1024 ** 3 };

export interface RetentionResult {
  transactions: number;
  events: number;
  objects: number;
  packs: number;
}

const MAX_SIZE_ROUNDS = 20;

function usedBytes(db: DatabaseSync): number {
  const pages = db.prepare('SELECT (SELECT page_count FROM pragma_page_count) - (SELECT freelist_count FROM pragma_freelist_count) AS n').get() as { n: number };
  const { page_size: pageSize } = db.prepare('PRAGMA page_size').get() as { page_size: number };
  const { total } = db.prepare('SELECT coalesce(sum(stored_size), 0) AS total FROM objects').get() as { total: number };
  return pages.n * pageSize + total;
}

// Deletes everything older than cutoff, and the objects no artifact refers to any more; returns the digests of
// those that were files of their own (stores written before packs).
function deleteBefore(db: DatabaseSync, cutoff: number, result: RetentionResult): string[] {
  return inTransaction(db, () => {
    result.transactions += Number(db.prepare('DELETE FROM transactions WHERE time_ms < ?').run(cutoff).changes);
    result.events += Number(db.prepare('DELETE FROM events WHERE time_ms < ?').run(cutoff).changes);
    db.prepare('DELETE FROM artifacts WHERE time_ms < ?').run(cutoff);
    db.prepare('DELETE FROM transaction_agents WHERE time_ms < ?').run(cutoff);
    const gone = db
      .prepare('SELECT digest, pack FROM objects WHERE time_ms < ? AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.digest = objects.digest)')
      .all(cutoff) as { digest: string; pack: string | null }[];
    const del = db.prepare('DELETE FROM objects WHERE digest = ?');
    for (const { digest } of gone) del.run(digest);
    result.objects += gone.length;
    return gone.filter((g) => g.pack === null).map((g) => g.digest);
  });
}

// The time below which the oldest tenth of the transactions (or, without any, of the objects) lies.
function oldestTenthCutoff(db: DatabaseSync): number | undefined {
  for (const table of ['transactions', 'objects']) {
    const { n } = db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
    if (n === 0) continue;
    const row = db.prepare(`SELECT time_ms FROM ${table} ORDER BY time_ms LIMIT 1 OFFSET ?`).get(Math.floor(n / 10)) as { time_ms: number };
    return row.time_ms + 1;
  }
  return undefined;
}

export async function enforceRetention(db: DatabaseSync, dir: string, retention: Retention, now = Date.now()): Promise<RetentionResult> {
  const result: RetentionResult = { transactions: 0, events: 0, objects: 0, packs: 0 };
  const doomed = deleteBefore(db, now - retention.maxAgeMs, result);
  for (let round = 0; round < MAX_SIZE_ROUNDS && usedBytes(db) > retention.maxBytes; round++) {
    const cutoff = oldestTenthCutoff(db);
    if (cutoff === undefined) break;
    doomed.push(...deleteBefore(db, cutoff, result));
  }
  for (const digest of doomed) await removeObject(dir, digest);
  const inUse = db.prepare('SELECT 1 FROM objects WHERE pack = ? LIMIT 1');
  result.packs = await removeUnreferencedPacks(dir, (pack) => inUse.get(pack) !== undefined);
  return result;
}

const RETENTION_EVERY_MS = 60_000;

/** Runs retention now and every minute until the returned function is called (which waits for a run under way). */
export function scheduleRetention(db: DatabaseSync, dir: string, retention: Retention, log: Logger): () => Promise<void> {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= enforceRetention(db, dir, retention)
      .then((r) => {
        if (r.transactions + r.events + r.objects + r.packs > 0) log.debug({ dir, ...r }, 'local store: retention removed old records');
      })
      .catch((err: unknown) => log.error({ dir, err }, 'local store: retention failed'))
      .finally(() => (running = undefined));
  };
  run();
  const timer = setInterval(run, RETENTION_EVERY_MS).unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
