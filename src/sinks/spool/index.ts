// Public surface of the durable spool: the spool itself and the background delivery from it to a store.

export { Spool, recordId } from './spool.ts';
export type { DropPolicy, FsyncPolicy, SpoolCounters, SpoolOptions } from './spool.ts';
export { Delivery } from './delivery.ts';
export type { DeliveryCounters, DeliveryOptions, DeliveryTarget, SpoolRecord } from './delivery.ts';
export { DEFAULT_BACKOFF } from './backoff.ts';
export type { BackoffOptions } from './backoff.ts';
