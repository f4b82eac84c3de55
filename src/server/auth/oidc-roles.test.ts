import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimValues, roleFromClaims } from './oidc-roles.ts';

const map = new Map([
  ['admins', 'admin'],
  ['devs', 'editor'],
  ['staff', 'viewer'],
] as const);

describe('roleFromClaims', () => {
  it('takes the highest role any value of the claim maps to', () => {
    assert.deepEqual(roleFromClaims({ groups: ['staff', 'devs', 'other'] }, { map, defaultRole: 'viewer' }), { role: 'editor', matched: ['staff', 'devs'], values: ['staff', 'devs', 'other'] });
    assert.equal(roleFromClaims({ groups: ['admins', 'devs'] }, { map, defaultRole: null }).role, 'admin');
    assert.equal(roleFromClaims({ groups: 'devs' }, { map, defaultRole: null }).role, 'editor', 'a single string is one value');
  });

  it('reads groups, then roles, unless a claim is named (a dotted path reaches into objects)', () => {
    assert.equal(roleFromClaims({ roles: ['admins'] }, { map, defaultRole: null }).role, 'admin');
    assert.equal(roleFromClaims({ groups: ['admins'] }, { claim: 'teams', map, defaultRole: null }).role, null);
    assert.equal(roleFromClaims({ realm_access: { roles: ['devs'] } }, { claim: 'realm_access.roles', map, defaultRole: null }).role, 'editor');
  });

  it('falls back to the default role, or to none (refused) when the default is none', () => {
    assert.deepEqual(roleFromClaims({ groups: ['other'] }, { map, defaultRole: 'viewer' }), { role: 'viewer', matched: [], values: ['other'] });
    assert.equal(roleFromClaims({}, { map, defaultRole: null }).role, null);
  });

  it('ignores what is not a string and does not walk the prototype', () => {
    assert.deepEqual(claimValues({ groups: ['a', 1, null, { b: 1 }, 'c'] }, 'groups'), ['a', 'c']);
    assert.deepEqual(claimValues({ groups: 42 }, 'groups'), []);
    assert.deepEqual(claimValues({}, 'constructor.name'), []);
    assert.deepEqual(claimValues({ a: ['x'] }, 'a.length'), []);
  });
});
