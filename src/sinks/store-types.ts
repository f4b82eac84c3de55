// The object and event store contracts, as the plugins see them (src/plugins/object-store.ts and event-store.ts).
// sinks/ may import only core/, so the shapes are restated here; TypeScript's structural typing makes the two
// interchangeable, and store-types.test.ts fails to compile the day they drift apart.

export type ArtifactType =
  | 'http_transaction'
  | 'req-headers'
  | 'req-body'
  | 'res-headers'
  | 'res-body'
  | 'dlp_matches'
  | 'sensitive_data';

export interface ArtifactMeta {
  connectionId: string;
  requestId: string;
  endpointId?: string;
  url: string;
  /** RFC3339 time of the transaction. */
  timestamp: string;
}

export interface Artifact {
  readonly type: ArtifactType;
  readonly data: Uint8Array;
  readonly contentType: string;
  /** SHA-1 of data, lowercase hex. */
  readonly digest: string;
  readonly meta: ArtifactMeta;
}

export interface ObjectStore {
  /** Takes the artifact and returns at once; never throws. */
  put(artifact: Artifact): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export type Direction = 'ingress' | 'egress' | 'egress-internal' | 'egress-external';

export interface RequestEvent {
  connectionId: string;
  endpointId?: string;
  requestId?: string;
  tags: string[];
  timestamp: string;
  direction: Direction;
  url: string;
  path: string;
  method: string;
  status: number;
  duration: number;
  contentType: string;
  category: string;
  agent: string;
  bytesSent: number;
  bytesReceived: number;
  authTokenMask?: string;
  authTokenHash?: string;
  authTokenSource?: string;
  authTokenType?: string;
}

export interface EventMeta {
  connectionId: string;
  requestId: string;
  endpointId?: string;
}

export interface IssueEvent {
  meta: EventMeta;
  tags: string[];
  timestamp: string;
  direction: Direction;
  error: string;
  url: string;
  path: string;
  method: string;
  status: number;
  triggerConditions: string[];
  triggerReasons: string[];
}

export interface ArtifactRecordEvent {
  meta: EventMeta;
  timestamp: string;
  type: ArtifactType;
  digest: string;
  url: string;
}

/** A DNS lookup, when tap.audit_include_dns is on (cleartap's own event). */
export interface DnsEvent {
  timestamp: string;
  name: string;
  type: string;
  rcode?: string;
  answers: string[];
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
  /** Takes the event and returns at once; never throws. */
  submit(event: StoreEvent): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}
