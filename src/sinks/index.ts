// Public surface of the stores: the factories that build services.object_stores[] / event_stores[] entries
// (each behind its durable spool), the contracts they implement, and the local store's read side for
// `cleartap query` / `cleartap show`. The stdout sink has its own surface, sinks/stdout/index.ts.

export { createEventStore, createObjectStore, DEFAULT_DATA_DIR } from './store-factory.ts';
export type { EventStoreDeps, ManagedEventStore, ManagedObjectStore, ObjectStoreDeps, StoreDeps, StoreInfo } from './store-factory.ts';
export { createEventStores, createObjectStores, localStoreDir, localStoreSettings } from './store-list.ts';
export type { StoreCounters } from './spooled-store.ts';
export type { Artifact, ArtifactMeta, ArtifactRecordEvent, ArtifactType, DnsEvent, EventStore, ObjectStore, StoreEvent } from '../core/stores.ts';
export { createLocalEventBackend, DEFAULT_RETENTION, LocalStoreReader } from './local/index.ts';
export type { Retention } from './local/index.ts';
// What the gateway (`cleartap serve`) writes with: the local store's and ClickHouse's event backends, and the
// signer for presigned object URLs.
export type { EventBackend } from './spooled-store.ts';
export type { EventSource, SpooledEvent } from './record-codecs.ts';
export { createClickHouseBackend, readClickHouseSettings } from './clickhouse/index.ts';
export type { ClickHouseBackend, ClickHouseSettings } from './clickhouse/index.ts';
export { createObjectUrlSigner, readS3Settings } from './s3/index.ts';
export type { ObjectUrlSigner, S3Settings } from './s3/index.ts';
export type { StoredObject, TransactionDetail, TransactionFilter, TransactionSummary } from './local/index.ts';
export { parseDuration } from './store-config.ts';
