// Bearer tokens of three kinds, one table: `api` (a user's token for scripts; its role is capped by its owner's
// current role), `agent` (issued at registration, one per agent) and `enrollment` (lets agents register; may be
// limited in uses and time). The secret is shown once, at creation; only its SHA-256 is kept.

import type { DatabaseSync } from 'node:sqlite';
import { notFound } from '../api-error.ts';
import { lesserRole, type Role } from '../auth/roles.ts';
import { newId, newSecret, secretHash } from '../auth/secrets.ts';
import { isoOrNull, iso } from './state-db.ts';
import type { UserRow } from './users.ts';

export type TokenKind = 'api' | 'agent' | 'enrollment';

export interface TokenRow {
  id: string;
  hash: string;
  kind: TokenKind;
  name: string;
  role: Role | null;
  user_id: number | null;
  agent_id: string | null;
  created_by: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  uses_left: number | null;
}

export interface TokenView {
  id: string;
  name: string;
  role: Role | null;
  owner: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  usesLeft: number | null;
}

/** Who a valid bearer token speaks for. */
export type TokenHolder =
  | { kind: 'api'; token: TokenRow; user: UserRow; role: Role }
  | { kind: 'agent'; token: TokenRow; agentId: string; agentName: string }
  | { kind: 'enrollment'; token: TokenRow };

export class TokenStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  create(
    kind: TokenKind,
    fields: { name: string; role?: Role; userId?: number; agentId?: string; createdBy: string; expiresAt?: number; usesLeft?: number },
    now = Date.now(),
  ): { secret: string; row: TokenRow } {
    const secret = newSecret(kind);
    const id = newId('tok');
    this.#db
      .prepare('INSERT INTO tokens (id, hash, kind, name, role, user_id, agent_id, created_by, created_at, expires_at, uses_left) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, secretHash(secret), kind, fields.name, fields.role ?? null, fields.userId ?? null, fields.agentId ?? null, fields.createdBy, now, fields.expiresAt ?? null, fields.usesLeft ?? null);
    return { secret, row: this.byId(id) as TokenRow };
  }

  byId(id: string): TokenRow | undefined {
    return this.#db.prepare('SELECT * FROM tokens WHERE id = ?').get(id) as TokenRow | undefined;
  }

  /** The holder of a bearer secret, or undefined when it is unknown, expired or used up. */
  resolve(secret: string, now = Date.now()): TokenHolder | undefined {
    const token = this.#db.prepare('SELECT * FROM tokens WHERE hash = ?').get(secretHash(secret)) as TokenRow | undefined;
    if (token === undefined) return undefined;
    if (token.expires_at !== null && token.expires_at <= now) return undefined;
    if (token.uses_left !== null && token.uses_left <= 0) return undefined;
    // Written at most once a minute per token: a busy script should not turn every read into a write.
    this.#db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)').run(now, token.id, now - 60_000);
    if (token.kind === 'api') {
      const user = this.#db.prepare('SELECT * FROM users WHERE id = ?').get(token.user_id) as UserRow | undefined;
      if (user === undefined || token.role === null) return undefined;
      return { kind: 'api', token, user, role: lesserRole(token.role, user.role) };
    }
    if (token.kind === 'agent') {
      const agent = this.#db.prepare('SELECT name FROM agents WHERE id = ?').get(token.agent_id) as { name: string } | undefined;
      if (agent === undefined || token.agent_id === null) return undefined;
      return { kind: 'agent', token, agentId: token.agent_id, agentName: agent.name };
    }
    return { kind: 'enrollment', token };
  }

  /** Takes one use of an enrollment token (inside the registering transaction). */
  consumeUse(id: string): void {
    this.#db.prepare('UPDATE tokens SET uses_left = uses_left - 1 WHERE id = ? AND uses_left IS NOT NULL').run(id);
  }

  list(kind: TokenKind, userId?: number): TokenRow[] {
    if (userId === undefined) return this.#db.prepare('SELECT * FROM tokens WHERE kind = ? ORDER BY created_at, id').all(kind) as unknown as TokenRow[];
    return this.#db.prepare('SELECT * FROM tokens WHERE kind = ? AND user_id = ? ORDER BY created_at, id').all(kind, userId) as unknown as TokenRow[];
  }

  delete(kind: TokenKind, id: string, userId?: number): TokenRow {
    const row = this.byId(id);
    if (row === undefined || row.kind !== kind || (userId !== undefined && row.user_id !== userId)) throw notFound(`token ${id}`);
    this.#db.prepare('DELETE FROM tokens WHERE id = ?').run(id);
    return row;
  }

  deleteForAgent(agentId: string): void {
    this.#db.prepare("DELETE FROM tokens WHERE kind = 'agent' AND agent_id = ?").run(agentId);
  }

  view(row: TokenRow): TokenView {
    const owner = row.user_id === null ? null : ((this.#db.prepare('SELECT username FROM users WHERE id = ?').get(row.user_id) as { username: string } | undefined)?.username ?? null);
    return {
      id: row.id,
      name: row.name,
      role: row.role,
      owner,
      createdBy: row.created_by,
      createdAt: iso(row.created_at),
      expiresAt: isoOrNull(row.expires_at),
      lastUsedAt: isoOrNull(row.last_used_at),
      usesLeft: row.uses_left,
    };
  }
}
