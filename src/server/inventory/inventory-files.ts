// The API inventory as the agent writes it (pipeline/live-discovery.ts) into <local store>/discovery/:
// inventory.json (servers and endpoints with calls, statuses, latency, auth and sensitive-data tags) and one
// OpenAPI 3.1 document per server, <server id>.openapi.json. The files are replaced whole by rename, so a read
// never sees half of one; they are re-read only when their modification times change.
//
// A server's id is its document's file stem (api.example.com, api.example.com_8443): stable, URL-safe, and the
// name the agent already gives it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { InventoryEndpoint, InventoryIndex, InventoryServer, OpenApiObject } from '../../discovery/index.ts';
import { templateKey, type EndpointTemplates } from '../store/metrics-query.ts';

const DOCUMENT_SUFFIX = '.openapi.json';
const INDEX_FILE = 'inventory.json';

export interface ServerDocument {
  id: string;
  origin: string;
  doc: OpenApiObject;
}

export interface Inventory {
  generatedAt: string | null;
  servers: Array<InventoryServer & { id: string | null }>;
  endpoints: Array<InventoryEndpoint & { serverId: string | null }>;
  counters: Record<string, number>;
  documents: ReadonlyMap<string, ServerDocument>;
  templates: EndpointTemplates;
}

const EMPTY: Inventory = { generatedAt: null, servers: [], endpoints: [], counters: {}, documents: new Map(), templates: new Map() };

function originOf(doc: OpenApiObject): string | undefined {
  const servers = doc.servers;
  const first = Array.isArray(servers) ? (servers[0] as { url?: unknown } | undefined) : undefined;
  return typeof first?.url === 'string' ? first.url : undefined;
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).hostname.toLowerCase();
  } catch {
    return origin;
  }
}

export class InventoryFiles {
  readonly dir: string;
  #signature = '';
  #cached: Inventory = EMPTY;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The inventory as it is on disk now (empty while the agent has written none). */
  load(): Inventory {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n === INDEX_FILE || n.endsWith(DOCUMENT_SUFFIX)).sort();
    } catch {
      return EMPTY;
    }
    const stamps = names.map((n) => {
      try {
        const s = statSync(join(this.dir, n));
        return `${n}:${s.mtimeMs}:${s.size}`;
      } catch {
        return `${n}:gone`;
      }
    });
    const signature = stamps.join('|');
    if (signature !== this.#signature) {
      this.#cached = this.#read(names);
      this.#signature = signature;
    }
    return this.#cached;
  }

  #read(names: readonly string[]): Inventory {
    const documents = new Map<string, ServerDocument>();
    const idByOrigin = new Map<string, string>();
    for (const name of names) {
      if (!name.endsWith(DOCUMENT_SUFFIX)) continue;
      try {
        const doc = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as OpenApiObject;
        const origin = originOf(doc);
        if (origin === undefined) continue;
        const id = name.slice(0, -DOCUMENT_SUFFIX.length);
        documents.set(id, { id, origin, doc });
        idByOrigin.set(origin, id);
      } catch {
        // replaced between listing and reading: the next load reads the new one
      }
    }
    let index: InventoryIndex | undefined;
    try {
      index = JSON.parse(readFileSync(join(this.dir, INDEX_FILE), 'utf8')) as InventoryIndex;
    } catch {
      index = undefined;
    }
    const endpoints = (index?.endpoints ?? []).map((e) => ({ ...e, serverId: idByOrigin.get(e.server) ?? null }));
    const templates = new Map<string, string[]>();
    for (const e of endpoints) {
      const key = templateKey(hostOf(e.server), e.method);
      let list = templates.get(key);
      if (list === undefined) templates.set(key, (list = []));
      list.push(e.path);
    }
    return {
      generatedAt: index?.generatedAt ?? null,
      servers: (index?.servers ?? []).map((s) => ({ ...s, id: idByOrigin.get(s.server) ?? null })),
      endpoints,
      counters: (index?.counters ?? {}) as unknown as Record<string, number>,
      documents,
      templates,
    };
  }
}
