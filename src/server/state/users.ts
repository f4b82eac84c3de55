// Users: name, role, and either a scrypt hash (local users) or the OIDC issuer and subject they sign in as
// (single sign-on users, who have no usable password). The last admin can be neither demoted nor deleted through
// the API, so the server can always be administered; an SSO user's role is the identity provider's to decide.

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
  oidc_issuer: string | null;
  oidc_subject: string | null;
}

export interface UserView {
  username: string;
  role: Role;
  source: 'local' | 'sso';
  createdAt: string;
  updatedAt: string;
}

/** The OIDC identity a single sign-on user is (the provider's issuer URL and its subject there). */
export interface OidcIdentity {
  issuer: string;
  subject: string;
}

export const isSsoUser = (u: UserRow): boolean => u.oidc_subject !== null;

export const userView = (u: UserRow): UserView => ({ username: u.username, role: u.role, source: isSsoUser(u) ? 'sso' : 'local', createdAt: iso(u.created_at), updatedAt: iso(u.updated_at) });

export const ssoHasNoPassword = (u: UserRow) => new ApiError('CT_ERR_CONFLICT', `"${u.username}" signs in through single sign-on: the identity provider holds their credentials`);

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
      if (change.passwordHash !== undefined && isSsoUser(before)) throw ssoHasNoPassword(before);
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

  byIdentity(identity: OidcIdentity): UserRow | undefined {
    return this.#db.prepare('SELECT * FROM users WHERE oidc_issuer = ? AND oidc_subject = ?').get(identity.issuer, identity.subject) as UserRow | undefined;
  }

  /** A single sign-on user: no password (an empty hash, which no password verifies against). */
  createSso(username: string, identity: OidcIdentity, role: Role, now = Date.now()): UserRow {
    try {
      this.#db
        .prepare("INSERT INTO users (username, password_hash, role, created_at, updated_at, oidc_issuer, oidc_subject) VALUES (?, '', ?, ?, ?, ?, ?)")
        .run(username, role, now, now, identity.issuer, identity.subject);
    } catch (err) {
      if (isConstraintError(err)) throw new ApiError('CT_ERR_CONFLICT', `user "${username}" exists`);
      throw err;
    }
    return this.byName(username) as UserRow;
  }

  /** Sets an SSO user's role as their identity provider's claims map it at login, even when that demotes the last
   *  admin: the provider is where their access is granted and withdrawn. */
  setSsoRole(user: UserRow, role: Role, now = Date.now()): UserRow {
    if (!isSsoUser(user)) throw new ApiError('CT_ERR_CONFLICT', `"${user.username}" is a local user`);
    this.#db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE id = ?').run(role, now, user.id);
    return this.byId(user.id) as UserRow;
  }

  /** Removes an SSO user whom the identity provider no longer grants any role, with their sessions and tokens. */
  deleteSso(user: UserRow): void {
    if (!isSsoUser(user)) throw new ApiError('CT_ERR_CONFLICT', `"${user.username}" is a local user`);
    this.#db.prepare('DELETE FROM users WHERE id = ?').run(user.id);
  }

  #admins(): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin'").get() as { n: number }).n;
  }
}
