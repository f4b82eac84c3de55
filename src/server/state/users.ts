// Local users: name, scrypt hash, role. The last admin can be neither demoted nor deleted, so the server can
// always be administered.

import type { DatabaseSync } from 'node:sqlite';
import { ApiError, notFound } from '../api-error.ts';
import type { Role } from '../auth/roles.ts';
import { inTransaction, iso, isConstraintError } from './state-db.ts';

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: Role;
  created_at: number;
  updated_at: number;
}

export interface UserView {
  username: string;
  role: Role;
  createdAt: string;
  updatedAt: string;
}

export const userView = (u: UserRow): UserView => ({ username: u.username, role: u.role, createdAt: iso(u.created_at), updatedAt: iso(u.updated_at) });

export class UserStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  byName(username: string): UserRow | undefined {
    return this.#db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
  }

  byId(id: number): UserRow | undefined {
    return this.#db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
  }

  list(): UserRow[] {
    return this.#db.prepare('SELECT * FROM users ORDER BY username').all() as unknown as UserRow[];
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  create(username: string, passwordHash: string, role: Role, now = Date.now()): UserRow {
    try {
      this.#db.prepare('INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(username, passwordHash, role, now, now);
    } catch (err) {
      if (isConstraintError(err)) throw new ApiError('CT_ERR_CONFLICT', `user "${username}" exists`);
      throw err;
    }
    return this.byName(username) as UserRow;
  }

  /** Changes role and/or password; a new password ends the user's sessions. Returns the row before and after. */
  update(username: string, change: { role?: Role; passwordHash?: string }, now = Date.now()): { before: UserRow; after: UserRow } {
    return inTransaction(this.#db, () => {
      const before = this.byName(username);
      if (before === undefined) throw notFound(`user "${username}"`);
      if (change.role !== undefined && change.role !== 'admin' && before.role === 'admin' && this.#admins() === 1) {
        throw new ApiError('CT_ERR_CONFLICT', `"${before.username}" is the last admin: make another user admin first`);
      }
      this.#db
        .prepare('UPDATE users SET role = coalesce(?, role), password_hash = coalesce(?, password_hash), updated_at = ? WHERE id = ?')
        .run(change.role ?? null, change.passwordHash ?? null, now, before.id);
      if (change.passwordHash !== undefined) this.#db.prepare('DELETE FROM sessions WHERE user_id = ?').run(before.id);
      return { before, after: this.byId(before.id) as UserRow };
    });
  }

  delete(username: string): UserRow {
    return inTransaction(this.#db, () => {
      const user = this.byName(username);
      if (user === undefined) throw notFound(`user "${username}"`);
      if (user.role === 'admin' && this.#admins() === 1) throw new ApiError('CT_ERR_CONFLICT', `"${user.username}" is the last admin`);
      this.#db.prepare('DELETE FROM users WHERE id = ?').run(user.id);
      return user;
    });
  }

  #admins(): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin'").get() as { n: number }).n;
  }
}
