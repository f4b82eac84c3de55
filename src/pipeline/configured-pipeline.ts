// Builds the tap stage and its plugin stacks from a loaded config, with the stores its `services` name:
// the same for eBPF capture, passive capture and capture files.
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Logger } from '../core/logger.ts';
import type { LoadedConfig } from '../config/index.ts';
import { createStdoutEventStore, createStdoutObjectStore } from '../plugins/index.ts';
import { createEventStores, createObjectStores, DEFAULT_DATA_DIR, localStoreDir, type ManagedEventStore, type ManagedObjectStore } from '../sinks/index.ts';
import { LiveDiscovery } from './live-discovery.ts';
import { SKIP_NOTHING, type ProcessSkip, type TrafficSettings } from '../tap/index.ts';
import { bodyBytesFor, tapSettingsOf } from './config-settings.ts';
import { TapPipeline, type SharedServices } from './tap-pipeline.ts';

/** Where local stores and spools live unless the config says: $CLEARTAP_DATA_DIR, else /var/lib/cleartap. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CLEARTAP_DATA_DIR || DEFAULT_DATA_DIR;
}

/**
 * The stores a config names. Every entry of a list gets the records (Qtap uses only the first; cleartap's
 * default prints to stdout and keeps a local copy). Each non-stdout store sits behind a durable spool; its
 * backend is checked in the background, and what cannot be delivered yet stays spooled.
 */
export function storesOf(loaded: LoadedConfig, log: Logger): { objectStore: ManagedObjectStore; eventStore: ManagedEventStore } {
  const { services } = loaded.config;
  const deps = { log, dataDir: dataDir() };
  let eventStore: ManagedEventStore | undefined;
  const objectStore = createObjectStores(services.object_stores, {
    ...deps,
    stdout: () => createStdoutObjectStore({ log }),
    onArtifactStored: (item) => eventStore?.submit({ type: 'artifact_record', item }),
  });
  try {
    eventStore = createEventStores(services.event_stores, { ...deps, stdout: () => createStdoutEventStore(log) });
  } catch (err) {
    void objectStore.close();
    throw err;
  }
  void Promise.all([objectStore.verify(), eventStore.verify()]).catch((err: unknown) =>
    log.error({ error: (err as Error).message, hint: (err as { hint?: string }).hint }, 'a store cannot be reached: its records stay spooled until it can'),
  );
  return { objectStore, eventStore };
}

export function sharedServices(loaded: LoadedConfig, log: Logger): SharedServices & { objectStore: ManagedObjectStore; eventStore: ManagedEventStore } {
  return { log, stdout: process.stdout, ...storesOf(loaded, log), metrics: { registry: new Registry(), systemRegistry: new Registry() }, configDir: loaded.dir };
}

/** With a local store, the agent keeps the API inventory beside it (<local store>/discovery/). */
function liveDiscoveryFor(loaded: LoadedConfig, log: Logger): LiveDiscovery | undefined {
  const { services } = loaded.config;
  const hasLocal = [...services.object_stores, ...services.event_stores].some((s) => s.type === 'local');
  return hasLocal ? new LiveDiscovery(join(localStoreDir(services, dataDir()), 'discovery'), log) : undefined;
}

export interface ConfiguredPipeline {
  pipeline: TapPipeline;
  /** Counters of every store (written, retried, spooled, dropped …), by store. */
  storeCounters(): Record<string, Readonly<Record<string, number>>>;
  /** Bytes of each body the outputs need kept (0: heads only). */
  maxBodyBytes: number;
}

/**
 * The pipeline a config describes. `traffic` replaces the config's direction/loopback settings where they do
 * not apply (passive capture sees servers from the wire, with no local process to be egress from).
 */
export async function configuredPipeline(
  loaded: LoadedConfig,
  log: Logger,
  opts: { maxBody: number; skipOf?: (pid: number | undefined) => ProcessSkip; traffic?: TrafficSettings },
): Promise<ConfiguredPipeline> {
  const settings = tapSettingsOf(loaded.config);
  if (opts.traffic) settings.traffic = opts.traffic;
  const services = sharedServices(loaded, log);
  const discovery = liveDiscoveryFor(loaded, log);
  const pipeline = await TapPipeline.create(settings, services, opts.skipOf ?? (() => SKIP_NOTHING), discovery);
  discovery?.start();
  return {
    pipeline,
    storeCounters: () => ({ [services.objectStore.name]: services.objectStore.counters(), [services.eventStore.name]: services.eventStore.counters() }),
    maxBodyBytes: bodyBytesFor(settings, opts.maxBody),
  };
}
