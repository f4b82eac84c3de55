// Values every queryable store derives the same way from events and artifacts, so that a host or a transaction
// id means one thing in the local store and in ClickHouse.

import type { StoreEvent } from '../core/stores.ts';

/** The host name of a URL, lowercased, without port; '' when the URL does not parse. */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

/** Milliseconds since the epoch of an RFC3339 time; 0 when it does not parse. */
export function timeMsOf(timestamp: string): number {
  const ms = Date.parse(timestamp);
  return Number.isFinite(ms) ? ms : 0;
}

/** Qtap's requestId (cleartap's transaction id), or connection and time when the capture had none. */
export function transactionIdOf(requestId: string | undefined, connectionId: string, timestamp: string): string {
  return requestId !== undefined && requestId !== '' ? requestId : `${connectionId}@${timestamp}`;
}

/** The fields every event kind has, wherever it keeps them; a DNS lookup belongs to no transaction ('' ids). */
export function eventKeys(event: StoreEvent): { transactionId: string; connectionId: string; timestamp: string; url: string } {
  if (event.type === 'dns') return { transactionId: '', connectionId: '', timestamp: event.item.timestamp, url: '' };
  if (event.type === 'request') {
    const e = event.item;
    return { transactionId: transactionIdOf(e.requestId, e.connectionId, e.timestamp), connectionId: e.connectionId, timestamp: e.timestamp, url: e.url };
  }
  const { meta, timestamp, url } = event.item;
  return { transactionId: transactionIdOf(meta.requestId, meta.connectionId, timestamp), connectionId: meta.connectionId, timestamp, url };
}
