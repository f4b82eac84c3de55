// The filters of the transaction list, the live tail and the metrics, turned into one SQL WHERE over the store's
// transactions (t) joined with the server's index (x). Every value is a bound parameter; LIKE patterns escape
// their wildcards. The grammar of host, status and process is `cleartap query`'s, so a filter means the same in
// the CLI and in the API.
//
//   host       api.example.com, or a glob *.example.com
//   method     GET, or a list GET,POST
//   pathPrefix /v1/items (matches /v1/items and everything under it)
//   status     404, 5xx, 400-499, or a comma list of those
//   process    an exe path, an exe name (curl) or a pid
//   container  a container id or a prefix of one (12+ hex digits, as docker prints them)
//   direction  ingress | egress (both egress kinds) | egress-internal | egress-external
//   agent      the agent (id or name) that posted the transaction's events to this server
//   since/until  epoch ms, since inclusive, until exclusive
//   q          free text, case-insensitive, in URL, host, process, user agent, container, remote address, SNI, id,
//              agent name

import type { SQLInputValue } from 'node:sqlite';

export interface TransactionFilter {
  host?: string;
  method?: string[];
  pathPrefix?: string;
  status?: string;
  process?: string;
  container?: string;
  direction?: string;
  agent?: string;
  sinceMs?: number;
  untilMs?: number;
  q?: string;
}

/** The accepted status grammar (the query schema's pattern, so malformed values are refused before SQL). */
export const STATUS_PATTERN = '^\\s*(\\d{3}|[1-5][xX]{2}|\\d{3}-\\d{3})(\\s*,\\s*(\\d{3}|[1-5][xX]{2}|\\d{3}-\\d{3}))*\\s*$';

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function statusClause(spec: string, params: SQLInputValue[]): string {
  const clauses = spec.split(',').map((part) => {
    const p = part.trim().toLowerCase();
    let m: RegExpExecArray | null;
    if ((m = /^([1-5])xx$/.exec(p)) !== null) {
      params.push(Number(m[1]) * 100, Number(m[1]) * 100 + 99);
      return 't.status BETWEEN ? AND ?';
    }
    if ((m = /^(\d{3})-(\d{3})$/.exec(p)) !== null) {
      params.push(Number(m[1]), Number(m[2]));
      return 't.status BETWEEN ? AND ?';
    }
    params.push(Number(p));
    return 't.status = ?';
  });
  return `(${clauses.join(' OR ')})`;
}

/** The WHERE conditions (joined with AND by the caller) and their parameters, appended to params. */
export function filterConditions(f: TransactionFilter, params: SQLInputValue[]): string[] {
  const where: string[] = [];
  if (f.host !== undefined) {
    const host = f.host.toLowerCase();
    if (host.includes('*')) {
      where.push("t.host LIKE ? ESCAPE '\\'");
      params.push(escapeLike(host).replaceAll('*', '%'));
    } else {
      where.push('t.host = ?');
      params.push(host);
    }
  }
  if (f.method !== undefined && f.method.length > 0) {
    where.push(`t.method IN (${f.method.map(() => '?').join(', ')})`);
    params.push(...f.method.map((m) => m.toUpperCase()));
  }
  if (f.pathPrefix !== undefined) {
    where.push("t.path LIKE ? ESCAPE '\\'");
    params.push(`${escapeLike(f.pathPrefix)}%`);
  }
  if (f.status !== undefined) where.push(statusClause(f.status, params));
  if (f.process !== undefined) {
    if (/^\d+$/.test(f.process)) {
      where.push('t.process_id = ?');
      params.push(Number(f.process));
    } else {
      where.push("(t.process_exe = ? OR t.process_exe LIKE ? ESCAPE '\\')");
      params.push(f.process, `%/${escapeLike(f.process)}`);
    }
  }
  if (f.container !== undefined) {
    where.push("x.container_id LIKE ? ESCAPE '\\'");
    params.push(`${escapeLike(f.container.toLowerCase())}%`);
  }
  if (f.direction !== undefined) {
    if (f.direction === 'egress') where.push("t.direction IN ('egress', 'egress-internal', 'egress-external')");
    else {
      where.push('t.direction = ?');
      params.push(f.direction);
    }
  }
  if (f.agent !== undefined) {
    where.push('(a.agent_id = ? OR a.agent_name = ?)');
    params.push(f.agent, f.agent);
  }
  if (f.sinceMs !== undefined) {
    where.push('t.time_ms >= ?');
    params.push(f.sinceMs);
  }
  if (f.untilMs !== undefined) {
    where.push('t.time_ms < ?');
    params.push(f.untilMs);
  }
  if (f.q !== undefined && f.q !== '') {
    const like = `%${escapeLike(f.q.toLowerCase())}%`;
    const columns = ['t.url', 't.host', 't.process_exe', 't.agent', 't.id', 'x.container_id', 'x.remote', 'x.tls_sni', 'a.agent_name'];
    where.push(`(${columns.map((c) => `lower(${c}) LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    for (let i = 0; i < columns.length; i++) params.push(like);
  }
  return where;
}

/** The FROM clause every transaction query uses: the store's rows, the index's columns, the posting agent. */
export const TRANSACTIONS_FROM = 'store.transactions t LEFT JOIN tx_extra x ON x.id = t.id LEFT JOIN store.transaction_agents a ON a.transaction_id = t.id';
