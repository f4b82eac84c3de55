// Agent config documents: an append-only list of versions (1, 2, 3, …), each the YAML text as written (comments
// and order kept, so diffs read like the editor's change), and rollouts: "agents now get version N". The latest
// rollout is what every agent's config fetch returns; per agent, a rollout is pending (not fetched yet),
// delivered (fetched), applied or failed (as the agent reported back).

import { createHash } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { ApiError, notFound } from '../api-error.ts';
import { inTransaction, iso } from './state-db.ts';

export interface ConfigVersionRow {
  version: number;
  yaml: string;
  sha256: string;
  comment: string;
  warnings: string;
  created_at: number;
  created_by: string;
}

export interface RolloutRow {
  id: number;
  version: number;
  comment: string;
  created_at: number;
  created_by: string;
}

export type RolloutState = 'pending' | 'delivered' | 'applied' | 'failed';

export interface RolloutAgentState {
  agentId: string;
  name: string;
  state: RolloutState;
  error: string | null;
  updatedAt: string | null;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

export class ConfigStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  latest(): ConfigVersionRow | undefined {
    return this.#db.prepare('SELECT * FROM config_versions ORDER BY version DESC LIMIT 1').get() as ConfigVersionRow | undefined;
  }

  get(version: number): ConfigVersionRow {
    const row = this.#db.prepare('SELECT * FROM config_versions WHERE version = ?').get(version) as ConfigVersionRow | undefined;
    if (row === undefined) throw notFound(`config version ${version}`);
    return row;
  }

  list(limit: number, beforeVersion?: number): ConfigVersionRow[] {
    return this.#db
      .prepare('SELECT * FROM config_versions WHERE version < ? ORDER BY version DESC LIMIT ?')
      .all(beforeVersion ?? Number.MAX_SAFE_INTEGER, limit) as unknown as ConfigVersionRow[];
  }

  /**
   * Appends a version. With baseVersion, only when that is still the latest (0: there is none yet): two editors
   * saving at once do not silently overwrite each other. Returns the new row and the one before it.
   */
  create(yaml: string, fields: { comment: string; warnings: unknown[]; createdBy: string; baseVersion?: number }, now = Date.now()): { created: ConfigVersionRow; previous: ConfigVersionRow | undefined } {
    return inTransaction(this.#db, () => {
      const previous = this.latest();
      const latest = previous?.version ?? 0;
      if (fields.baseVersion !== undefined && fields.baseVersion !== latest) {
        throw new ApiError('CT_ERR_CONFLICT', `version ${latest} was saved since version ${fields.baseVersion} was read: merge with it and save again`);
      }
      const version = latest + 1;
      this.#db
        .prepare('INSERT INTO config_versions (version, yaml, sha256, comment, warnings, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(version, yaml, sha256Hex(yaml), fields.comment, JSON.stringify(fields.warnings), now, fields.createdBy);
      return { created: this.get(version), previous };
    });
  }

  rollout(version: number, fields: { comment: string; createdBy: string }, now = Date.now()): { rollout: RolloutRow; previous: RolloutRow | undefined } {
    return inTransaction(this.#db, () => {
      this.get(version);
      const previous = this.currentRollout();
      const { lastInsertRowid } = this.#db.prepare('INSERT INTO rollouts (version, comment, created_at, created_by) VALUES (?, ?, ?, ?)').run(version, fields.comment, now, fields.createdBy);
      return { rollout: this.getRollout(Number(lastInsertRowid)), previous };
    });
  }

  currentRollout(): RolloutRow | undefined {
    return this.#db.prepare('SELECT * FROM rollouts ORDER BY id DESC LIMIT 1').get() as RolloutRow | undefined;
  }

  getRollout(id: number): RolloutRow {
    const row = this.#db.prepare('SELECT * FROM rollouts WHERE id = ?').get(id) as RolloutRow | undefined;
    if (row === undefined) throw notFound(`rollout ${id}`);
    return row;
  }

  listRollouts(limit: number, beforeId?: number): RolloutRow[] {
    return this.#db.prepare('SELECT * FROM rollouts WHERE id < ? ORDER BY id DESC LIMIT ?').all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as unknown as RolloutRow[];
  }

  /** The agent fetched the rollout's config; an agent that already reported on it keeps its report. */
  markDelivered(rolloutId: number, agentId: string, now = Date.now()): void {
    this.#db.prepare("INSERT OR IGNORE INTO rollout_agents (rollout_id, agent_id, state, updated_at) VALUES (?, ?, 'delivered', ?)").run(rolloutId, agentId, now);
  }

  /** The agent says it applied (or failed to apply) version; recorded on the latest rollout of that version. */
  reportApplied(agentId: string, version: number, state: 'applied' | 'failed', error: string | undefined, now = Date.now()): boolean {
    const rollout = this.#db.prepare('SELECT id FROM rollouts WHERE version = ? ORDER BY id DESC LIMIT 1').get(version) as { id: number } | undefined;
    if (rollout === undefined) return false;
    this.#db
      .prepare('INSERT INTO rollout_agents (rollout_id, agent_id, state, error, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (rollout_id, agent_id) DO UPDATE SET state = excluded.state, error = excluded.error, updated_at = excluded.updated_at')
      .run(rollout.id, agentId, state, error ?? null, now);
    return true;
  }

  /** Every registered agent's state for the rollout: agents without a row have not fetched it yet. */
  agentStates(rolloutId: number): RolloutAgentState[] {
    const rows = this.#db
      .prepare('SELECT a.id, a.name, r.state, r.error, r.updated_at FROM agents a LEFT JOIN rollout_agents r ON r.agent_id = a.id AND r.rollout_id = ? ORDER BY a.name')
      .all(rolloutId) as { id: string; name: string; state: RolloutState | null; error: string | null; updated_at: number | null }[];
    return rows.map((r) => ({ agentId: r.id, name: r.name, state: r.state ?? 'pending', error: r.error, updatedAt: r.updated_at === null ? null : iso(r.updated_at) }));
  }

  agentState(rolloutId: number, agentId: string): RolloutState {
    const row = this.#db.prepare('SELECT state FROM rollout_agents WHERE rollout_id = ? AND agent_id = ?').get(rolloutId, agentId) as { state: RolloutState } | undefined;
    return row?.state ?? 'pending';
  }
}
