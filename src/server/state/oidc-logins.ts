// Single sign-on logins under way: between the redirect to the identity provider and its callback, the state,
// nonce and PKCE verifier wait here, under the SHA-256 of a random secret the browser holds in a short-lived
// cookie. So the callback is bound to the browser that started the login (a link forged elsewhere finds
// nothing), each login can finish once (taking it deletes it), and the verifier never leaves the server. Expired
// rows go at each new login; a flood of logins that never finish is capped.
import type { DatabaseSync } from 'node:sqlite';
import type { PendingLogin } from '../auth/oidc-relying-party.ts';
import { newSecret, secretHash } from '../auth/secrets.ts';
import { inTransaction } from './state-db.ts';

export const OIDC_LOGIN_TTL_MS = 10 * 60_000;
const MAX_PENDING = 10_000;

interface LoginRow {
  state: string;
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
  return_to: string;
}

export class OidcLoginStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Keeps a login under way; returns the secret for the browser's cookie (never stored). */
  start(pending: PendingLogin, now = Date.now()): string {
    const secret = newSecret('sso');
    inTransaction(this.#db, () => {
      this.#db.prepare('DELETE FROM oidc_logins WHERE expires_at <= ?').run(now);
      this.#db.prepare('DELETE FROM oidc_logins WHERE hash IN (SELECT hash FROM oidc_logins ORDER BY created_at DESC LIMIT -1 OFFSET ?)').run(MAX_PENDING - 1);
      this.#db
        .prepare('INSERT INTO oidc_logins (hash, state, nonce, code_verifier, redirect_uri, return_to, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(secretHash(secret), pending.state, pending.nonce, pending.codeVerifier, pending.redirectUri, pending.returnTo, now, now + OIDC_LOGIN_TTL_MS);
    });
    return secret;
  }

  /** The login of this cookie's secret, removed so it cannot finish twice; undefined when unknown or expired. */
  take(secret: string, now = Date.now()): PendingLogin | undefined {
    const row = this.#db.prepare('DELETE FROM oidc_logins WHERE hash = ? RETURNING *, expires_at > ? AS live').get(secretHash(secret), now) as (LoginRow & { live: number }) | undefined;
    if (row === undefined || row.live !== 1) return undefined;
    return { state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, redirectUri: row.redirect_uri, returnTo: row.return_to };
  }
}
