// Event stores keep small metadata records; the contract lives in core/stores.ts, shared with the sinks.
export type { ArtifactRecordEvent, DnsEvent, EventMeta, EventStore, IssueEvent, RequestEvent, StoreEvent } from '../core/stores.ts';
