// Bearer secrets (API, agent and enrollment tokens; session ids): 32 random bytes, base64url, behind a prefix
// that says what the secret is (so secret scanners and people recognise a leaked one). Only their SHA-256 is
// stored: a token is looked up by its hash, and a database leak gives no usable credential. SHA-256 without
// salt or stretching is enough here, unlike for passwords: the secrets are uniformly random 256-bit values.

import { createHash, randomBytes } from 'node:crypto';

export const SECRET_PREFIXES = {
  api: 'ct_api_',
  agent: 'ct_agt_',
  enrollment: 'ct_enr_',
  session: 'ct_ses_',
  /** A single sign-on login under way (state/oidc-logins.ts). */
  sso: 'ct_sso_',
} as const;

export type SecretKind = keyof typeof SECRET_PREFIXES;

export function newSecret(kind: SecretKind): string {
  return `${SECRET_PREFIXES[kind]}${randomBytes(32).toString('base64url')}`;
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A short random id for a row (`tok_1f2e…`), shown in lists and used in URLs; never a credential. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}
