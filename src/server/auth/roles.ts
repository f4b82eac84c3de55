// Roles and what each route requires. Users have one role; a role includes every role below it
// (admin ⊃ editor ⊃ viewer). Agents and enrollment tokens are not users: they reach only their own routes.
//
//   viewer  read traffic, inventory, metrics, agents, config history; manage their own API tokens
//   editor  + validate, create and roll out config versions
//   admin   + users, enrollment tokens, agents, settings, the audit log

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route requires: `public` (no credentials), a user role, an agent's token, or an enrollment token. */
export const ACCESS_LEVELS = ['public', ...ROLES, 'agent', 'enrollment'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);
export const isAccess = (v: unknown): v is Access => typeof v === 'string' && (ACCESS_LEVELS as readonly string[]).includes(v);

export function roleAtLeast(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** The lesser of two roles (an API token never has more than its owner has now). */
export function lesserRole(a: Role, b: Role): Role {
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}
