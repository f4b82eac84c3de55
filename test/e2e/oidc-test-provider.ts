// A real OpenID Connect provider for the single sign-on tests: oidc-provider on 127.0.0.1 with one confidential
// client for cleartap, accounts the tests edit between logins (their groups), and a login page of its own (a form
// that names the account, or refuses). Consent is granted as a first-party provider does (no page), so a login is:
// the authorization request, the login form, the redirect back. Plus a browser stand-in for driving it: fetch with a
// cookie jar, redirects followed one by one.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestAccount {
  sub: string;
  preferred_username?: string;
  email?: string;
  groups?: string[];
}

export const TEST_CLIENT = { id: 'cleartap-test', secret: 'cleartap-test-secret-0123456789abcdef' };
export const SCOPE = 'openid profile email groups';

export interface TestProvider {
  issuer: string;
  /** The accounts by subject; edit them between logins. */
  accounts: Map<string, TestAccount>;
  close: () => Promise<void>;
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

export async function startTestProvider(accounts: TestAccount[]): Promise<TestProvider> {
  const byId = new Map(accounts.map((a) => [a.sub, a]));
  let provider: Provider | undefined;
  const server: Server = createServer((req, res) => {
    const p = provider as Provider;
    const m = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url ?? '');
    if (m === null) return p.callback()(req, res);
    void (async () => {
      const details = await p.interactionDetails(req, res);
      if (details.prompt.name === 'consent') {
        // First-party: consent is implied (a grant of the scopes cleartap asks for).
        const grant = new p.Grant({ clientId: details.params.client_id, accountId: details.session?.accountId ?? '' });
        grant.addOIDCScope(details.params.scope);
        await p.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
        return;
      }
      if (m[2] === undefined) {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(`<form method="post" action="/interaction/${details.uid}/login" data-prompt="${details.prompt.name}"><input name="login"><button name="decision" value="allow">Sign in</button><button name="decision" value="deny">Cancel</button></form>`);
        return;
      }
      const form = await formBody(req);
      const account = byId.get(form.get('login') ?? '');
      if (form.get('decision') === 'deny') await p.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user cancelled' }, { mergeWithLastSubmission: false });
      else if (account === undefined) res.writeHead(400).end('no such account');
      else await p.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
    })().catch((err: unknown) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: TEST_CLIENT.id,
        client_secret: TEST_CLIENT.secret,
        // A native client: its loopback redirect URI matches on any port (RFC 8252), as the server's is chosen at start.
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/api/v1/auth/oidc/callback'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    findAccount: async (_ctx, sub) => {
      const account = byId.get(sub);
      if (account === undefined) return undefined;
      return { accountId: sub, claims: () => ({ ...account }) };
    },
    claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['oidc-test-cookie-key'] },
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
  });
  return {
    issuer,
    accounts: byId,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A browser's cookies for 127.0.0.1 (cookies ignore ports, as browsers do): name, value and path. */
export class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = (key: string) => attrs.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
      const path = attr('path') ?? '/';
      const expires = attr('expires');
      const gone = value === '' || attr('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
      if (gone) this.#cookies.delete(`${name} ${path}`);
      else this.#cookies.set(`${name} ${path}`, { value, path });
    }
  }

  header(url: string): string {
    const path = new URL(url).pathname;
    return [...this.#cookies]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([key, c]) => `${key.split(' ')[0]}=${c.value}`)
      .join('; ');
  }

  get(name: string): string | undefined {
    return [...this.#cookies].find(([key]) => key.split(' ')[0] === name)?.[1].value;
  }
}

/** One request as a browser makes it: the jar's cookies sent, its Set-Cookie kept, redirects not followed. */
export async function browserFetch(jar: CookieJar, url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const cookie = jar.header(url);
  if (cookie !== '') headers.cookie = cookie;
  if (init.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.form === undefined ? undefined : new URLSearchParams(init.form).toString(), redirect: 'manual' });
  jar.store(res);
  return res;
}

/** Follows redirects from url until a page that is not one, or until `stop` says a location is far enough. */
export async function follow(jar: CookieJar, url: string, stop: (location: URL) => boolean = () => false, init: Parameters<typeof browserFetch>[2] = {}): Promise<{ url: string; res: Response; hops: string[] }> {
  const hops: string[] = [];
  let current = url;
  let res = await browserFetch(jar, current, init);
  for (let i = 0; i < 20 && res.status >= 300 && res.status < 400; i++) {
    const location = new URL(res.headers.get('location') ?? '', current);
    await res.body?.cancel();
    hops.push(location.href);
    if (stop(location)) return { url: location.href, res, hops };
    current = location.href;
    res = await browserFetch(jar, current);
  }
  assert.ok(res.status < 300 || res.status >= 400, `too many redirects from ${url}`);
  return { url: current, res, hops };
}

export const CALLBACK_PATH = '/api/v1/auth/oidc/callback';

/** A new sign-in in this browser, from cleartap's login route to the provider's login form. */
export async function openProviderLogin(jar: CookieJar, serverUrl: string, returnTo?: string): Promise<{ authorizationUrl: URL; formAction: string }> {
  const start = `${serverUrl}/api/v1/auth/oidc/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`;
  const r = await follow(jar, start);
  assert.equal(r.res.status, 200, `the provider's login form: ${r.res.status} at ${r.url}`);
  const html = await r.res.text();
  assert.match(html, /data-prompt="login"/);
  return { authorizationUrl: new URL(r.hops[0]), formAction: new URL(/action="([^"]+)"/.exec(html)?.[1] ?? '', r.url).href };
}

/** Submits the provider's login form; returns the callback URL the provider sends the browser to. */
export async function submitProviderLogin(jar: CookieJar, formAction: string, form: { login: string; decision: 'allow' | 'deny' }): Promise<string> {
  const r = await follow(jar, formAction, (location) => location.pathname === CALLBACK_PATH, { method: 'POST', form });
  assert.equal(new URL(r.url).pathname, CALLBACK_PATH, `the provider sends the browser back to cleartap (ended at ${r.url})`);
  return r.url;
}

/** The callback as the browser makes it; returns where cleartap sends the browser next. */
export async function openCallback(jar: CookieJar, callbackUrl: string): Promise<URL> {
  const res = await browserFetch(jar, callbackUrl);
  await res.body?.cancel();
  assert.equal(res.status, 302, `the callback redirects (got ${res.status})`);
  return new URL(res.headers.get('location') ?? '', callbackUrl);
}

/** A whole sign-in in a new browser as the provider's account `login`. */
export async function signInWithSso(serverUrl: string, login: string, options: { returnTo?: string; decision?: 'allow' | 'deny' } = {}): Promise<{ jar: CookieJar; next: URL }> {
  const jar = new CookieJar();
  const { formAction } = await openProviderLogin(jar, serverUrl, options.returnTo);
  const callbackUrl = await submitProviderLogin(jar, formAction, { login, decision: options.decision ?? 'allow' });
  return { jar, next: await openCallback(jar, callbackUrl) };
}
