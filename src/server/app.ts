// The fastify application: JSON-schema validation on every input (Ajv, unknown fields refused rather than
// silently dropped), one error shape, the access hook, and the routes. Every route must declare who may call
// it (config.access): a route registered without one stops the server from starting, so a new route cannot be
// left open by omission. The registered routes are kept, in order, for the OpenAPI document and for the tests
// that walk them.

import { fastifyCookie } from '@fastify/cookie';
import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ApiError, errorHandler, sendError, toApiError } from './api-error.ts';
import { accessHook } from './auth/access-hook.ts';
import { isAccess } from './auth/roles.ts';
import type { ServerContext } from './context.ts';
import type { RegisteredRoute } from './openapi/openapi-document.ts';
import { agentRoutes } from './routes/agent-routes.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { configRoutes } from './routes/config-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { ingestRoutes } from './routes/ingest-routes.ts';
import { inventoryRoutes } from './routes/inventory-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { oidcRoutes } from './routes/oidc-routes.ts';
import { tokenRoutes } from './routes/token-routes.ts';
import { transactionRoutes } from './routes/transaction-routes.ts';
import { userRoutes } from './routes/user-routes.ts';
import { uiRoutes } from './ui-static.ts';
import './fastify-types.ts';

export interface AppOptions {
  trustProxy: boolean;
  /** Where the built web UI is (default build/ui). */
  uiDir?: string;
}

export async function buildApp(ctx: ServerContext, options: AppOptions): Promise<{ app: FastifyInstance; routes: readonly RegisteredRoute[] }> {
  const app = fastify({
    // pino's Logger and fastify's logger type differ only in generics; typed as fastify's, routes take plain FastifyInstance.
    loggerInstance: ctx.log as unknown as FastifyBaseLogger,
    // Requests are logged once, at debug, by the onResponse hook below (no bodies, no credentials).
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    trustProxy: options.trustProxy,
    bodyLimit: 1 << 20,
    return503OnClosing: true,
    // Path parameters up to this length reach their schemas (which refuse what is too long, with a 400).
    routerOptions: { maxParamLength: 1024 },
    // The router's own refusals (a malformed or overlong path) in the API's error shape too.
    frameworkErrors: (err, _request, reply) => sendError(reply, toApiError(err, ctx.log)),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (!isAccess(access)) throw new Error(`route ${String(route.method)} ${route.url} declares no valid config.access (public, viewer, editor, admin, agent, enrollment)`);
    if (route.config?.ui === true) return; // the UI's files: not API routes
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, access, schema: route.schema ?? {} });
  });
  app.decorateRequest('principal', null);
  await app.register(fastifyCookie);
  app.setErrorHandler(errorHandler(ctx.log));
  app.setNotFoundHandler((request, reply) => sendError(reply, new ApiError('CT_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));
  app.addHook('onRequest', accessHook(ctx.tokens, ctx.sessions));
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, url: request.routeOptions.url ?? request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('cache-control', reply.getHeader('cache-control') ?? 'no-store');
    return payload;
  });
  app.addHook('preClose', async () => {
    for (const end of ctx.streams) end();
  });

  healthRoutes(app, ctx, () => routes);
  authRoutes(app, ctx);
  oidcRoutes(app, ctx);
  userRoutes(app, ctx);
  tokenRoutes(app, ctx);
  transactionRoutes(app, ctx);
  inventoryRoutes(app, ctx);
  metricsRoutes(app, ctx);
  agentRoutes(app, ctx);
  ingestRoutes(app, ctx);
  configRoutes(app, ctx);
  adminRoutes(app, ctx);
  uiRoutes(app, options.uiDir);
  await app.ready();
  return { app, routes };
}
