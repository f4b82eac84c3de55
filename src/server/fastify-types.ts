// What the server adds to fastify's types: the `access` route option every route declares (config.access), the
// OpenAPI fields of a route schema, and the principal the access hook attaches to each request.

import type { Access } from './auth/roles.ts';
import type { Principal } from './auth/principal.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; enforced for every route by the access hook (auth/access-hook.ts). */
    access?: Access;
    /** The web UI's static files (ui-static.ts): left out of the API's route list and spec. */
    ui?: boolean;
  }
  interface FastifySchema {
    operationId?: string;
    summary?: string;
    description?: string;
    tags?: readonly string[];
  }
  interface FastifyRequest {
    /** Set by the access hook on every route but public ones. */
    principal: Principal | null;
  }
}
