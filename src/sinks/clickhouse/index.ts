// Public surface of the ClickHouse event store.

export { clickHouseError, createClickHouseBackend } from './clickhouse-backend.ts';
export type { ClickHouseBackend } from './clickhouse-backend.ts';
export { readClickHouseSettings } from './clickhouse-config.ts';
export type { ClickHouseSettings } from './clickhouse-config.ts';
export { createStatements, eventRow } from './event-table.ts';
export type { EventRow, EventTable } from './event-table.ts';
