// What the stream layer drops or repairs, by name (style convention 7: every drop is a counter).
export interface StreamCounters {
  /** Bytes the kernel reported missing or that were skipped between chunk offsets. */
  gapBytes: number;
  /** Bytes received twice (an overlapping chunk) and dropped. */
  duplicateBytes: number;
  /** Bytes of connections that do not speak HTTP/1 (not parsed). */
  notHttpBytes: number;
  /** Connections closed by idle expiry. */
  flowsExpired: number;
  /** Connections evicted because the table was full. */
  flowsEvicted: number;
  flowsOpened: number;
  transactions: number;
  /** Transactions without a response (connection ended first). */
  unanswered: number;
  /** HTTP/2 connections joined after their start (HPACK state unknown: some header fields cannot be read). */
  http2JoinedLate: number;
}

export function newStreamCounters(): StreamCounters {
  return { gapBytes: 0, duplicateBytes: 0, notHttpBytes: 0, flowsExpired: 0, flowsEvicted: 0, flowsOpened: 0, transactions: 0, unanswered: 0, http2JoinedLate: 0 };
}
