// Builds the tap stage and its plugin stacks from a loaded config, with the stores its `services` name:
// the same for eBPF capture, passive capture and capture files.
import { Registry } from 'prom-client';
import { CleartapError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { LoadedConfig } from '../config/index.ts';
import { createStdoutEventStore, createStdoutObjectStore, type EventStore, type ObjectStore } from '../plugins/index.ts';
import { SKIP_NOTHING, type ProcessSkip, type TrafficSettings } from '../tap/index.ts';
import { needsBodies, tapSettingsOf } from './config-settings.ts';
import { TapPipeline, type SharedServices } from './tap-pipeline.ts';

const DISABLED_OBJECTS: ObjectStore = { put: () => {}, flush: () => Promise.resolve(), close: () => Promise.resolve() };
const DISABLED_EVENTS: EventStore = { submit: () => {}, flush: () => Promise.resolve(), close: () => Promise.resolve() };

/** The stores a config names (only the first of each list is used, as in Qtap). */
export function storesOf(loaded: LoadedConfig, log: Logger): { objectStore: ObjectStore; eventStore: EventStore } {
  const pick = (kind: 'object_stores' | 'event_stores') => {
    const store = loaded.config.services[kind][0];
    if (store === undefined || store.type === 'stdout' || store.type === 'disabled') return store?.type ?? 'disabled';
    throw new CleartapError('CT_ERR_CONFIG', `${loaded.source}: services.${kind}[0]: store type '${store.type}' is not available in this build yet`, 'use type: stdout for now');
  };
  const objects = pick('object_stores');
  const events = pick('event_stores');
  return {
    objectStore: objects === 'stdout' ? createStdoutObjectStore({ log }) : DISABLED_OBJECTS,
    eventStore: events === 'stdout' ? createStdoutEventStore(log) : DISABLED_EVENTS,
  };
}

export function sharedServices(loaded: LoadedConfig, log: Logger): SharedServices {
  return { log, stdout: process.stdout, ...storesOf(loaded, log), metrics: { registry: new Registry(), systemRegistry: new Registry() }, configDir: loaded.dir };
}

export interface ConfiguredPipeline {
  pipeline: TapPipeline;
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
  const pipeline = await TapPipeline.create(settings, sharedServices(loaded, log), opts.skipOf ?? (() => SKIP_NOTHING));
  return { pipeline, maxBodyBytes: needsBodies(settings) ? opts.maxBody : 0 };
}
