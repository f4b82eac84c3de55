// Server settings an admin changes at run time (PUT /api/v1/settings), kept as JSON values by key. One so far:
// whether viewers see captured headers and bodies unredacted. Unknown keys in the table are ignored.

import type { DatabaseSync } from 'node:sqlite';

export interface ServerSettings {
  /** Viewers get headers and bodies with their values redacted unless this is true. */
  viewersSeePayloads: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = { viewersSeePayloads: false };

export class SettingsStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  get(): ServerSettings {
    const rows = this.#db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const out: ServerSettings = { ...DEFAULT_SETTINGS };
    for (const { key, value } of rows) {
      if (key === 'viewersSeePayloads') out.viewersSeePayloads = JSON.parse(value) === true;
    }
    return out;
  }

  /** Applies the given keys; returns the settings before and after. */
  update(change: Partial<ServerSettings>): { before: ServerSettings; after: ServerSettings } {
    const before = this.get();
    const put = this.#db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    for (const [key, value] of Object.entries(change)) if (value !== undefined) put.run(key, JSON.stringify(value));
    return { before, after: this.get() };
  }
}
