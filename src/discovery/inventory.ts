// The inventory index: every endpoint of every server with when it was first and last seen, how often it was
// called, its status mix, latency percentiles, the credentials it was called with and the sensitive data it
// carries. Written beside the OpenAPI documents as inventory.json, and printed as a table.

import { summarizeLatency, type LatencySummary } from './latency-sketch.ts';
import { collectSensitive, type SensitiveField } from './sensitive-fields.ts';
import { tagNames, type SensitiveTag } from './sensitive-tags.ts';
import type { DiscoveryCounters, DiscoverySnapshot, EndpointSnapshot } from './discovery-model.ts';

export interface InventoryEndpoint {
  server: string;
  method: string;
  path: string;
  firstSeen: string | null;
  lastSeen: string | null;
  calls: number;
  statuses: Record<string, number>;
  errorRate: number;
  latencyMs: LatencySummary | null;
  /** Security scheme ids the endpoint was called with; 'none' for calls without credentials. */
  auth: string[];
  sensitive: SensitiveTag[];
}

export interface InventoryServer {
  server: string;
  endpoints: number;
  calls: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface InventoryIndex {
  generatedAt: string;
  servers: InventoryServer[];
  endpoints: InventoryEndpoint[];
  counters: DiscoveryCounters;
}

function iso(ms: number): string | null {
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

function sensitiveTags(ep: EndpointSnapshot): SensitiveTag[] {
  const agg = ep.aggregate;
  let bits = 0;
  for (const p of ep.pathParams) bits |= p.sketch.tags;
  for (const sk of agg.query.values()) bits |= sk.tags;
  for (const h of agg.headers.values()) bits |= h.sketch.tags;
  const fields: SensitiveField[] = [];
  for (const b of agg.requestBodies.values()) {
    collectSensitive(b.schema, 'requestBody', fields);
    if (b.rejected !== undefined) collectSensitive(b.rejected.schema, 'requestBody', fields);
  }
  for (const r of agg.responses.values()) for (const b of r.bodies.values()) collectSensitive(b.schema, 'response', fields);
  const tags = new Set<SensitiveTag>(tagNames(bits));
  for (const f of fields) for (const t of f.tags) tags.add(t);
  return [...tags].sort();
}

function endpointEntry(server: string, ep: EndpointSnapshot): InventoryEndpoint {
  const agg = ep.aggregate;
  const statuses: Record<string, number> = {};
  let errors = 0;
  let answered = 0;
  for (const s of [...agg.statuses.keys()].sort((a, b) => a - b)) {
    const n = agg.statuses.get(s) as number;
    statuses[String(s)] = n;
    answered += n;
    if (s >= 500) errors += n;
  }
  const auth = new Set<string>();
  for (const requirement of agg.security.keys()) {
    if (requirement === '') auth.add('none');
    else for (const id of requirement.split(' ')) auth.add(id);
  }
  return {
    server,
    method: ep.method,
    path: ep.path,
    firstSeen: iso(agg.firstSeen),
    lastSeen: iso(agg.lastSeen),
    calls: agg.calls,
    statuses,
    errorRate: answered === 0 ? 0 : Math.round((errors / answered) * 10000) / 10000,
    latencyMs: summarizeLatency(agg.latency) ?? null,
    auth: [...auth].sort(),
    sensitive: sensitiveTags(ep),
  };
}

export function inventoryIndex(snapshot: DiscoverySnapshot, generatedAt = new Date()): InventoryIndex {
  const servers: InventoryServer[] = [];
  const endpoints: InventoryEndpoint[] = [];
  for (const s of snapshot.servers) {
    let calls = 0;
    let first = Infinity;
    let last = -Infinity;
    for (const ep of s.endpoints) {
      endpoints.push(endpointEntry(s.origin, ep));
      calls += ep.aggregate.calls;
      first = Math.min(first, ep.aggregate.firstSeen);
      last = Math.max(last, ep.aggregate.lastSeen);
    }
    servers.push({ server: s.origin, endpoints: s.endpoints.length, calls, firstSeen: iso(first), lastSeen: iso(last) });
  }
  return { generatedAt: generatedAt.toISOString(), servers, endpoints, counters: snapshot.counters };
}

/** A plain-text table of the index, one endpoint per line, grouped by server. */
export function formatInventory(index: InventoryIndex): string {
  const lines: string[] = [];
  for (const s of index.servers) {
    lines.push(`${s.server}  ${s.endpoints} endpoint${s.endpoints === 1 ? '' : 's'}, ${s.calls} call${s.calls === 1 ? '' : 's'}`);
    for (const ep of index.endpoints) {
      if (ep.server !== s.server) continue;
      const statuses = Object.entries(ep.statuses).map(([k, v]) => `${k}×${v}`).join(' ');
      const p50 = ep.latencyMs === null ? '' : ` p50 ${ep.latencyMs.p50} ms p99 ${ep.latencyMs.p99} ms`;
      const tags = ep.sensitive.length > 0 ? ` [${ep.sensitive.join(', ')}]` : '';
      lines.push(`  ${ep.method.padEnd(7)}${ep.path}  ${ep.calls} call${ep.calls === 1 ? '' : 's'}  ${statuses}${p50}${tags}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
