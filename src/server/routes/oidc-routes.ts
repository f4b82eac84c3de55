// Single sign-on through an OpenID Connect provider (authorization code with PKCE, state and nonce), and the
// sign-in methods the login page offers. The login route sends the browser to the provider with a short-lived
// cookie (SameSite=Lax, so the provider's redirect back carries it) naming the login kept server-side; the
// callback finishes it and ends like a password login — the same session cookie — then sends the browser back to
// the UI. A callback that fails in any way sends it to the UI with `?sso_error=<code>` (auth/sso-failure.ts),
// never an error page; logins and failures go to the audit log.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../api-error.ts';
import type { OidcRelyingParty } from '../auth/oidc-relying-party.ts';
import { roleFromClaims } from '../auth/oidc-roles.ts';
import { SsoFailure } from '../auth/sso-failure.ts';
import { signInSsoUser } from '../auth/sso-users.ts';
import type { ServerContext } from '../context.ts';
import { OIDC_LOGIN_TTL_MS } from '../state/oidc-logins.ts';
import { setSessionCookie } from './auth-routes.ts';

export const SSO_COOKIE = 'cleartap_sso';
export const OIDC_LOGIN_PATH = '/api/v1/auth/oidc/login';
export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';

const methodsSchema = {
  type: 'object',
  required: ['password', 'sso'],
  properties: {
    password: { type: 'boolean', description: 'Local users sign in with POST /api/v1/auth/login' },
    sso: {
      type: ['object', 'null'],
      description: 'Single sign-on, when configured (null when not)',
      required: ['name', 'loginUrl'],
      properties: { name: { type: 'string', description: 'What to call the identity provider (Sign in with …)' }, loginUrl: { type: 'string' } },
    },
  },
} as const;

const redirect = (description: string) => ({ 302: { description } });

function relyingParty(ctx: ServerContext): OidcRelyingParty {
  if (ctx.sso === undefined) throw new ApiError('CT_ERR_NOT_FOUND', 'single sign-on is not configured on this server (cleartap serve --oidc-issuer)');
  return ctx.sso;
}

/** The callback URL the provider sends the browser back to: configured, else under the public URL, else this
 *  request's own scheme and host (X-Forwarded-* when the proxy is trusted). */
function callbackUrl(ctx: ServerContext, rp: OidcRelyingParty, request: FastifyRequest): string {
  if (rp.settings.redirectUrl !== undefined) return rp.settings.redirectUrl;
  return new URL(OIDC_CALLBACK_PATH, ctx.publicUrl ?? `${request.protocol}://${request.host}`).href;
}

const secure = (ctx: ServerContext, request: FastifyRequest) => ctx.secureCookies || request.protocol === 'https';

export function oidcRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/auth/methods', {
    config: { access: 'public' },
    schema: { operationId: 'authMethods', summary: 'How users can sign in here: password, and single sign-on when configured', tags: ['auth'], response: { 200: methodsSchema } },
    handler: async () => ({ password: true, sso: ctx.sso === undefined ? null : { name: ctx.sso.displayName, loginUrl: OIDC_LOGIN_PATH } }),
  });

  app.get<{ Querystring: { returnTo?: string } }>(OIDC_LOGIN_PATH, {
    config: { access: 'public' },
    schema: {
      operationId: 'ssoLogin',
      summary: 'Start a single sign-on: redirects the browser to the identity provider',
      description: `Sets a cookie (${SSO_COOKIE}, ${OIDC_LOGIN_TTL_MS / 60_000} minutes) that binds the login to this browser. 404 when single sign-on is not configured.`,
      tags: ['auth'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { returnTo: { type: 'string', maxLength: 2048, pattern: '^/(?![/\\\\])[\\x21-\\x7e]*$', description: 'Where to go after signing in: a path on this server (default /)' } },
      },
      response: redirect('To the identity provider'),
    },
    handler: async (request, reply) => {
      const rp = relyingParty(ctx);
      const { url, pending } = await rp.begin(callbackUrl(ctx, rp, request), request.query.returnTo ?? '/');
      const secret = ctx.oidcLogins.start(pending);
      reply.setCookie(SSO_COOKIE, secret, { path: OIDC_CALLBACK_PATH, httpOnly: true, sameSite: 'lax', secure: secure(ctx, request), maxAge: OIDC_LOGIN_TTL_MS / 1000 });
      return reply.redirect(url.href, 302);
    },
  });

  app.get(OIDC_CALLBACK_PATH, {
    config: { access: 'public' },
    schema: {
      operationId: 'ssoCallback',
      summary: "The identity provider's redirect back: finishes a single sign-on and starts a session (cookie)",
      description:
        'Takes the authorization response (`code`, `state`, `iss`, or `error` and `error_description`) as the provider sends it, with the cookie set by the login route. ' +
        'Redirects to the UI: where the login asked to return on success, else to `/?sso_error=<code>` (CT_ERR_SSO_ACCESS_DENIED, CT_ERR_SSO_IDP_ERROR, CT_ERR_SSO_STATE, ' +
        'CT_ERR_SSO_INVALID_RESPONSE, CT_ERR_SSO_NO_ROLE, CT_ERR_SSO_ACCOUNT, CT_ERR_SSO_INTERNAL).',
      tags: ['auth'],
      response: redirect('To the UI'),
    },
    handler: async (request, reply) => {
      const rp = relyingParty(ctx);
      // The raw query, as the provider sent it: the library checks parameters fastify's parser would reshape.
      const query = new URLSearchParams(request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '');
      const secret = request.cookies[SSO_COOKIE];
      reply.clearCookie(SSO_COOKIE, { path: OIDC_CALLBACK_PATH, httpOnly: true, sameSite: 'lax', secure: secure(ctx, request) });
      const pending = secret === undefined || secret === '' ? undefined : ctx.oidcLogins.take(secret);
      try {
        if (pending === undefined) throw new SsoFailure('CT_ERR_SSO_STATE', 'no sign-in under way in this browser (no login cookie, or it expired or was used)');
        const { identity, claims } = await rp.complete(query, pending);
        const mapped = roleFromClaims(claims, rp.settings.roles);
        const { user, created } = signInSsoUser(ctx.users, ctx.audit, identity, claims, mapped);
        const { secret: session, expiresAt } = ctx.sessions.create(user.id);
        setSessionCookie(ctx, request, reply, session, expiresAt);
        ctx.audit.record(user.username, 'auth.login', `user ${user.username}`, { ip: request.ip, via: 'sso', issuer: identity.issuer, role: user.role, created });
        return reply.redirect(pending.returnTo, 302);
      } catch (err) {
        return failed(ctx, request, reply, err);
      }
    },
  });
}

function failed(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const failure = err instanceof SsoFailure ? err : new SsoFailure('CT_ERR_SSO_INTERNAL', 'the server failed to finish the sign-in (see its log)', { cause: err });
  if (failure.code === 'CT_ERR_SSO_INTERNAL') ctx.log.error({ err }, 'single sign-on: the callback failed');
  else ctx.log.info({ code: failure.code, reason: failure.message }, 'single sign-on refused');
  ctx.audit.record('anonymous', 'auth.login_failed', 'sso', { ip: request.ip, via: 'sso', code: failure.code, reason: failure.message });
  return reply.redirect(`/?sso_error=${failure.code}`, 302);
}
