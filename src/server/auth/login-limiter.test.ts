import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginLimiter } from './login-limiter.ts';

describe('LoginLimiter', () => {
  it('refuses a name after 5 failures within 5 minutes, for the rest of the window', () => {
    const l = new LoginLimiter();
    const t0 = 1_000_000;
    for (let i = 0; i < 4; i++) l.failed('Alice', t0 + i);
    assert.equal(l.retryAfter('alice', t0 + 10), 0);
    l.failed('ALICE', t0 + 10);
    assert.equal(l.retryAfter('alice', t0 + 10), 300, 'names are case-insensitive');
    assert.equal(l.retryAfter('alice', t0 + 298_500), 2, 'the window runs from the first failure');
    assert.equal(l.retryAfter('alice', t0 + 300_000), 0, 'the window passed');
    assert.equal(l.retryAfter('bob', t0 + 10), 0, 'other names are not affected');
  });

  it('a success clears the count', () => {
    const l = new LoginLimiter();
    for (let i = 0; i < 4; i++) l.failed('carol', 0);
    l.succeeded('carol');
    l.failed('carol', 1);
    assert.equal(l.retryAfter('carol', 2), 0);
  });
});
