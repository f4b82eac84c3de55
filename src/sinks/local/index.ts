// Public surface of the local store: its two backends (behind spools, built by the store factory) and the
// read side used by `cleartap query`, `cleartap show` and the UI.

export { createLocalEventBackend, createLocalObjectBackend } from './local-backends.ts';
export type { LocalBackendOptions } from './local-backends.ts';
export { DEFAULT_RETENTION, enforceRetention } from './retention.ts';
export type { Retention, RetentionResult } from './retention.ts';
export { LocalStoreReader } from './query.ts';
export type { StoredObject, TransactionDetail, TransactionFilter, TransactionSummary } from './query.ts';
