// `cleartap serve` as a user starts it: the CLI process, the first admin from CLEARTAP_ADMIN_PASSWORD or stdin,
// the store found in the data directory (flag or $CLEARTAP_DATA_DIR), a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { start, stopAll, type Started } from '../helpers/children.ts';
import { browserFetch, SCOPE, signInWithSso, startTestProvider, TEST_CLIENT } from './oidc-test-provider.ts';
import { AgentWriter, eventually, testTraffic, transactionOf } from './server-fixture.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** The URL the server logged once it listened. */
async function listening(s: Started): Promise<string> {
  return eventually(
    () => {
      if (s.child.exitCode !== null) throw new Error(`cleartap serve exited ${s.child.exitCode}: ${s.stderr()}`);
      for (const line of s.stderr().split('\n')) {
        if (!line.includes('control plane listening')) continue;
        return (JSON.parse(line) as { url: string }).url;
      }
      return undefined;
    },
    15_000,
    'cleartap serve to listen',
  );
}

async function login(url: string, username: string, password: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  await res.body?.cancel();
  return res.status;
}

describe('cleartap serve (the CLI)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cleartap-serve-cli-'));
  const env = { ...process.env, CLEARTAP_CONFIG: '', NODE_COMPILE_CACHE: join(dataDir, '.compile-cache') };
  after(async () => {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the first admin from CLEARTAP_ADMIN_PASSWORD, reads the store in --data-dir, and stops on SIGTERM', async () => {
    const writer = await AgentWriter.open(dataDir);
    const base = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000;
    await writer.write(testTraffic().slice(0, 5).map((s) => transactionOf(s, base)));
    await writer.close();

    const s = start(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir, '--init-admin', 'boss'], { env: { ...env, CLEARTAP_ADMIN_PASSWORD: 'boss-password-1' } });
    const url = await listening(s);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(s.stderr(), /"msg":"admin created"/);
    assert.equal(s.stderr().includes('boss-password-1'), false, 'the password is never logged');
    assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
    assert.equal(((await (await fetch(`${url}/readyz`)).json()) as { checks: { store: string } }).checks.store, 'ok');
    assert.equal(await login(url, 'boss', 'boss-password-1'), 200);
    const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'boss', password: 'boss-password-1' }) });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    const list = (await (await fetch(`${url}/api/v1/transactions`, { headers: { cookie } })).json()) as { items: unknown[] };
    assert.equal(list.items.length, 5);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  });

  it('takes the password from stdin, keeps an admin that exists, and finds the data directory in $CLEARTAP_DATA_DIR', async () => {
    const s = start(process.execPath, [MAIN, 'serve', '--port', '0', '--init-admin', 'boss'], { env: { ...env, CLEARTAP_DATA_DIR: dataDir }, stdio: ['pipe', 'pipe', 'pipe'] });
    s.child.stdin?.end('another-password\n');
    const url = await listening(s);
    assert.match(s.stderr(), /the admin exists already: left unchanged/);
    assert.equal(await login(url, 'boss', 'another-password'), 401);
    assert.equal(await login(url, 'boss', 'boss-password-1'), 200);
    s.child.kill('SIGINT');
    assert.equal(await s.exited, 0);

    const fresh = mkdtempSync(join(tmpdir(), 'cleartap-serve-cli-stdin-'));
    try {
      const t = start(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', fresh, '--init-admin', 'first'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      t.child.stdin?.end('typed-password\n');
      const url2 = await listening(t);
      assert.equal(await login(url2, 'first', 'typed-password'), 200);
      // No agent has written a store there: the server runs, and says so.
      assert.equal(((await (await fetch(`${url2}/readyz`)).json()) as { checks: { store: string } }).checks.store, 'missing');
      t.child.kill('SIGTERM');
      assert.equal(await t.exited, 0);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('refuses a short admin password, a bad port and a port in use, with the error code', async () => {
    const short = start(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir, '--init-admin', 'tiny'], { env: { ...env, CLEARTAP_ADMIN_PASSWORD: 'short' } });
    assert.equal(await short.exited, 1);
    assert.match(short.stderr(), /at least 8 characters \[CT_ERR_USAGE\]/);
    const port = start(process.execPath, [MAIN, 'serve', '--port', '70000'], { env });
    assert.notEqual(await port.exited, 0);
    assert.match(port.stderr(), /--port must be a whole number from 0 to 65535/);
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const taken = start(process.execPath, [MAIN, 'serve', '--port', String((busy.address() as AddressInfo).port), '--data-dir', dataDir], { env });
      assert.equal(await taken.exited, 1);
      assert.match(taken.stderr(), /cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\) \[CT_ERR_USAGE\]/);
    } finally {
      busy.close();
    }
  });

  it('single sign-on from its flags, the client secret from $CLEARTAP_OIDC_CLIENT_SECRET; refuses to start without a provider it can discover', async () => {
    const idp = await startTestProvider([{ sub: 'u-ann', preferred_username: 'ann', groups: ['ops'] }]);
    try {
      const flags = ['--oidc-issuer', idp.issuer, '--oidc-client-id', TEST_CLIENT.id, '--oidc-scope', SCOPE, '--oidc-name', 'Corp SSO', '--oidc-default-role', 'none'];
      const roleMap = ['--oidc-role-map', 'x=admin,ops=viewer', '--oidc-role-map', 'ops=editor'];
      const s = start(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir, ...flags, ...roleMap], { env: { ...env, CLEARTAP_OIDC_CLIENT_SECRET: TEST_CLIENT.secret } });
      const url = await listening(s);
      assert.deepEqual(await (await fetch(`${url}/api/v1/auth/methods`)).json(), { password: true, sso: { name: 'Corp SSO', loginUrl: '/api/v1/auth/oidc/login' } });
      const { jar, next } = await signInWithSso(url, 'u-ann');
      assert.equal(next.href, `${url}/`);
      assert.deepEqual(await (await browserFetch(jar, `${url}/api/v1/auth/me`)).json(), { username: 'ann', role: 'editor', via: 'session' }, 'a later --oidc-role-map entry for the same value wins');
      assert.equal(s.stderr().includes(TEST_CLIENT.secret), false, 'the secret is never logged');
      s.child.kill('SIGTERM');
      assert.equal(await s.exited, 0);

      const noSecret = start(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir, ...flags], { env });
      const publicClient = await listening(noSecret);
      const refused = await signInWithSso(publicClient, 'u-ann');
      assert.equal(refused.next.search, '?sso_error=CT_ERR_SSO_IDP_ERROR', 'without the secret the provider refuses the code exchange');
      noSecret.child.kill('SIGTERM');
      assert.equal(await noSecret.exited, 0);
    } finally {
      await idp.close();
    }
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    busy.close();
    const gone = start(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir, '--oidc-issuer', `http://127.0.0.1:${port}`, '--oidc-client-id', 'x'], { env });
    assert.equal(await gone.exited, 1);
    assert.match(gone.stderr(), new RegExp(`cannot discover the OIDC issuer http://127\\.0\\.0\\.1:${port}/ .*ECONNREFUSED.* \\[CT_ERR_OIDC\\]`));
    const stray = start(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', dataDir, '--oidc-role-map', 'a=admin'], { env });
    assert.equal(await stray.exited, 1);
    assert.match(stray.stderr(), /--oidc-role-map without --oidc-issuer \[CT_ERR_USAGE\]/);
    const badRole = start(process.execPath, [MAIN, 'serve', '--oidc-issuer', 'https://login.example.com', '--oidc-client-id', 'x', '--oidc-role-map', 'a=root'], { env });
    assert.notEqual(await badRole.exited, 0);
    assert.match(badRole.stderr(), /"a=root": the role must be one of viewer, editor, admin/);
  });
});
