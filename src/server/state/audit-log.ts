// The audit log: every change made through the API — who (the actor), when, what (action and target), the
// details, and for config and settings a diff of before and after. Append-only: nothing in the API deletes or
// edits an entry. Reads page backwards by id.

import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { iso } from './state-db.ts';

export interface AuditEntry {
  id: number;
  time: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  diff: string | null;
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  sinceMs?: number;
  untilMs?: number;
  beforeId?: number;
  limit: number;
}

interface AuditRow {
  id: number;
  time_ms: number;
  actor: string;
  action: string;
  target: string;
  details: string;
  diff: string | null;
}

export class AuditLog {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  record(actor: string, action: string, target: string, details: Record<string, unknown> = {}, diff: string | null = null, now = Date.now()): void {
    this.#db.prepare('INSERT INTO audit_log (time_ms, actor, action, target, details, diff) VALUES (?, ?, ?, ?, ?, ?)').run(now, actor, action, target, JSON.stringify(details), diff);
  }

  /** Newest first; `action` matches exactly or by prefix with a trailing `.` (`config.` = every config action). */
  list(filter: AuditFilter): AuditEntry[] {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (filter.action !== undefined) {
      if (filter.action.endsWith('.')) {
        where.push('substr(action, 1, ?) = ?');
        params.push(filter.action.length, filter.action);
      } else {
        where.push('action = ?');
        params.push(filter.action);
      }
    }
    if (filter.actor !== undefined) {
      where.push('actor = ?');
      params.push(filter.actor);
    }
    if (filter.sinceMs !== undefined) {
      where.push('time_ms >= ?');
      params.push(filter.sinceMs);
    }
    if (filter.untilMs !== undefined) {
      where.push('time_ms < ?');
      params.push(filter.untilMs);
    }
    if (filter.beforeId !== undefined) {
      where.push('id < ?');
      params.push(filter.beforeId);
    }
    params.push(filter.limit);
    const rows = this.#db.prepare(`SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`).all(...params) as unknown as AuditRow[];
    return rows.map((r) => ({ id: r.id, time: iso(r.time_ms), actor: r.actor, action: r.action, target: r.target, details: JSON.parse(r.details) as Record<string, unknown>, diff: r.diff }));
  }
}
