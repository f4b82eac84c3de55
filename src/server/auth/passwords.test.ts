import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dummyVerifier, hashPassword, verifyPassword } from './passwords.ts';

const FAST = { N: 1 << 10, r: 8, p: 1 };

describe('passwords', () => {
  it('hashes with a fresh salt into a self-describing string, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse', FAST);
    const b = await hashPassword('correct horse', FAST);
    assert.match(a, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, b, 'salted');
    assert.equal(await verifyPassword('correct horse', a), true);
    assert.equal(await verifyPassword('correct horsf', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  it('reads the parameters from the stored hash (a later cost change keeps old hashes valid)', async () => {
    const stronger = await hashPassword('pw', { N: 1 << 11, r: 8, p: 2 });
    assert.match(stronger, /^scrypt\$2048\$8\$2\$/);
    assert.equal(await verifyPassword('pw', stronger), true);
  });

  it('compares Unicode passwords in one normal form', async () => {
    const composed = await hashPassword('caf\u00e9', FAST);
    assert.equal(await verifyPassword('cafe\u0301', composed), true);
  });

  it('refuses malformed or tampered hashes instead of throwing', async () => {
    const good = await hashPassword('pw', FAST);
    for (const bad of ['', 'scrypt$', 'bcrypt$2a$10$xyz', good.replace('scrypt$1024', 'scrypt$0'), `${good.slice(0, -2)}AA`]) {
      assert.equal(await verifyPassword('pw', bad), false, bad);
    }
  });

  it('the dummy verifier costs a verification and says no', async () => {
    const verify = dummyVerifier(FAST);
    assert.equal(await verify('anything'), false);
  });
});
