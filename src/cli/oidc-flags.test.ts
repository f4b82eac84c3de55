import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { oidcSettings, roleMapArg, type OidcFlags } from './oidc-flags.ts';

const flags = (more: Partial<OidcFlags> = {}): OidcFlags => ({ oidcScope: 'openid profile email', oidcRoleMap: new Map(), oidcDefaultRole: 'viewer', ...more });
const nothingGiven = () => false;

describe('single sign-on flags', () => {
  it('reads role maps: pairs separated by commas, split at the last =, later entries winning', () => {
    const once = roleMapArg('admins=admin, devs = editor', new Map());
    assert.deepEqual([...roleMapArg('devs=viewer,team=x=admin', once)], [
      ['admins', 'admin'],
      ['devs', 'viewer'],
      ['team=x', 'admin'],
    ]);
    for (const bad of ['admins', '=admin', 'admins=root', 'a=admin,']) assert.throws(() => roleMapArg(bad, new Map()), InvalidArgumentError, bad);
  });

  it('makes the settings, the secret from the environment only', () => {
    const settings = oidcSettings(flags({ oidcIssuer: 'https://login.example.com', oidcClientId: 'ct', oidcRoleMap: new Map([['a', 'admin']]), oidcDefaultRole: 'none' }), { CLEARTAP_OIDC_CLIENT_SECRET: 's3cret' }, nothingGiven);
    assert.deepEqual(settings, { issuer: 'https://login.example.com', clientId: 'ct', clientSecret: 's3cret', scope: 'openid profile email', roles: { map: new Map([['a', 'admin']]), defaultRole: null } });
    assert.equal(oidcSettings(flags({ oidcIssuer: 'https://login.example.com', oidcClientId: 'ct' }), { CLEARTAP_OIDC_CLIENT_SECRET: '' }, nothingGiven)?.clientSecret, undefined);
    assert.equal(oidcSettings(flags(), {}, nothingGiven), undefined, 'off without --oidc-issuer');
  });

  it('refuses what cannot work: no client id, no openid scope, single sign-on flags without an issuer', () => {
    const usage = (err: Error & { code?: string }) => err.code === 'CT_ERR_USAGE';
    assert.throws(() => oidcSettings(flags({ oidcIssuer: 'https://login.example.com' }), {}, nothingGiven), usage);
    assert.throws(() => oidcSettings(flags({ oidcIssuer: 'https://login.example.com', oidcClientId: 'ct', oidcScope: 'profile' }), {}, nothingGiven), usage);
    assert.throws(
      () => oidcSettings(flags({ oidcClientId: 'ct' }), {}, (f) => f === 'oidcClientId' || f === 'oidcDefaultRole'),
      (err: Error & { code?: string }) => usage(err) && err.message === '--oidc-client-id, --oidc-default-role without --oidc-issuer',
    );
  });
});
