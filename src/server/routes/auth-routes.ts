// Logging in and out with a local user's password, and who the caller is. A login starts a session (an
// HttpOnly, SameSite=Strict cookie; Secure over TLS or with --secure-cookies); scripts use API tokens instead.
// Single sign-on users (oidc-routes.ts) have no password: a password login for one is refused like a wrong one.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.ts';
import { SESSION_COOKIE } from '../auth/access-hook.ts';
import { dummyVerifier, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { actorOf, userOf } from '../auth/principal.ts';
import type { ServerContext } from '../context.ts';
import { isoTime, passwordSchema, roleSchema, userSchema, usernameSchema } from '../schemas.ts';
import { isSsoUser, ssoHasNoPassword, userView } from '../state/users.ts';


const sessionSchema = {
  type: 'object',
  required: ['user', 'expiresAt'],
  properties: { user: userSchema, expiresAt: isoTime },
} as const;

const meSchema = {
  type: 'object',
  required: ['username', 'role', 'via'],
  properties: { username: { type: 'string' }, role: roleSchema, via: { type: 'string', enum: ['session', 'token'] }, tokenId: { type: 'string' } },
} as const;

export function setSessionCookie(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, secret: string, expiresAt: number): void {
  reply.setCookie(SESSION_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: ctx.secureCookies || request.protocol === 'https',
    expires: new Date(expiresAt),
  });
}

export function authRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const noSuchUser = dummyVerifier(ctx.scrypt);

  app.post<{ Body: { username: string; password: string } }>('/api/v1/auth/login', {
    config: { access: 'public' },
    schema: {
      operationId: 'login',
      summary: 'Log in with a user name and password: starts a session (cookie)',
      description: 'After 5 failed attempts for one user name within 5 minutes, attempts are refused with 429 until the window has passed.',
      tags: ['auth'],
      body: { type: 'object', additionalProperties: false, required: ['username', 'password'], properties: { username: usernameSchema, password: { type: 'string', minLength: 1, maxLength: 1024 } } },
      response: { 200: sessionSchema },
    },
    handler: async (request, reply) => {
      const { username, password } = request.body;
      const wait = ctx.loginLimiter.retryAfter(username);
      if (wait > 0) throw new ApiError('CT_ERR_RATE_LIMITED', `too many failed logins for "${username}": retry in ${wait} s`, { headers: { 'retry-after': String(wait) } });
      const found = ctx.users.byName(username);
      const sso = found !== undefined && isSsoUser(found);
      const user = sso ? undefined : found;
      const ok = user === undefined ? await noSuchUser(password) : await verifyPassword(password, user.password_hash);
      if (!ok || user === undefined) {
        ctx.loginLimiter.failed(username);
        ctx.audit.record('anonymous', 'auth.login_failed', `user ${username}`, { ip: request.ip, ...(sso && { reason: 'a single sign-on user has no password' }) });
        throw new ApiError('CT_ERR_UNAUTHENTICATED', 'wrong user name or password');
      }
      ctx.loginLimiter.succeeded(username);
      const { secret, expiresAt } = ctx.sessions.create(user.id);
      setSessionCookie(ctx, request, reply, secret, expiresAt);
      ctx.audit.record(user.username, 'auth.login', `user ${user.username}`, { ip: request.ip });
      return { user: userView(user), expiresAt: new Date(expiresAt).toISOString() };
    },
  });

  app.post('/api/v1/auth/logout', {
    config: { access: 'viewer' },
    schema: { operationId: 'logout', summary: 'End the session of the cookie (a no-op for token callers)', tags: ['auth'], response: { 204: {} } },
    handler: async (request, reply) => {
      const cookie = request.cookies[SESSION_COOKIE];
      if (userOf(request).via === 'session' && cookie !== undefined) ctx.sessions.end(cookie);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send();
    },
  });

  app.get('/api/v1/auth/me', {
    config: { access: 'viewer' },
    schema: { operationId: 'me', summary: 'Who the credentials belong to, and their role', tags: ['auth'], response: { 200: meSchema } },
    handler: async (request) => {
      const me = userOf(request);
      return { username: me.username, role: me.role, via: me.via, ...(me.tokenId !== undefined && { tokenId: me.tokenId }) };
    },
  });

  app.put<{ Body: { currentPassword: string; newPassword: string } }>('/api/v1/auth/password', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'changeOwnPassword',
      summary: "Change the caller's own password (ends their other sessions)",
      tags: ['auth'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['currentPassword', 'newPassword'],
        properties: { currentPassword: { type: 'string', minLength: 1, maxLength: 1024 }, newPassword: passwordSchema },
      },
      response: { 204: {} },
    },
    handler: async (request, reply) => {
      const me = userOf(request);
      const user = ctx.users.byId(me.userId);
      if (user !== undefined && isSsoUser(user)) throw ssoHasNoPassword(user);
      if (user === undefined || !(await verifyPassword(request.body.currentPassword, user.password_hash))) {
        throw new ApiError('CT_ERR_FORBIDDEN', 'the current password is wrong');
      }
      ctx.users.update(user.username, { passwordHash: await hashPassword(request.body.newPassword, ctx.scrypt) });
      ctx.audit.record(actorOf(request.principal), 'user.password', `user ${user.username}`);
      if (me.via === 'session') {
        const { secret, expiresAt } = ctx.sessions.create(user.id);
        setSessionCookie(ctx, request, reply, secret, expiresAt);
      }
      return reply.code(204).send();
    },
  });
}
