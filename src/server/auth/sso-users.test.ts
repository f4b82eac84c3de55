import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { USERNAME_PATTERN } from '../schemas.ts';
import { ssoUsernames } from './sso-users.ts';

const identity = { issuer: 'https://login.example.com', subject: '248289761001' };

describe('ssoUsernames', () => {
  it("takes the provider's preferred_username, else the e-mail, else the subject; then the same with a stable suffix", () => {
    const [name, fallback] = ssoUsernames(identity, { preferred_username: 'jane', email: 'jane@example.com' });
    assert.equal(name, 'jane');
    assert.match(fallback, /^jane-[0-9a-f]{8}$/);
    assert.deepEqual(ssoUsernames(identity, { preferred_username: 'jane' }), [name, fallback], 'stable');
    assert.notDeepEqual(ssoUsernames({ ...identity, subject: 'other' }, { preferred_username: 'jane' })[1], fallback);
    assert.equal(ssoUsernames(identity, { email: 'jane@example.com' })[0], 'jane@example.com');
    assert.equal(ssoUsernames(identity, { preferred_username: '  ' })[0], '248289761001');
  });

  it('makes any claim a valid user name of at most 64 characters', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ preferred_username: 'José Smith' }, 'Jos-Smith'],
      [{ preferred_username: '__root' }, 'root'],
      [{ preferred_username: 'CN=ops,OU=x' }, 'CN-ops-OU-x'],
      [{ preferred_username: 'a'.repeat(100) }, 'a'.repeat(64)],
    ];
    for (const [claims, want] of cases) {
      const names = ssoUsernames(identity, claims);
      assert.equal(names[0], want);
      for (const n of names) {
        assert.match(n, new RegExp(USERNAME_PATTERN));
        assert.ok(n.length <= 64, n);
      }
    }
    assert.deepEqual(ssoUsernames({ issuer: identity.issuer, subject: '---' }, { preferred_username: '日本' }).length, 1);
    assert.match(ssoUsernames({ issuer: identity.issuer, subject: '---' }, {})[0], /^sso-[0-9a-f]{8}$/);
  });
});
