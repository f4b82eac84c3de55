// Registered agents and what they last reported. An agent registers with an enrollment token and gets its own
// token; registering again under the same name replaces that token (a reinstalled host keeps its identity and
// history). The last status report is kept whole, as JSON: version, uptime, probes per process, drop counters
// and how the last config it fetched went.

import type { DatabaseSync } from 'node:sqlite';
import { notFound } from '../api-error.ts';
import { newId } from '../auth/secrets.ts';
import { isoOrNull, iso } from './state-db.ts';

export interface ProbeStatus {
  pid: number;
  exe: string;
  library: string;
  attached: boolean;
  error?: string;
}

export interface AgentStatusReport {
  version: string;
  hostname?: string;
  uptimeSeconds?: number;
  probes: ProbeStatus[];
  drops: Record<string, number>;
  config?: { version: number; state: 'applied' | 'failed'; error?: string };
}

export interface AgentRow {
  id: string;
  name: string;
  hostname: string | null;
  version: string | null;
  labels: string;
  registered_at: number;
  last_seen_at: number | null;
  status: string | null;
}

export interface AgentView {
  id: string;
  name: string;
  hostname: string | null;
  version: string | null;
  labels: Record<string, string>;
  registeredAt: string;
  lastSeenAt: string | null;
  status: (AgentStatusReport & { reportedAt: string }) | null;
}

export class AgentStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Creates the agent, or refreshes the one of that name; returns it and whether it existed. */
  register(fields: { name: string; hostname?: string; version?: string; labels?: Record<string, string> }, now = Date.now()): { agent: AgentRow; existed: boolean } {
    const existing = this.#db.prepare('SELECT * FROM agents WHERE name = ?').get(fields.name) as AgentRow | undefined;
    if (existing !== undefined) {
      this.#db
        .prepare('UPDATE agents SET hostname = coalesce(?, hostname), version = coalesce(?, version), labels = ?, last_seen_at = ? WHERE id = ?')
        .run(fields.hostname ?? null, fields.version ?? null, JSON.stringify(fields.labels ?? JSON.parse(existing.labels)), now, existing.id);
      return { agent: this.byId(existing.id) as AgentRow, existed: true };
    }
    const id = newId('agt');
    this.#db
      .prepare('INSERT INTO agents (id, name, hostname, version, labels, registered_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, fields.name, fields.hostname ?? null, fields.version ?? null, JSON.stringify(fields.labels ?? {}), now, now);
    return { agent: this.byId(id) as AgentRow, existed: false };
  }

  byId(id: string): AgentRow | undefined {
    return this.#db.prepare('SELECT * FROM agents WHERE id = ?').get(id) as AgentRow | undefined;
  }

  get(id: string): AgentRow {
    const row = this.byId(id);
    if (row === undefined) throw notFound(`agent ${id}`);
    return row;
  }

  list(): AgentRow[] {
    return this.#db.prepare('SELECT * FROM agents ORDER BY name').all() as unknown as AgentRow[];
  }

  report(id: string, status: AgentStatusReport, now = Date.now()): void {
    this.#db
      .prepare('UPDATE agents SET version = ?, hostname = coalesce(?, hostname), last_seen_at = ?, status = ? WHERE id = ?')
      .run(status.version, status.hostname ?? null, now, JSON.stringify({ ...status, reportedAt: iso(now) }), id);
  }

  seen(id: string, now = Date.now()): void {
    this.#db.prepare('UPDATE agents SET last_seen_at = ? WHERE id = ?').run(now, id);
  }

  delete(id: string): AgentRow {
    const row = this.get(id);
    this.#db.prepare('DELETE FROM agents WHERE id = ?').run(id);
    return row;
  }

  view(row: AgentRow): AgentView {
    return {
      id: row.id,
      name: row.name,
      hostname: row.hostname,
      version: row.version,
      labels: JSON.parse(row.labels) as Record<string, string>,
      registeredAt: iso(row.registered_at),
      lastSeenAt: isoOrNull(row.last_seen_at),
      status: row.status === null ? null : (JSON.parse(row.status) as AgentView['status']),
    };
  }
}
