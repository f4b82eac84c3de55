import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { openStateDatabase, STATE_FILE } from './state-db.ts';

const version = (db: DatabaseSync) => (db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value;
const columns = (db: DatabaseSync, table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);

describe('the state database schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cleartap-state-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a new database gets every migration', () => {
    const db = openStateDatabase(join(dir, 'new'));
    assert.equal(version(db), '2');
    assert.ok(columns(db, 'users').includes('oidc_subject'));
    assert.ok(columns(db, 'oidc_logins').includes('code_verifier'));
    db.close();
  });

  it('a version 1 database is migrated, its rows kept; opening it again changes nothing', () => {
    const at = join(dir, 'old');
    const db = openStateDatabase(at);
    // Back to version 1's layout, with a user in it.
    db.exec("DROP INDEX users_oidc; ALTER TABLE users DROP COLUMN oidc_issuer; ALTER TABLE users DROP COLUMN oidc_subject; DROP TABLE oidc_logins; UPDATE meta SET value = '1'");
    db.prepare("INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('old', 'scrypt$x', 'admin', 1, 1)").run();
    db.close();
    for (let i = 0; i < 2; i++) {
      const again = openStateDatabase(at);
      assert.equal(version(again), '2');
      assert.deepEqual(again.prepare('SELECT username, role, oidc_issuer, oidc_subject FROM users').all().map((r) => ({ ...r })), [{ username: 'old', role: 'admin', oidc_issuer: null, oidc_subject: null }]);
      assert.ok(columns(again, 'oidc_logins').length > 0);
      again.close();
    }
  });

  it('refuses a database written by a newer cleartap', () => {
    const at = join(dir, 'newer');
    openStateDatabase(at).close();
    const raw = new DatabaseSync(join(at, STATE_FILE));
    raw.exec("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    raw.close();
    assert.throws(() => openStateDatabase(at), (err: Error & { code?: string }) => err.code === 'CT_ERR_CONFIG' && /schema version 99, this cleartap knows 2/.test(err.message));
  });
});
