// What TCP reassembly repairs or gives up on, by name (style convention 7).
export interface ReassemblyCounters {
  /** Segments that carried payload. */
  segments: number;
  /** Segments that arrived ahead of a hole and waited for it. */
  outOfOrderSegments: number;
  /** Payload bytes seen before (retransmissions, overlaps, duplicated captures) and dropped. */
  retransmittedBytes: number;
  /** Holes given up on: the capture never saw those bytes (the parser skips to the next message). */
  gaps: number;
  gapBytes: number;
  /** Times a direction's out-of-order queue (or the overall budget) was full and a hole was skipped early. */
  queueOverflows: number;
  /** Segments too far from the expected sequence number to belong to the stream (a stale or foreign segment). */
  outOfWindow: number;
  /** Payload bytes past a direction's FIN. */
  afterFinBytes: number;
}

export function newReassemblyCounters(): ReassemblyCounters {
  return { segments: 0, outOfOrderSegments: 0, retransmittedBytes: 0, gaps: 0, gapBytes: 0, queueOverflows: 0, outOfWindow: 0, afterFinBytes: 0 };
}

export interface ReassemblyLimits {
  /** Bytes one direction may hold waiting for a hole to fill. */
  maxQueuedBytesPerDirection: number;
  /** Segments one direction may hold waiting for a hole to fill. */
  maxQueuedSegmentsPerDirection: number;
  /** Bytes all directions together may hold. */
  maxQueuedBytesTotal: number;
}

export const DEFAULT_REASSEMBLY_LIMITS: Readonly<ReassemblyLimits> = Object.freeze({
  maxQueuedBytesPerDirection: 1 << 20,
  maxQueuedSegmentsPerDirection: 1024,
  maxQueuedBytesTotal: 64 << 20,
});

/** The overall out-of-order budget, shared by every direction of every connection. */
export interface QueueBudget {
  used: number;
  readonly max: number;
}
