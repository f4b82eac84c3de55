// Who a request speaks for, once the access hook has checked its credentials, and how the audit log names them.

import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.ts';
import type { Role } from './roles.ts';

export type Principal =
  | { kind: 'user'; userId: number; username: string; role: Role; via: 'session' | 'token'; tokenId?: string }
  | { kind: 'agent'; agentId: string; name: string; tokenId: string }
  | { kind: 'enrollment'; tokenId: string; name: string };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

/** The audit log's name for a principal: `alice`, `alice (token tok_…)`, `agent web-1`, `enrollment tok_…`. */
export function actorOf(p: Principal | null): string {
  if (p === null) return 'anonymous';
  if (p.kind === 'user') return p.via === 'token' ? `${p.username} (token ${p.tokenId})` : p.username;
  if (p.kind === 'agent') return `agent ${p.name}`;
  return `enrollment ${p.tokenId}`;
}

// The access hook guarantees the kind a route declared; these narrow the type for its handler.
export function userOf(request: FastifyRequest): UserPrincipal {
  const p = request.principal;
  if (p?.kind !== 'user') throw new ApiError('CT_ERR_FORBIDDEN', 'this route is for users');
  return p;
}

export function agentOf(request: FastifyRequest): Extract<Principal, { kind: 'agent' }> {
  const p = request.principal;
  if (p?.kind !== 'agent') throw new ApiError('CT_ERR_FORBIDDEN', 'this route is for agents');
  return p;
}

export function enrollmentOf(request: FastifyRequest): Extract<Principal, { kind: 'enrollment' }> {
  const p = request.principal;
  if (p?.kind !== 'enrollment') throw new ApiError('CT_ERR_FORBIDDEN', 'this route takes an enrollment token');
  return p;
}
