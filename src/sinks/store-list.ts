// A whole services.object_stores[] or event_stores[] list as one store. Qtap uses only the first entry; cleartap
// sends to every entry, which is how its default keeps printing to stdout while the local store keeps a copy
// (object_stores: [stdout, local]). An empty list is `disabled`, as in Qtap.

import { DEFAULT_RETENTION, type Retention } from './local/index.ts';
import { asObject } from './store-config.ts';
import { createEventStore, createObjectStore, DEFAULT_DATA_DIR, localSettings, type EventStoreDeps, type ManagedEventStore, type ManagedObjectStore, type ObjectStoreDeps, type StoreInfo } from './store-factory.ts';

function buildAll<S extends StoreInfo & { close(): Promise<void> }>(entries: readonly unknown[], build: (entry: unknown, where: string, index: number) => S, list: string): S[] {
  const built: S[] = [];
  try {
    entries.forEach((entry, i) => built.push(build(entry, `${list}[${i}]`, i)));
  } catch (err) {
    // A later entry failed: the earlier ones hold spools and files; let them go before reporting.
    for (const s of built) void s.close();
    throw err;
  }
  return built;
}

function combinedInfo(stores: readonly StoreInfo[]): StoreInfo {
  const labels = stores.map((s, i) => (stores.findIndex((o) => o.name === s.name) === i ? s.name : `${s.name}#${i}`));
  return {
    name: stores.map((s) => s.name).join('+'),
    counters() {
      const out: Record<string, number> = {};
      stores.forEach((s, i) => {
        for (const [key, value] of Object.entries(s.counters())) out[`${labels[i]}.${key}`] = value;
      });
      return out;
    },
    whenDelivered: async (timeoutMs) => (await Promise.all(stores.map((s) => s.whenDelivered(timeoutMs)))).every(Boolean),
    verify: async () => void (await Promise.all(stores.map((s) => s.verify()))),
  };
}

export function createObjectStores(entries: readonly unknown[], deps: Omit<ObjectStoreDeps, 'where' | 'index'>): ManagedObjectStore {
  const stores = buildAll(entries.length > 0 ? entries : [{ type: 'disabled' }], (e, where, index) => createObjectStore(e, { ...deps, where, index }), 'services.object_stores');
  if (stores.length === 1) return stores[0];
  return {
    ...combinedInfo(stores),
    put: (artifact) => stores.forEach((s) => s.put(artifact)),
    flush: async () => void (await Promise.all(stores.map((s) => s.flush()))),
    close: async () => void (await Promise.all(stores.map((s) => s.close()))),
  };
}

export function createEventStores(entries: readonly unknown[], deps: Omit<EventStoreDeps, 'where' | 'index'>): ManagedEventStore {
  const stores = buildAll(entries.length > 0 ? entries : [{ type: 'disabled' }], (e, where, index) => createEventStore(e, { ...deps, where, index }), 'services.event_stores');
  if (stores.length === 1) return stores[0];
  return {
    ...combinedInfo(stores),
    submit: (event) => stores.forEach((s) => s.submit(event)),
    flush: async () => void (await Promise.all(stores.map((s) => s.flush()))),
    close: async () => void (await Promise.all(stores.map((s) => s.close()))),
  };
}

/** Where the local store of these services keeps its data (for `cleartap query`): its path, else the default. */
export function localStoreDir(services: { object_stores: readonly unknown[]; event_stores: readonly unknown[] }, dataDir = DEFAULT_DATA_DIR): string {
  return localStoreSettings(services, dataDir).dir;
}

/** The local store's directory and retention as these services set them (for a second writer: the gateway). */
export function localStoreSettings(services: { object_stores: readonly unknown[]; event_stores: readonly unknown[] }, dataDir = DEFAULT_DATA_DIR): { dir: string; retention: Retention } {
  for (const entry of [...services.object_stores, ...services.event_stores]) {
    const cfg = asObject(entry, 'services');
    if (cfg.type === 'local') return localSettings(cfg, 'services', dataDir);
  }
  return { dir: dataDir, retention: DEFAULT_RETENTION };
}
