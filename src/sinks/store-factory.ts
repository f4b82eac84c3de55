// Builds the object and event stores of services.object_stores[] / event_stores[] from their config entries, as
// the YAML loader hands them over (secrets as ValueSources or strings; resolved here). Every store but stdout and
// disabled sits behind its own spool (spooled-store.ts); Qtap types cleartap does not implement, and unknown
// types, fail here with CT_ERR_CONFIG.
//
// Each entry may carry, besides its own fields: `id` (names its spool directory), Qtap's `event_store` selector
// (accepted, unused), and ours: spool: {dir, max_size (256MiB), when_full (drop-oldest | drop-newest), fsync
// (interval | always | never)}.

import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import { createClickHouseBackend, readClickHouseSettings } from './clickhouse/index.ts';
import { createLocalEventBackend, createLocalObjectBackend, DEFAULT_RETENTION, type Retention } from './local/index.ts';
import { createPulseBackend, readPulseSettings } from './pulse/index.ts';
import { createS3Backend, readS3Settings } from './s3/index.ts';
import { asObject, configError, readChoice, readDuration, readSize, readString, type ConfigObject } from './store-config.ts';
import { createSpooledEventStore, createSpooledObjectStore, type DeliveryTuning, type SpooledStoreOptions, type StoreControl } from './spooled-store.ts';
import type { ArtifactRecordEvent, EventStore, ObjectStore } from '../core/stores.ts';

export interface StoreDeps {
  log: Logger;
  /** The local store's directory unless its entry gives `path`; default /var/lib/cleartap. */
  dataDir?: string;
  /** Where spools go unless an entry gives spool.dir; default <dataDir>/spool. */
  spoolDir?: string;
  /** For env ValueSources; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Names the entry in error messages; default services.object_stores[0] / services.event_stores[0]. */
  where?: string;
  /** The entry's place in its list: entries after the first get their own default spool directory. */
  index?: number;
  /** How long close() lets a store empty its spool; default 5 s. */
  closeTimeoutMs?: number;
}

export interface ObjectStoreDeps extends StoreDeps {
  /** Builds the stdout store (it lives with the plugins). Required only when an entry is `stdout`. */
  stdout?: () => ObjectStore;
  /** Told about each object stored in S3, with its URL (Qtap submits it to the event store as an ArtifactRecord). */
  onArtifactStored?: (record: ArtifactRecordEvent) => void;
}

export interface EventStoreDeps extends StoreDeps {
  stdout?: () => EventStore;
}

/** What the pipeline, /metrics and tests see of any store the factory built. */
export interface StoreInfo {
  /** e.g. "object_store.s3": the label for metrics and logs. */
  readonly name: string;
  /** Spooled stores: StoreCounters (written, retried, spooled, dropped_*, backlog, ...); stdout its own. */
  counters(): Readonly<Record<string, number>>;
  /** Resolves true once everything put so far reached the store, false when timeoutMs passed first. */
  whenDelivered(timeoutMs: number): Promise<boolean>;
  /** Checks the backend now (reachable, credentials, bucket or table); rejects with CT_ERR_STORE(_AUTH). */
  verify(): Promise<void>;
}

export type ManagedObjectStore = ObjectStore & StoreInfo;
export type ManagedEventStore = EventStore & StoreInfo;

export const DEFAULT_DATA_DIR = '/var/lib/cleartap';
const DEFAULT_SPOOL_BYTES = 256 * 1024 * 1024;

const QTAP_OBJECT_STORES: Readonly<Record<string, string>> = { qpoint: 'Qpoint warehouse', otel: 'OpenTelemetry' };
const QTAP_EVENT_STORES: Readonly<Record<string, string>> = {
  'pulse-streaming': 'Qpoint Pulse', 'pulse-legacy': 'Qpoint Pulse', axiom: 'Axiom', otel: 'OpenTelemetry',
};

function storeType(cfg: ConfigObject, where: string, kind: 'object' | 'event', qtap: Readonly<Record<string, string>>, ours: readonly string[]): string {
  const type = readString(cfg, 'type', where);
  if (type === undefined) throw configError(where, `type is required (one of ${ours.join(', ')})`);
  if (type in qtap) {
    throw configError(where, `${kind} store type ${type} (${qtap[type]}) is a Qtap store cleartap does not implement`, `use one of ${ours.join(', ')}`);
  }
  if (!ours.includes(type)) throw configError(where, `unknown ${kind} store type "${type}"`, `use one of ${ours.join(', ')}`);
  return type;
}

function spoolOptions(cfg: ConfigObject, where: string, deps: StoreDeps, name: string): SpooledStoreOptions['spool'] {
  const spool = asObject(cfg.spool, `${where}.spool`);
  const id = readString(cfg, 'id', where) ?? (deps.index ? String(deps.index) : undefined);
  const root = deps.spoolDir ?? join(deps.dataDir ?? DEFAULT_DATA_DIR, 'spool');
  return {
    dir: readString(spool, 'dir', `${where}.spool`) ?? join(root, id === undefined ? name : `${name}-${id.replace(/[^A-Za-z0-9_.-]/g, '_')}`),
    maxBytes: readSize(spool, 'max_size', `${where}.spool`) ?? DEFAULT_SPOOL_BYTES,
    policy: readChoice(spool, 'when_full', ['drop-oldest', 'drop-newest'] as const, `${where}.spool`) ?? 'drop-oldest',
    fsync: readChoice(spool, 'fsync', ['interval', 'always', 'never'] as const, `${where}.spool`) ?? 'interval',
  };
}

export function localSettings(cfg: ConfigObject, where: string, dataDir: string | undefined): { dir: string; retention: Retention } {
  const retention = asObject(cfg.retention, `${where}.retention`);
  return {
    dir: readString(cfg, 'path', where) ?? dataDir ?? DEFAULT_DATA_DIR,
    retention: {
      maxAgeMs: readDuration(retention, 'max_age', `${where}.retention`) ?? DEFAULT_RETENTION.maxAgeMs,
      maxBytes: readSize(retention, 'max_size', `${where}.retention`) ?? DEFAULT_RETENTION.maxBytes,
    },
  };
}

// stdout and disabled have no spool and nothing to deliver; they answer the StoreInfo calls trivially.
function unspooled<T extends object>(store: T, name: string, counters: () => Record<string, number>): T & StoreInfo {
  return Object.assign(store, {
    name,
    counters,
    verify: () => Promise.resolve(),
    whenDelivered: () => Promise.resolve(true),
  });
}

function countersOf(store: object): () => Record<string, number> {
  const read = (store as { counters?: () => object }).counters;
  return () => ({ ...(read?.call(store) ?? {}) }) as Record<string, number>;
}

// The spool opens after the backend; when it cannot (its directory is locked), the backend is closed again. A
// backend's own counters (the pulse store's drops at the server) join the spool's.
function spooledOver<S extends StoreControl>(
  backend: { close(): Promise<void>; verify?(): Promise<void>; counters?(): object },
  build: () => S,
): S & StoreInfo {
  let store: S;
  try {
    store = build();
  } catch (err) {
    void backend.close();
    throw err;
  }
  return { ...store, counters: () => ({ ...store.counters(), ...backend.counters?.() }), verify: () => backend.verify?.() ?? Promise.resolve() };
}

export function createObjectStore(config: unknown, deps: ObjectStoreDeps): ManagedObjectStore {
  const where = deps.where ?? 'services.object_stores[0]';
  const cfg = asObject(config, where);
  const type = storeType(cfg, where, 'object', QTAP_OBJECT_STORES, ['stdout', 'disabled', 'local', 's3']);
  const name = `object_store.${type}`;
  const { log } = deps;
  if (type === 'stdout') {
    if (deps.stdout === undefined) throw configError(where, 'stdout object store: no stdout writer was provided');
    const store = deps.stdout();
    return unspooled({ put: store.put.bind(store), flush: () => store.flush(), close: () => store.close() }, name, countersOf(store));
  }
  if (type === 'disabled') {
    let discarded = 0;
    return unspooled({ put: () => void discarded++, flush: () => Promise.resolve(), close: () => Promise.resolve() }, name, () => ({ discarded }));
  }
  // Read the backend's settings before the spool takes its directory, so a config error leaves nothing open.
  const spool = spoolOptions(cfg, where, deps, `objects-${type}`);
  const options = { name, log, spool, closeTimeoutMs: deps.closeTimeoutMs };
  if (type === 'local') {
    const backend = createLocalObjectBackend({ ...localSettings(cfg, where, deps.dataDir), log });
    return spooledOver(backend, () => createSpooledObjectStore(backend, options));
  }
  const settings = readS3Settings(cfg, where, deps.env ?? process.env);
  const backend = createS3Backend(settings, { onStored: deps.onArtifactStored });
  const delivery: DeliveryTuning = { maxBatchRecords: 64, maxBatchBytes: 16 * 1024 * 1024 };
  return spooledOver(backend, () => createSpooledObjectStore(backend, { ...options, delivery }));
}

export function createEventStore(config: unknown, deps: EventStoreDeps): ManagedEventStore {
  const where = deps.where ?? 'services.event_stores[0]';
  const cfg = asObject(config, where);
  const type = storeType(cfg, where, 'event', QTAP_EVENT_STORES, ['stdout', 'disabled', 'local', 'clickhouse', 'pulse']);
  const name = `event_store.${type}`;
  const { log } = deps;
  if (type === 'stdout') {
    if (deps.stdout === undefined) throw configError(where, 'stdout event store: no stdout logger was provided');
    const store = deps.stdout();
    return unspooled({ submit: store.submit.bind(store), flush: () => store.flush(), close: () => store.close() }, name, countersOf(store));
  }
  if (type === 'disabled') {
    let discarded = 0;
    return unspooled({ submit: () => void discarded++, flush: () => Promise.resolve(), close: () => Promise.resolve() }, name, () => ({ discarded }));
  }
  const spool = spoolOptions(cfg, where, deps, `events-${type}`);
  const options = { name, log, spool, closeTimeoutMs: deps.closeTimeoutMs };
  if (type === 'local') {
    const backend = createLocalEventBackend({ ...localSettings(cfg, where, deps.dataDir), log });
    return spooledOver(backend, () => createSpooledEventStore(backend, options));
  }
  if (type === 'pulse') {
    const backend = createPulseBackend(readPulseSettings(cfg, where, deps.env ?? process.env));
    const delivery: DeliveryTuning = { maxBatchRecords: 1000, maxBatchBytes: 2 * 1024 * 1024, lingerMs: 200 };
    return spooledOver(backend, () => createSpooledEventStore(backend, { ...options, delivery }));
  }
  const settings = readClickHouseSettings(cfg, where, deps.env ?? process.env);
  const backend = createClickHouseBackend(settings);
  const delivery: DeliveryTuning = { maxBatchRecords: settings.batchSize, lingerMs: settings.flushIntervalMs };
  return spooledOver(backend, () => createSpooledEventStore(backend, { ...options, delivery }));
}
