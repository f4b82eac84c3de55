// The read side of the local store, for `cleartap query`, `cleartap show` and the UI: transactions filtered by
// host, status, process and time, newest first, and one transaction with its events and objects. It opens the
// database read-only, so it can run while the agent writes.
//
// Filters: host "api.example.com" or a glob "*.example.com"; status "404", "5xx", "400-499", or a comma list of
// those; process an exe path, an exe name ("curl") or a pid.

import { readFileSync } from 'node:fs';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { gunzipSync } from 'node:zlib';
import { CleartapError, errorCode } from '../../core/errors.ts';
import { openDatabase } from './database.ts';
import { objectPath } from './object-files.ts';
import { readPacked } from './pack-files.ts';
import type { TransactionRow } from './transaction-row.ts';

export interface TransactionFilter {
  host?: string;
  status?: string;
  process?: string;
  sinceMs?: number;
  untilMs?: number;
  limit?: number;
}

export interface TransactionSummary {
  id: string;
  connectionId: string;
  time: string;
  direction: string | null;
  method: string | null;
  url: string | null;
  host: string | null;
  path: string | null;
  status: number | null;
  durationMs: number | null;
  processId: number | null;
  processExe: string | null;
  bytesSent: number | null;
  bytesReceived: number | null;
  contentType: string | null;
  agent: string | null;
}

export interface StoredObject {
  type: string;
  digest: string;
  contentType: string;
  size: number;
  /** undefined when retention removed the file or it cannot be read. */
  data: Buffer | undefined;
}

export interface TransactionDetail extends TransactionSummary {
  events: Array<{ type: string; item: unknown }>;
  objects: StoredObject[];
}

/** An artifact's objects row (the pack columns are absent in stores written before packs). */
interface ObjectRow {
  type: string;
  digest: string;
  content_type: string;
  size: number;
  pack?: string | null;
  block_offset?: number | null;
  block_size?: number | null;
  offset?: number | null;
}

const DEFAULT_LIMIT = 100;

function usage(message: string): CleartapError {
  return new CleartapError('CT_ERR_USAGE', message);
}

function likePattern(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');
}

function statusClause(spec: string, params: SQLInputValue[]): string {
  const parts = spec.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  const clauses = parts.map((p) => {
    let m: RegExpExecArray | null;
    if ((m = /^([1-5])xx$/.exec(p)) !== null) {
      params.push(Number(m[1]) * 100, Number(m[1]) * 100 + 99);
      return 'status BETWEEN ? AND ?';
    }
    if ((m = /^(\d{3})-(\d{3})$/.exec(p)) !== null) {
      params.push(Number(m[1]), Number(m[2]));
      return 'status BETWEEN ? AND ?';
    }
    if (/^\d{3}$/.test(p)) {
      params.push(Number(p));
      return 'status = ?';
    }
    throw usage(`--status: "${p}" is not a status, a class (5xx) or a range (400-499)`);
  });
  if (clauses.length === 0) throw usage('--status: no status given');
  return `(${clauses.join(' OR ')})`;
}

function summaryOf(r: TransactionRow): TransactionSummary {
  return {
    id: r.id,
    connectionId: r.connection_id,
    time: new Date(r.time_ms).toISOString(),
    direction: r.direction,
    method: r.method,
    url: r.url,
    host: r.host,
    path: r.path,
    status: r.status,
    durationMs: r.duration_ms,
    processId: r.process_id,
    processExe: r.process_exe,
    bytesSent: r.bytes_sent,
    bytesReceived: r.bytes_received,
    contentType: r.content_type,
    agent: r.agent,
  };
}

export class LocalStoreReader {
  readonly #db: DatabaseSync;
  readonly #dir: string;

  private constructor(db: DatabaseSync, dir: string) {
    this.#db = db;
    this.#dir = dir;
  }

  /** Opens the store in dir read-only; CT_ERR_CONFIG when there is none. */
  static open(dir: string): LocalStoreReader {
    return new LocalStoreReader(openDatabase(dir, { readOnly: true }), dir);
  }

  list(filter: TransactionFilter = {}): TransactionSummary[] {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (filter.host !== undefined) {
      if (filter.host.includes('*')) {
        where.push("host LIKE ? ESCAPE '\\'");
        params.push(likePattern(filter.host.toLowerCase()));
      } else {
        where.push('host = ?');
        params.push(filter.host.toLowerCase());
      }
    }
    if (filter.status !== undefined) where.push(statusClause(filter.status, params));
    if (filter.process !== undefined) {
      if (/^\d+$/.test(filter.process)) {
        where.push('process_id = ?');
        params.push(Number(filter.process));
      } else {
        where.push("(process_exe = ? OR process_exe LIKE ? ESCAPE '\\')");
        params.push(filter.process, `%/${likePattern(filter.process)}`);
      }
    }
    if (filter.sinceMs !== undefined) {
      where.push('time_ms >= ?');
      params.push(filter.sinceMs);
    }
    if (filter.untilMs !== undefined) {
      where.push('time_ms < ?');
      params.push(filter.untilMs);
    }
    params.push(filter.limit ?? DEFAULT_LIMIT);
    const sql = `SELECT * FROM transactions ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time_ms DESC, id DESC LIMIT ?`;
    return (this.#db.prepare(sql).all(...params) as unknown as TransactionRow[]).map(summaryOf);
  }

  /** One transaction by id, or by a prefix of its id that only it has; undefined when there is none. */
  show(id: string): TransactionDetail | undefined {
    let row = this.#db.prepare('SELECT * FROM transactions WHERE id = ?').get(id) as TransactionRow | undefined;
    if (row === undefined) {
      const rows = this.#db.prepare("SELECT * FROM transactions WHERE id LIKE ? ESCAPE '\\' LIMIT 2").all(`${likePattern(id)}%`) as unknown as TransactionRow[];
      if (rows.length > 1) throw usage(`"${id}" is the start of more than one transaction id; give more of it`);
      row = rows[0];
    }
    if (row === undefined) return undefined;
    const events = (this.#db.prepare('SELECT type, body FROM events WHERE transaction_id = ? ORDER BY time_ms, id').all(row.id) as { type: string; body: string }[]).map(
      (e) => ({ type: e.type, item: JSON.parse(e.body) as unknown }),
    );
    const objects = (
      this.#db
        .prepare('SELECT a.type, o.* FROM artifacts a JOIN objects o ON o.digest = a.digest WHERE a.transaction_id = ? ORDER BY a.type')
        .all(row.id) as unknown as ObjectRow[]
    ).map((o) => ({ type: o.type, digest: o.digest, contentType: o.content_type, size: o.size, data: this.#readObject(o) }));
    return { ...summaryOf(row), events, objects };
  }

  #readObject(o: ObjectRow): Buffer | undefined {
    // A store written before packs has no pack columns, and its rows none of their values.
    if (typeof o.pack === 'string') {
      return readPacked(this.#dir, { pack: o.pack, blockOffset: o.block_offset!, blockSize: o.block_size!, offset: o.offset!, size: o.size });
    }
    try {
      return gunzipSync(readFileSync(objectPath(this.#dir, o.digest)));
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  close(): void {
    this.#db.close();
  }
}
