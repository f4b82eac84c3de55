// The wire format between an agent's `pulse` event store (sinks/pulse) and the gateway that receives it
// (`cleartap serve`, server/routes/ingest-routes.ts): one place, so the two sides cannot drift apart.
//
//   POST /api/v1/ingest/events   Authorization: Bearer <agent token>
//   Content-Type: application/json, Content-Encoding: gzip (or none)
//   body   IngestBatch     answer 200 IngestResult

export const INGEST_EVENTS_PATH = '/api/v1/ingest/events';

/** One event as the stores get it (StoreEvent's type and item) with its spool record id: unique, stable across retries. */
export interface IngestEvent {
  id: string;
  type: string;
  item: unknown;
}

export interface IngestBatch {
  /** The same records give the same id, so the gateway knows a batch it has answered before. */
  batchId: string;
  /** An earlier attempt may have landed (a retry, or a replay after a restart). */
  retry: boolean;
  events: IngestEvent[];
}

export interface IngestResult {
  batchId: string;
  /** Events kept (after their forbidden or unknown fields were dropped). */
  accepted: number;
  /** Events refused whole: an unknown type, or without the fields every event of its type has. */
  rejected: number;
  /** Fields removed from accepted events: not on the event allow-list, or of the wrong type. */
  droppedFields: number;
  /** This batch was answered before; nothing was written again. */
  duplicate: boolean;
}
