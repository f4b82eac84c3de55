// The one place where access is decided. Every route declares `config.access` (the server refuses to start with
// a route that does not: see app.ts); this onRequest hook runs before the body is read or validated, so a caller
// without the right credentials learns nothing about the route's inputs.
//
// Credentials: `Authorization: Bearer <token>` (API, agent and enrollment tokens), else the session cookie.
// Missing, unknown, expired or revoked → 401. Valid but not allowed here → 403: a user below the route's role,
// or the wrong kind of credential (an agent token on a user route, a user on an agent route). A request
// authenticated by the session cookie that changes state must come from the server's own origin when it names
// one (SameSite=Strict already keeps other sites' requests from carrying the cookie; this is the second lock).
//
// The seam for single sign-on: an OIDC login ends in SessionStore.create, like a password login, and every route
// stays as it is.

import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.ts';
import type { SessionStore } from '../state/sessions.ts';
import type { TokenStore } from '../state/tokens.ts';
import type { Principal } from './principal.ts';
import { roleAtLeast, type Access } from './roles.ts';

export const SESSION_COOKIE = 'cleartap_session';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const CHALLENGE = { 'www-authenticate': 'Bearer realm="cleartap"' };

const unauthenticated = (message: string) => new ApiError('CT_ERR_UNAUTHENTICATED', message, { headers: CHALLENGE });

export function authenticate(request: FastifyRequest, tokens: TokenStore, sessions: SessionStore): Principal {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m === null) throw unauthenticated('the Authorization header must be "Bearer <token>"');
    const holder = tokens.resolve(m[1]);
    if (holder === undefined) throw unauthenticated('the token is unknown, expired or revoked');
    if (holder.kind === 'api') return { kind: 'user', userId: holder.user.id, username: holder.user.username, role: holder.role, via: 'token', tokenId: holder.token.id };
    if (holder.kind === 'agent') return { kind: 'agent', agentId: holder.agentId, name: holder.agentName, tokenId: holder.token.id };
    return { kind: 'enrollment', tokenId: holder.token.id, name: holder.token.name };
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (cookie !== undefined && cookie !== '') {
    const session = sessions.resolve(cookie);
    if (session === undefined) throw unauthenticated('the session has expired or was ended: log in again');
    return { kind: 'user', userId: session.user.id, username: session.user.username, role: session.user.role, via: 'session' };
  }
  throw unauthenticated('credentials required: a Bearer token or a session cookie from POST /api/v1/auth/login');
}

export function allowed(p: Principal, access: Exclude<Access, 'public'>): boolean {
  if (access === 'agent') return p.kind === 'agent';
  if (access === 'enrollment') return p.kind === 'enrollment';
  return p.kind === 'user' && roleAtLeast(p.role, access);
}

function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    // request.host is the Host header, or X-Forwarded-Host behind a trusted proxy.
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

export function accessHook(tokens: TokenStore, sessions: SessionStore) {
  return async (request: FastifyRequest): Promise<void> => {
    const access = request.routeOptions.config.access;
    // No access option: fastify's own 404 route. Public: nothing to check.
    if (access === undefined || access === 'public') return;
    const principal = authenticate(request, tokens, sessions);
    if (!allowed(principal, access)) {
      const need = access === 'agent' ? 'an agent token' : access === 'enrollment' ? 'an enrollment token' : `the ${access} role`;
      throw new ApiError('CT_ERR_FORBIDDEN', `${request.method} ${request.routeOptions.url} needs ${need}`);
    }
    if (principal.kind === 'user' && principal.via === 'session' && UNSAFE.has(request.method) && !sameOrigin(request)) {
      throw new ApiError('CT_ERR_FORBIDDEN', 'cross-origin request refused (Origin does not match Host)');
    }
    request.principal = principal;
  };
}
