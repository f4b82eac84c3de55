// The identifying fields that every event and artifact of a transaction carries (Qtap's meta, camelCase).

import type { Transaction } from '../core/transaction.ts';
import { transactionTime } from '../sinks/stdout/index.ts';
import type { EventMeta } from './event-store.ts';
import type { ArtifactMeta } from './object-store.ts';

export function eventMetaOf(tx: Transaction): EventMeta {
  return { connectionId: tx.connectionId, requestId: tx.id };
}

export function artifactMetaOf(tx: Transaction): ArtifactMeta {
  return { connectionId: tx.connectionId, requestId: tx.id, url: tx.request.url, timestamp: timestampOf(tx) };
}

/** RFC3339 UTC time of the request; the epoch when the capture did not know it. */
export function timestampOf(tx: Transaction): string {
  return transactionTime(tx) ?? new Date(0).toISOString();
}
