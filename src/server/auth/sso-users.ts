// The cleartap user a single sign-on lands in. The account is found by its OIDC identity (issuer and subject:
// names and e-mail addresses change, the subject does not), else made, named after the provider's
// preferred_username or email — never by taking over a local user of that name, who gets a suffixed name instead.
// The role is the provider's to decide at every login: it is set from the claims each time, and an account the
// claims no longer grant any role is removed (with its sessions and API tokens), so access withdrawn at the
// provider ends here at the next login.
import { createHash } from 'node:crypto';
import { ApiError } from '../api-error.ts';
import type { AuditLog } from '../state/audit-log.ts';
import type { OidcIdentity, UserRow, UserStore } from '../state/users.ts';
import type { MappedRole } from './oidc-roles.ts';
import { SsoFailure } from './sso-failure.ts';

/** The audit log's actor for what single sign-on does by itself. */
export const SSO_ACTOR = 'sso';
const MAX_NAME = 64;

/** User names to try for a new account, best first: the provider's name for them, then with a suffix of their
 *  identity's hash (stable, so the same person gets the same fallback name). */
export function ssoUsernames(identity: OidcIdentity, claims: Readonly<Record<string, unknown>>): string[] {
  const tag = createHash('sha256').update(`${identity.issuer}\0${identity.subject}`).digest('hex').slice(0, 8);
  const wanted = [claims.preferred_username, claims.email, identity.subject].find((v): v is string => typeof v === 'string' && v.trim() !== '') ?? '';
  const base = wanted
    .replace(/[^A-Za-z0-9._@-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, MAX_NAME);
  if (base === '') return [`sso-${tag}`];
  return [base, `${base.slice(0, MAX_NAME - tag.length - 1)}-${tag}`];
}

export interface SsoSignIn {
  user: UserRow;
  created: boolean;
}

/** The user for this identity with the role the claims map to; throws SsoFailure when none is granted. */
export function signInSsoUser(users: UserStore, audit: AuditLog, identity: OidcIdentity, claims: Readonly<Record<string, unknown>>, mapped: MappedRole): SsoSignIn {
  const existing = users.byIdentity(identity);
  const granted = mapped.role;
  if (granted === null) {
    if (existing !== undefined) {
      users.deleteSso(existing);
      audit.record(SSO_ACTOR, 'user.delete', `user ${existing.username}`, { role: existing.role, reason: 'no role maps from the identity provider\'s claims', claimValues: mapped.values });
    }
    throw new SsoFailure('CT_ERR_SSO_NO_ROLE', `${identity.subject} at ${identity.issuer}: no role maps from the claim values [${mapped.values.join(', ')}], and the default role is none`);
  }
  if (existing !== undefined) {
    if (existing.role === granted) return { user: existing, created: false };
    const after = users.setSsoRole(existing, granted);
    audit.record(SSO_ACTOR, 'user.update', `user ${after.username}`, { role: { from: existing.role, to: after.role }, matched: mapped.matched });
    return { user: after, created: false };
  }
  for (const name of ssoUsernames(identity, claims)) {
    try {
      const user = users.createSso(name, identity, granted);
      audit.record(SSO_ACTOR, 'user.create', `user ${user.username}`, { role: granted, issuer: identity.issuer, subject: identity.subject, matched: mapped.matched });
      return { user, created: true };
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'CT_ERR_CONFLICT')) throw err;
    }
  }
  throw new SsoFailure('CT_ERR_SSO_ACCOUNT', `the user names for ${identity.subject} at ${identity.issuer} are taken`);
}
