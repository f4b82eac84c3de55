// Which cleartap role a single sign-on user gets: the values of one claim of theirs (a group or role list, as the
// identity provider sends it in the ID token or from its userinfo endpoint), each looked up in the role map. The
// highest role any value maps to wins; when none maps, the default role (viewer unless configured), or no role at
// all — the login is refused — when the default is `none`.
import { roleAtLeast, type Role } from './roles.ts';

export interface RoleMapping {
  /** A claim name, or a dotted path into the claims (`realm_access.roles`); unset: `groups`, then `roles`. */
  claim?: string;
  /** Claim value → role. */
  map: ReadonlyMap<string, Role>;
  /** The role when no value maps; null: refuse the login. */
  defaultRole: Role | null;
}

export const DEFAULT_ROLE_CLAIMS = ['groups', 'roles'] as const;

/** The strings at a dotted path: a string is one value, an array gives its strings; anything else gives none. */
export function claimValues(claims: Readonly<Record<string, unknown>>, path: string): string[] {
  let at: unknown = claims;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null || Array.isArray(at) || !Object.hasOwn(at, key)) return [];
    at = (at as Record<string, unknown>)[key];
  }
  if (typeof at === 'string') return [at];
  return Array.isArray(at) ? at.filter((v): v is string => typeof v === 'string') : [];
}

export interface MappedRole {
  role: Role | null;
  /** The claim values that mapped to a role (empty when the default applied). */
  matched: string[];
  /** Every value the claim had, for the audit log. */
  values: string[];
}

export function roleFromClaims(claims: Readonly<Record<string, unknown>>, mapping: RoleMapping): MappedRole {
  const values = (mapping.claim === undefined ? DEFAULT_ROLE_CLAIMS : [mapping.claim]).flatMap((path) => claimValues(claims, path));
  let role: Role | null = null;
  const matched: string[] = [];
  for (const value of values) {
    const mapped = mapping.map.get(value);
    if (mapped === undefined) continue;
    matched.push(value);
    if (role === null || roleAtLeast(mapped, role)) role = mapped;
  }
  return { role: role ?? mapping.defaultRole, matched, values };
}
