// Single sign-on against a real OpenID Connect provider (oidc-provider on 127.0.0.1), driven as a browser drives
// it: real HTTP requests, a cookie jar, redirects followed one by one, the provider's login form submitted. The
// sign-in ends in the same session cookie as a password login, with the role mapped from the provider's groups
// claim (read from its userinfo endpoint: its ID tokens carry only the subject); the rest is what must not work.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type OidcSettings } from '../../src/server/index.ts';
import { memoryLog } from '../../src/sinks/test-support.ts';
import { ADMIN, startHarness, type Harness } from './server-fixture.ts';
import {
  browserFetch,
  CALLBACK_PATH,
  CookieJar,
  openCallback,
  openProviderLogin,
  SCOPE,
  signInWithSso,
  startTestProvider,
  submitProviderLogin,
  TEST_CLIENT,
  type TestProvider,
} from './oidc-test-provider.ts';

const ACCOUNTS = [
  { sub: 'u-alice', preferred_username: 'alice', email: 'alice@example.com', groups: ['admins', 'staff'] },
  { sub: 'u-dave', preferred_username: 'dave', groups: ['devs'] },
  { sub: 'u-olga', preferred_username: 'olga', groups: ['outsiders'] },
  // Claims the local admin's name: must get an account of its own, not the admin's.
  { sub: 'u-mallory', preferred_username: ADMIN.username, groups: ['staff'] },
  { sub: 'u-bob', email: 'bob@example.com', groups: ['staff'] },
];

const settings = (issuer: string): OidcSettings => ({
  issuer,
  clientId: TEST_CLIENT.id,
  clientSecret: TEST_CLIENT.secret,
  scope: SCOPE,
  displayName: 'Test IdP',
  roles: {
    map: new Map([
      ['admins', 'admin'],
      ['devs', 'editor'],
      ['staff', 'viewer'],
    ]),
    defaultRole: null,
  },
});

describe('single sign-on through an OIDC provider', () => {
  let idp: TestProvider;
  let h: Harness;
  before(async () => {
    idp = await startTestProvider(ACCOUNTS);
    h = await startHarness({ writeTraffic: false, server: { oidc: settings(idp.issuer) } });
  });
  after(async () => {
    await h?.close();
    await idp?.close();
  });

  const me = async (jar: CookieJar) => {
    const res = await browserFetch(jar, `${h.url}/api/v1/auth/me`);
    return { status: res.status, body: (await res.json()) as { username?: string; role?: string; via?: string } };
  };
  const audit = async (action: string) => (await h.json(`/api/v1/audit?action=${action}&limit=200`, { role: 'admin' })).body.items as Array<{ actor: string; action: string; target: string; details: Record<string, unknown> }>;
  const ssoError = (next: URL) => `${next.pathname}${next.search}`;

  it('tells the UI that single sign-on is on, and under what name', async () => {
    assert.deepEqual((await h.json('/api/v1/auth/methods')).body, { password: true, sso: { name: 'Test IdP', loginUrl: '/api/v1/auth/oidc/login' } });
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce, and binds the login to it with a short-lived cookie', async () => {
    const jar = new CookieJar();
    const res = await browserFetch(jar, `${h.url}/api/v1/auth/oidc/login`);
    assert.equal(res.status, 302);
    const auth = new URL(res.headers.get('location') ?? '');
    assert.equal(auth.origin, idp.issuer);
    const q = auth.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), TEST_CLIENT.id);
    assert.equal(q.get('redirect_uri'), `${h.url}${CALLBACK_PATH}`, 'the callback URL is derived from the request');
    assert.equal(q.get('scope'), SCOPE);
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((q.get('state') ?? '').length >= 32 && (q.get('nonce') ?? '').length >= 32, 'state and nonce are random');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('cleartap_sso=')) ?? '';
    assert.match(cookie, /^cleartap_sso=ct_sso_[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /Max-Age=600/);
    assert.match(cookie, /Path=\/api\/v1\/auth\/oidc\/callback/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/, "Lax: the provider's redirect back is a cross-site navigation");
    assert.equal(cookie.includes(q.get('state') ?? '-'), false, 'the cookie holds no state, nonce or verifier');
  });

  it('signs a user in: the same session cookie as a password login, the role mapped from the groups claim, back where they were', async () => {
    const { jar, next } = await signInWithSso(h.url, 'u-alice', { returnTo: '/#/transactions?status=5xx' });
    assert.equal(`${next.pathname}${next.search}${next.hash}`, '/#/transactions?status=5xx');
    assert.equal(next.origin, h.url);
    assert.match(jar.get('cleartap_session') ?? '', /^ct_ses_/);
    assert.equal(jar.get('cleartap_sso'), undefined, 'the login cookie is cleared');
    assert.deepEqual((await me(jar)).body, { username: 'alice', role: 'admin', via: 'session' });
    // The admin role works: an admin-only route.
    const users = await browserFetch(jar, `${h.url}/api/v1/users`);
    assert.equal(users.status, 200);
    const alice = ((await users.json()) as { items: Array<{ username: string; role: string; source: string }> }).items.find((u) => u.username === 'alice');
    assert.deepEqual({ role: alice?.role, source: alice?.source }, { role: 'admin', source: 'sso' });

    const dave = await signInWithSso(h.url, 'u-dave');
    assert.equal(ssoError(dave.next), '/', 'no returnTo: the UI');
    assert.deepEqual((await me(dave.jar)).body, { username: 'dave', role: 'editor', via: 'session' });
    assert.equal((await signInWithSso(h.url, 'u-bob')).next.search, '');
    const bob = (await h.json('/api/v1/users', { role: 'admin' })).body.items.find((u: { username: string }) => u.username === 'bob@example.com');
    assert.equal(bob?.role, 'viewer', 'no preferred_username: named after the e-mail address');
  });

  it('refuses a user no claim value maps to a role when the default is none: no session, no account', async () => {
    const { jar, next } = await signInWithSso(h.url, 'u-olga');
    assert.equal(ssoError(next), '/?sso_error=CT_ERR_SSO_NO_ROLE');
    assert.equal(jar.get('cleartap_session'), undefined);
    assert.equal((await me(jar)).status, 401);
    const users = (await h.json('/api/v1/users', { role: 'admin' })).body.items as Array<{ username: string }>;
    assert.equal(users.some((u) => u.username === 'olga'), false);
  });

  it('never hands a local account to a provider account that claims its name', async () => {
    const { jar } = await signInWithSso(h.url, 'u-mallory');
    const who = (await me(jar)).body;
    assert.match(who.username ?? '', new RegExp(`^${ADMIN.username}-[0-9a-f]{8}$`));
    assert.equal(who.role, 'viewer');
    const login = await fetch(`${h.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    assert.equal(login.status, 200, 'the local admin is untouched');
    assert.equal(((await login.json()) as { user: { role: string; source: string } }).user.source, 'local');
  });

  it('re-evaluates the role at every sign-in; a user the claims no longer grant a role is removed, with their sessions', async () => {
    const dave = idp.accounts.get('u-dave');
    assert.ok(dave);
    const first = await signInWithSso(h.url, 'u-dave');
    assert.equal((await me(first.jar)).body.role, 'editor');
    dave.groups = ['staff'];
    const second = await signInWithSso(h.url, 'u-dave');
    assert.deepEqual((await me(second.jar)).body, { username: 'dave', role: 'viewer', via: 'session' });
    assert.equal((await me(first.jar)).body.role, 'viewer', 'the earlier session has the new role too');
    const changed = (await audit('user.update')).find((e) => e.target === 'user dave');
    assert.deepEqual({ actor: changed?.actor, role: changed?.details.role }, { actor: 'sso', role: { from: 'editor', to: 'viewer' } });

    dave.groups = [];
    const third = await signInWithSso(h.url, 'u-dave');
    assert.equal(ssoError(third.next), '/?sso_error=CT_ERR_SSO_NO_ROLE');
    assert.equal((await me(first.jar)).status, 401, "the user's sessions ended");
    assert.equal((await me(second.jar)).status, 401);
    assert.equal((await audit('user.delete')).find((e) => e.target === 'user dave')?.actor, 'sso');
    dave.groups = ['devs'];
  });

  it('refuses a callback that is not the one this browser started: another login\'s state, no cookie, a replay, a forged code', async () => {
    const a = new CookieJar();
    await openProviderLogin(a, h.url);
    const b = new CookieJar();
    const bLogin = await openProviderLogin(b, h.url);
    const bCallback = await submitProviderLogin(b, bLogin.formAction, { login: 'u-alice', decision: 'allow' });

    assert.equal(ssoError(await openCallback(a, bCallback)), '/?sso_error=CT_ERR_SSO_STATE', "browser A with B's code and state");
    assert.equal(a.get('cleartap_session'), undefined);
    assert.equal(ssoError(await openCallback(new CookieJar(), bCallback)), '/?sso_error=CT_ERR_SSO_STATE', 'no login cookie');
    assert.equal(ssoError(await openCallback(b, bCallback)), '/', 'B itself finishes');
    assert.equal((await me(b)).body.username, 'alice');
    const replay = new CookieJar();
    const replayLogin = await openProviderLogin(replay, h.url);
    const loginCookie = replay.header(`${h.url}${CALLBACK_PATH}`);
    const replayCallback = await submitProviderLogin(replay, replayLogin.formAction, { login: 'u-alice', decision: 'allow' });
    assert.equal(ssoError(await openCallback(replay, replayCallback)), '/');
    const again = await fetch(replayCallback, { headers: { cookie: loginCookie }, redirect: 'manual' });
    assert.equal(again.headers.get('location'), '/?sso_error=CT_ERR_SSO_STATE', 'a login finishes once');

    // The right browser and state, but a code the provider never issued: its token endpoint refuses it.
    const c = new CookieJar();
    const cLogin = await openProviderLogin(c, h.url);
    const forged = new URL(`${h.url}${CALLBACK_PATH}`);
    forged.search = new URLSearchParams({ code: 'not-a-code', state: cLogin.authorizationUrl.searchParams.get('state') ?? '', iss: idp.issuer }).toString();
    assert.equal(ssoError(await openCallback(c, forged.href)), '/?sso_error=CT_ERR_SSO_IDP_ERROR');
    assert.equal(c.get('cleartap_session'), undefined);
  });

  it("turns the provider's error answer (the user cancelled) into the UI's login with a code, not an error page", async () => {
    const { jar, next } = await signInWithSso(h.url, 'u-alice', { decision: 'deny' });
    assert.equal(ssoError(next), '/?sso_error=CT_ERR_SSO_ACCESS_DENIED');
    assert.equal(jar.get('cleartap_session'), undefined);
    const direct = await fetch(`${h.url}${CALLBACK_PATH}?error=server_error`, { redirect: 'manual' });
    assert.equal(direct.status, 302);
    assert.equal(direct.headers.get('location'), '/?sso_error=CT_ERR_SSO_STATE');
  });

  it('a single sign-on user has no password: password login, setting and changing one are refused', async () => {
    const login = await fetch(`${h.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'any-password-1' }) });
    assert.equal(login.status, 401);
    assert.equal(((await login.json()) as { error: { code: string } }).error.code, 'CT_ERR_UNAUTHENTICATED');
    const set = await h.json('/api/v1/users/alice', { method: 'PATCH', role: 'admin', body: { password: 'new-password-1' } });
    assert.equal(set.status, 409);
    assert.equal(set.body.error.code, 'CT_ERR_CONFLICT');
    const { jar } = await signInWithSso(h.url, 'u-alice');
    const change = await browserFetch(jar, `${h.url}/api/v1/auth/password`, { method: 'PUT' });
    assert.equal(change.status, 400, 'no body: validation first');
    const res = await fetch(`${h.url}/api/v1/auth/password`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: jar.header(`${h.url}/api/v1/auth/password`) },
      body: JSON.stringify({ currentPassword: 'x', newPassword: 'new-password-1' }),
    });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'CT_ERR_CONFLICT');
  });

  it('audits sign-ins, refusals with their code, and the accounts it makes', async () => {
    const logins = await audit('auth.login');
    const alice = logins.find((e) => e.actor === 'alice');
    assert.deepEqual({ target: alice?.target, via: alice?.details.via, issuer: alice?.details.issuer, role: alice?.details.role }, { target: 'user alice', via: 'sso', issuer: idp.issuer, role: 'admin' });
    assert.equal(typeof alice?.details.ip, 'string');
    const failed = (await audit('auth.login_failed')).filter((e) => e.details.via === 'sso');
    const codes = new Set(failed.map((e) => e.details.code));
    for (const code of ['CT_ERR_SSO_NO_ROLE', 'CT_ERR_SSO_STATE', 'CT_ERR_SSO_ACCESS_DENIED', 'CT_ERR_SSO_IDP_ERROR']) assert.ok(codes.has(code), `${code} in ${[...codes].join(', ')}`);
    assert.ok(failed.every((e) => e.actor === 'anonymous' && typeof e.details.reason === 'string'));
    const passwordTry = (await audit('auth.login_failed')).find((e) => e.target === 'user alice');
    assert.equal(passwordTry?.details.reason, 'a single sign-on user has no password');
    const created = (await audit('user.create')).find((e) => e.target === 'user alice');
    assert.deepEqual({ actor: created?.actor, role: created?.details.role, subject: created?.details.subject }, { actor: 'sso', role: 'admin', subject: 'u-alice' });
  });

  it('takes only a path on this server to return to', async () => {
    for (const returnTo of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'relative']) {
      const res = await h.json(`/api/v1/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`);
      assert.equal(res.status, 400, returnTo);
      assert.equal(res.body.error.details[0].field, 'querystring.returnTo');
    }
  });
});

/** A port nothing listens on (bound, then let go). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('single sign-on set-up', () => {
  it('refuses to start when the issuer cannot be discovered, naming the URL and why', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cleartap-sso-'));
    const { log } = memoryLog('warn');
    const plain = await startServer({ dataDir, host: '127.0.0.1', port: 0, log, version: '0' });
    try {
      assert.deepEqual(await (await fetch(`${plain.url}/api/v1/auth/methods`)).json(), { password: true, sso: null });
      const login = await fetch(`${plain.url}/api/v1/auth/oidc/login`, { redirect: 'manual' });
      assert.equal(login.status, 404, 'no single sign-on configured');
      const start = (issuer: string) => startServer({ dataDir, host: '127.0.0.1', port: 0, log, version: '0', oidc: settings(issuer) });
      // Nothing listens there.
      const closed = await freePort();
      await assert.rejects(start(`http://127.0.0.1:${closed}/realms/x`), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'CT_ERR_OIDC');
        assert.ok(err.message.includes(`cannot discover the OIDC issuer http://127.0.0.1:${closed}/realms/x`), err.message);
        assert.match(err.message, /ECONNREFUSED/);
        return true;
      });
      // A server that is not an OIDC provider (cleartap itself: 404 for the discovery document).
      await assert.rejects(start(plain.url), (err: Error & { code?: string }) => err.code === 'CT_ERR_OIDC' && err.message.includes(plain.url) && /404/.test(err.message));
      // Tokens in the clear beyond this host: refused before any request.
      await assert.rejects(start('http://login.example.com'), (err: Error & { code?: string }) => err.code === 'CT_ERR_OIDC' && /plain http is allowed only on the loopback/.test(err.message));
    } finally {
      await plain.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
