// Local users (admin only). Passwords are set here or by the user (PUT /api/v1/auth/password), never shown.

import type { FastifyInstance } from 'fastify';
import { hashPassword } from '../auth/passwords.ts';
import { actorOf } from '../auth/principal.ts';
import type { Role } from '../auth/roles.ts';
import type { ServerContext } from '../context.ts';
import { passwordSchema, roleSchema, userSchema, usernameSchema } from '../schemas.ts';
import { userView } from '../state/users.ts';

const usernameParams = { type: 'object', required: ['username'], properties: { username: usernameSchema } } as const;

export function userRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/users', {
    config: { access: 'admin' },
    schema: { operationId: 'listUsers', summary: 'Every local user', tags: ['users'], response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: userSchema } } } } },
    handler: async () => ({ items: ctx.users.list().map(userView) }),
  });

  app.post<{ Body: { username: string; password: string; role: Role } }>('/api/v1/users', {
    config: { access: 'admin' },
    schema: {
      operationId: 'createUser',
      summary: 'Create a user',
      tags: ['users'],
      body: { type: 'object', additionalProperties: false, required: ['username', 'password', 'role'], properties: { username: usernameSchema, password: passwordSchema, role: roleSchema } },
      response: { 201: userSchema },
    },
    handler: async (request, reply) => {
      const { username, password, role } = request.body;
      const user = ctx.users.create(username, await hashPassword(password, ctx.scrypt), role);
      ctx.audit.record(actorOf(request.principal), 'user.create', `user ${user.username}`, { role });
      return reply.code(201).send(userView(user));
    },
  });

  app.patch<{ Params: { username: string }; Body: { role?: Role; password?: string } }>('/api/v1/users/:username', {
    config: { access: 'admin' },
    schema: {
      operationId: 'updateUser',
      summary: "Change a user's role or password (a new password ends their sessions)",
      tags: ['users'],
      params: usernameParams,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { role: roleSchema, password: passwordSchema } },
      response: { 200: userSchema },
    },
    handler: async (request) => {
      const { role, password } = request.body;
      const passwordHash = password === undefined ? undefined : await hashPassword(password, ctx.scrypt);
      const { before, after } = ctx.users.update(request.params.username, { role, passwordHash });
      const details: Record<string, unknown> = {};
      if (role !== undefined && before.role !== after.role) details.role = { from: before.role, to: after.role };
      if (password !== undefined) details.password = 'changed';
      ctx.audit.record(actorOf(request.principal), 'user.update', `user ${after.username}`, details);
      return userView(after);
    },
  });

  app.delete<{ Params: { username: string } }>('/api/v1/users/:username', {
    config: { access: 'admin' },
    schema: { operationId: 'deleteUser', summary: 'Delete a user, with their sessions and API tokens', tags: ['users'], params: usernameParams, response: { 204: {} } },
    handler: async (request, reply) => {
      const user = ctx.users.delete(request.params.username);
      ctx.audit.record(actorOf(request.principal), 'user.delete', `user ${user.username}`, { role: user.role });
      return reply.code(204).send();
    },
  });
}
