// The contracts between what produces records (plugins) and where they are kept (sinks): objects (sensitive
// payloads: http_capture records, recorded headers and bodies) and events (metadata without content), as
// Qpoint's architecture splits them (qtap-reference.md §3.4; event JSON keys camelCase). One definition, here,
// so that plugins and sinks cannot drift apart.
import type { QtapDirection } from './ip.ts';

export type ArtifactType =
  | 'http_transaction'
  | 'req-headers'
  | 'req-body'
  | 'res-headers'
  | 'res-body'
  | 'dlp_matches'
  | 'sensitive_data';

/** Identifies the transaction an artifact belongs to (Qtap's meta fields, camelCase). */
export interface ArtifactMeta {
  connectionId: string;
  requestId: string;
  /** Qtap's endpoint id; cleartap has none yet, so it is never set. */
  endpointId?: string;
  url: string;
  /** RFC3339 time of the transaction. */
  timestamp: string;
}

export interface Artifact {
  readonly type: ArtifactType;
  readonly data: Uint8Array;
  readonly contentType: string;
  /** SHA-1 of data, lowercase hex (Qtap's artifact digest). */
  readonly digest: string;
  readonly meta: ArtifactMeta;
}

export interface ObjectStore {
  /** Takes the artifact and returns at once; the store writes it out asynchronously. Never throws. */
  put(artifact: Artifact): void;
  /** Resolves once everything put so far has been written. */
  flush(): Promise<void>;
  /** flush(), then release the store's resources; put() after close drops (and counts). */
  close(): Promise<void>;
}

/** Written by report_usage, one per HTTP transaction. */
export interface RequestEvent {
  connectionId: string;
  endpointId?: string;
  requestId?: string;
  tags: string[];
  /** RFC3339 UTC time of the request. */
  timestamp: string;
  direction: QtapDirection;
  url: string;
  path: string;
  method: string;
  /** 0 when no response was seen. */
  status: number;
  /** Milliseconds. */
  duration: number;
  contentType: string;
  /** MIME category of contentType (content-category.ts). */
  category: string;
  /** User-Agent. */
  agent: string;
  bytesSent: number;
  bytesReceived: number;
  authTokenMask?: string;
  /** SHA-256 of the token, lowercase hex. */
  authTokenHash?: string;
  /** The header the token came from, e.g. "Authorization". */
  authTokenSource?: string;
  authTokenType?: string;
}

export interface EventMeta {
  connectionId: string;
  requestId: string;
  endpointId?: string;
}

/** Written by detect_errors when a rule matches. */
export interface IssueEvent {
  meta: EventMeta;
  tags: string[];
  timestamp: string;
  direction: QtapDirection;
  /** What went wrong, named by the rule that saw it. */
  error: string;
  url: string;
  path: string;
  method: string;
  status: number;
  /** ["detect_errors:status_code", ...]: plugin and condition. */
  triggerConditions: string[];
  /** One readable sentence per condition, in the same order. */
  triggerReasons: string[];
}

/** A pointer from the event store to an artifact in an object store. */
export interface ArtifactRecordEvent {
  meta: EventMeta;
  timestamp: string;
  type: ArtifactType;
  digest: string;
  url: string;
}

/** A DNS lookup, when tap.audit_include_dns is on (cleartap's own event: Qtap's shape is unpublished). */
export interface DnsEvent {
  timestamp: string;
  name: string;
  type: string;
  rcode?: string;
  answers: string[];
  /** Query to answer, when both were seen. */
  durationMs?: number;
  server?: string;
  processId?: string;
  processExe?: string;
}

export type StoreEvent =
  | { type: 'request'; item: RequestEvent }
  | { type: 'dns'; item: DnsEvent }
  | { type: 'issue'; item: IssueEvent }
  | { type: 'artifact_record'; item: ArtifactRecordEvent };

export interface EventStore {
  /** Takes the event and returns at once; the store writes it out asynchronously. Never throws. */
  submit(event: StoreEvent): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}
