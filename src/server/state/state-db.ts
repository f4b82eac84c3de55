// The control plane's own state, in node:sqlite under <data-dir>/server/state.db: users, sessions, tokens,
// agents, config versions and rollouts, the audit log and settings. Separate from the local store, which the
// server only reads. WAL so that reads never wait for a write; foreign keys so that deleting a user or an agent
// takes its sessions and tokens with it. The schema is versioned in `meta`: a new database gets the first
// version's tables, then every migration in order, as an old one does; a newer schema than this code knows is
// refused rather than misread.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CleartapError } from '../../core/errors.ts';

export const STATE_FILE = 'state.db';
const SCHEMA_VERSION = 2;

/** Version 1's tables; MIGRATIONS take them to SCHEMA_VERSION. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS agents (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  hostname TEXT,
  version TEXT,
  labels TEXT NOT NULL DEFAULT '{}',
  registered_at INTEGER NOT NULL,
  last_seen_at INTEGER,
  status TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('api', 'agent', 'enrollment')),
  name TEXT NOT NULL,
  role TEXT CHECK (role IS NULL OR role IN ('admin', 'editor', 'viewer')),
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
  agent_id TEXT REFERENCES agents(id) ON DELETE CASCADE,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER,
  uses_left INTEGER
);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens(user_id);
CREATE TABLE IF NOT EXISTS config_versions (
  version INTEGER PRIMARY KEY,
  yaml TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  warnings TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rollouts (
  id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL REFERENCES config_versions(version),
  comment TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rollout_agents (
  rollout_id INTEGER NOT NULL REFERENCES rollouts(id),
  agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('delivered', 'applied', 'failed')),
  error TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (rollout_id, agent_id)
);
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  diff TEXT
);
CREATE INDEX IF NOT EXISTS audit_time ON audit_log(time_ms);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** The SQL that takes the schema from version n-1 to n, keyed by n. */
const MIGRATIONS: Readonly<Record<number, string>> = {
  // Single sign-on: users from an OIDC provider (their issuer and subject; no usable password), and the logins
  // under way (what the callback must find again: state, nonce, PKCE verifier).
  2: `
ALTER TABLE users ADD COLUMN oidc_issuer TEXT;
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_oidc ON users(oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;
CREATE TABLE oidc_logins (
  hash TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  return_to TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
`,
};

export function openStateDatabase(dir: string): DatabaseSync {
  const file = join(dir, STATE_FILE);
  let db: DatabaseSync;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    db = new DatabaseSync(file, { timeout: 5000 });
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    db.exec(SCHEMA);
  } catch (err) {
    throw new CleartapError('CT_ERR_CONFIG', `control plane: cannot open its state ${file}: ${(err as Error).message}`, 'give --data-dir a writable directory', { cause: err });
  }
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  const version = row === undefined ? 1 : Number(row.value);
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new CleartapError('CT_ERR_CONFIG', `control plane: ${file} has schema version ${row?.value}, this cleartap knows ${SCHEMA_VERSION}`, 'run the cleartap version that wrote it, or a newer one');
  }
  try {
    migrate(db, version);
  } catch (err) {
    db.close();
    throw new CleartapError('CT_ERR_CONFIG', `control plane: cannot update ${file} from schema version ${version} to ${SCHEMA_VERSION}: ${(err as Error).message}`, 'restore a backup of the file, or move it away to start afresh', { cause: err });
  }
  return db;
}

/** Each migration after `from` in its own transaction, with the version it reaches (skipped when another
 *  process opening the same file got there first). */
function migrate(db: DatabaseSync, from: number): void {
  const current = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  const setVersion = db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  for (let v = from + 1; v <= SCHEMA_VERSION; v++) {
    inTransaction(db, () => {
      if (Number((current.get() as { value: string } | undefined)?.value ?? 1) >= v) return;
      db.exec(MIGRATIONS[v]);
      setVersion.run(String(v));
    });
  }
}

/** Runs fn inside one transaction: all of its writes land, or none. */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

export const isoOrNull = (ms: number | null | undefined): string | null => (typeof ms === 'number' ? new Date(ms).toISOString() : null);
export const iso = (ms: number): string => new Date(ms).toISOString();

/** A UNIQUE or CHECK constraint that failed (the caller answers 409). */
export function isConstraintError(err: unknown): boolean {
  return err instanceof Error && /constraint failed/i.test(err.message);
}
