// Browser sessions: a random secret in an HttpOnly cookie, its SHA-256 here. A session lasts a fixed time from
// login (no sliding renewal: a stolen cookie stops working on schedule); logout, a password change and deleting
// the user end it. Expired rows are swept at each login.

import type { DatabaseSync } from 'node:sqlite';
import { newSecret, secretHash } from '../auth/secrets.ts';
import type { UserRow } from './users.ts';

export class SessionStore {
  readonly #db: DatabaseSync;
  readonly #ttlMs: number;

  constructor(db: DatabaseSync, ttlMs: number) {
    this.#db = db;
    this.#ttlMs = ttlMs;
  }

  /** Starts a session; returns the secret for the cookie (never stored) and when it expires. */
  create(userId: number, now = Date.now()): { secret: string; expiresAt: number } {
    this.#db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
    const secret = newSecret('session');
    const expiresAt = now + this.#ttlMs;
    this.#db.prepare('INSERT INTO sessions (hash, user_id, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?)').run(secretHash(secret), userId, now, expiresAt, now);
    return { secret, expiresAt };
  }

  /** The user of a live session, or undefined (unknown, expired). */
  resolve(secret: string, now = Date.now()): { user: UserRow; expiresAt: number } | undefined {
    const hash = secretHash(secret);
    const row = this.#db
      .prepare('SELECT u.*, s.expires_at AS session_expires FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ? AND s.expires_at > ?')
      .get(hash, now) as (UserRow & { session_expires: number }) | undefined;
    if (row === undefined) return undefined;
    this.#db.prepare('UPDATE sessions SET last_seen_at = ? WHERE hash = ? AND last_seen_at < ?').run(now, hash, now - 60_000);
    const { session_expires: expiresAt, ...user } = row;
    return { user, expiresAt };
  }

  end(secret: string): void {
    this.#db.prepare('DELETE FROM sessions WHERE hash = ?').run(secretHash(secret));
  }
}
