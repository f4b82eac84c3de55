// The web UI in a real browser: Debian's Chromium, headless, driven by playwright-core against `cleartap serve`
// over a store filled by the real write path (server-fixture.ts). The main flows: log in, the dashboard
// populated, filter transactions and open one, view and download a spec, a config with an error shown inline,
// then a valid one saved and rolled out; single sign-on through a real OIDC provider (oidc-provider), and its
// refusal shown on the login page. Screenshots go to a temp dir (paths printed).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SCOPE, startTestProvider, TEST_CLIENT, type TestProvider } from './oidc-test-provider.ts';
import { ADMIN, startHarness } from './server-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const shots = mkdtempSync(join(tmpdir(), 'cleartap-ui-'));
let harness: Awaited<ReturnType<typeof startHarness>>;
let idp: TestProvider;
let browser: Browser;
let page: Page;

const shot = async (name: string) => {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  process.stderr.write(`# screenshot: ${path}\n`);
};

before(async () => {
  assert.ok(existsSync(CHROMIUM), 'chromium (Debian package) is installed by the test set-up');
  assert.ok(existsSync(new URL('../../build/ui/index.html', import.meta.url)), 'the UI is built by make build');
  idp = await startTestProvider([{ sub: 'u-alice', preferred_username: 'alice', groups: ['admins'] }]);
  const oidc = { issuer: idp.issuer, clientId: TEST_CLIENT.id, clientSecret: TEST_CLIENT.secret, scope: SCOPE, displayName: 'Test IdP', roles: { map: new Map([['admins', 'admin' as const]]), defaultRole: null } };
  harness = await startHarness({ server: { oidc } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await harness?.close();
  await idp?.close();
});

test('log in, and a wrong password is refused', async () => {
  await page.goto(harness.url);
  await page.getByLabel('User').fill(ADMIN.username);
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').waitFor();
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
});

test('the dashboard shows the traffic', async () => {
  await page.getByTestId('requests').waitFor();
  assert.equal(await page.getByTestId('requests').textContent(), String(harness.traffic.length));
  await page.getByText('api.example.com').first().waitFor();
  await page.getByRole('img', { name: 'service map' }).waitFor();
  await shot('dashboard');
});

test('filter the transactions, then open one', async () => {
  await page.getByRole('link', { name: 'Transactions' }).click();
  await page.getByLabel('Status').fill('5xx');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForURL(/status=5xx/);
  const rows = page.locator('table.tx tbody tr');
  await rows.first().waitFor();
  const statuses = await page.locator('table.tx tbody tr td:nth-child(4)').allTextContents();
  assert.ok(statuses.length > 0 && statuses.every((s) => s.startsWith('5')), statuses.join(','));
  await shot('transactions');
  await rows.first().locator('a').click();
  await page.getByRole('heading', { name: 'Request' }).waitFor();
  await page.getByText('Response', { exact: true }).waitFor();
  assert.match((await page.locator('h1').textContent()) ?? '', /^(GET|POST|PUT|DELETE|PATCH) https?:\/\//);
  await shot('transaction');
});

test('the inventory: view a server\'s OpenAPI document and download it', async () => {
  await page.getByRole('link', { name: 'API inventory' }).click();
  await page.getByRole('button', { name: 'View' }).first().click();
  await page.waitForFunction(() => (document.querySelector('[data-testid="spec"]')?.textContent ?? '').length > 0);
  const spec = JSON.parse((await page.getByTestId('spec').textContent()) ?? '{}') as { openapi?: string; paths?: object };
  assert.match(spec.openapi ?? '', /^3\.1/);
  assert.ok(Object.keys(spec.paths ?? {}).length > 0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'YAML' }).first().click()]);
  const file = join(shots, download.suggestedFilename());
  await download.saveAs(file);
  assert.match(readFileSync(file, 'utf8'), /^openapi: 3\.1/m);
  await shot('inventory');
});

test('config: an error shows inline at its line; a valid config is saved and rolled out', async () => {
  await page.getByRole('link', { name: 'Config' }).click();
  const editor = page.getByLabel('config YAML');
  await editor.fill((await editor.inputValue()).replace('direction: egress', 'direction: egres'));
  await page.getByRole('button', { name: 'Validate' }).click();
  const problem = page.getByRole('list', { name: 'validation errors' });
  await problem.waitFor();
  assert.match((await problem.textContent()) ?? '', /line 6, column \d+: tap\.direction: 'egres' is not one of/);
  await shot('config-error');
  await editor.fill((await editor.inputValue()).replace('direction: egres', 'direction: egress'));
  await page.getByRole('button', { name: 'Save version' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved as version 1.' }).waitFor();
  await page.getByRole('button', { name: 'Roll out' }).first().click();
  await page.getByRole('status').filter({ hasText: 'Version 1 is rolling out' }).waitFor();
  const rollouts = await harness.json<{ items: Array<{ version: number; current: boolean }> }>('/api/v1/config/rollouts', { role: 'viewer' });
  assert.deepEqual(rollouts.body.items.map((r) => [r.version, r.current]), [[1, true]]);
  await shot('config-rolled-out');
});

test('single sign-on: the button on the login page, the provider\'s form, back on the page the login started from; a refusal is shown', async () => {
  const sso = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await sso.goto(`${harness.url}/#/inventory`);
    await sso.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await sso.waitForURL(`${idp.issuer}/interaction/**`);
    await sso.locator('input[name="login"]').fill('u-alice');
    await sso.getByRole('button', { name: 'Sign in' }).click();
    await sso.waitForURL(`${harness.url}/#/inventory`);
    await sso.getByText('alice (admin)').waitFor();
    await sso.getByRole('heading', { name: 'API inventory' }).waitFor();
    await sso.screenshot({ path: join(shots, 'sso-signed-in.png'), fullPage: true });

    await sso.getByRole('button', { name: 'Log out' }).click();
    await sso.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    // The provider remembers alice now: its session skips the form, so cancel by a fresh browser context instead.
    await sso.waitForURL(`${harness.url}/**`);
    await sso.getByText('alice (admin)').waitFor();
  } finally {
    await sso.close();
  }
  const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const denied = await fresh.newPage();
    await denied.goto(harness.url);
    await denied.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await denied.getByRole('button', { name: 'Cancel' }).click();
    await denied.getByRole('alert').filter({ hasText: 'The identity provider refused the sign-in. (CT_ERR_SSO_ACCESS_DENIED)' }).waitFor();
    assert.equal(new URL(denied.url()).search, '', 'the error code is taken out of the address bar');
    await denied.screenshot({ path: join(shots, 'sso-refused.png'), fullPage: true });
  } finally {
    await fresh.close();
  }
});
