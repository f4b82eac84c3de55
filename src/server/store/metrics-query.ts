// Traffic metrics over a time range in buckets, overall or per host, endpoint, process, container, method or
// status class — computed by SQLite over the store's transactions: counts, error counts, bytes and latency
// percentiles (SQLite's percentile(), linear interpolation between the closest ranks — percentile_cont; where
// the bundled SQLite lacks it, the same definition with window functions). Only the top groups by request count
// are returned. Buckets are aligned to multiples of the bucket size since the epoch, so a chart's buckets do not
// shift as its range moves; empty buckets are returned as zeros.
//
// Endpoints are the API inventory's path templates (GET /v1/items/{id}); a path the inventory has not templated
// is its own endpoint. The mapping is done once per distinct (host, method, path) into a temporary table that
// the aggregate joins.

import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { compilePath, matchScore, templateSegments } from '../../discovery/index.ts';
import type { StoreConnection } from './store-connection.ts';
import { filterConditions, TRANSACTIONS_FROM, type TransactionFilter } from './transaction-filter.ts';

export const METRIC_GROUPS = ['none', 'host', 'endpoint', 'process', 'container', 'method', 'status'] as const;
export type MetricGroup = (typeof METRIC_GROUPS)[number];

export interface MetricsRequest {
  filter: TransactionFilter & { sinceMs: number; untilMs: number };
  bucketMs: number;
  groupBy: MetricGroup;
  top: number;
}

export interface LatencyMs {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  avg: number | null;
  max: number | null;
}

export interface MetricPoint {
  time: string;
  requests: number;
  /** Requests per second over the bucket. */
  rate: number;
  /** Responses with status ≥ 500. */
  errors: number;
  /** Responses with status 400–499. */
  clientErrors: number;
  /** errors / requests (0 when there are none). */
  errorRate: number;
  bytesSent: number;
  bytesReceived: number;
  latencyMs: LatencyMs;
}

export interface MetricSeries {
  /** The group's value: a host, "GET api.example.com /v1/items/{id}", an exe, a container id, a method, "5xx"; '' for none. */
  key: string;
  total: Omit<MetricPoint, 'time'>;
  points: MetricPoint[];
}

export interface MetricsResult {
  since: string;
  until: string;
  bucketMs: number;
  groupBy: MetricGroup;
  /** How many groups had traffic (series holds the top ones). */
  groups: number;
  series: MetricSeries[];
}

/** The inventory's endpoints, for templating paths: (host, method) → templates. */
export type EndpointTemplates = ReadonlyMap<string, readonly string[]>;
export const templateKey = (host: string, method: string): string => `${method.toUpperCase()} ${host.toLowerCase()}`;

const PERCENTILES = [50, 95, 99] as const;

let nativePercentile: boolean | undefined;
function hasNativePercentile(db: DatabaseSync): boolean {
  if (nativePercentile === undefined) {
    try {
      db.prepare('SELECT percentile(1, 50)').get();
      nativePercentile = true;
    } catch {
      nativePercentile = false;
    }
  }
  return nativePercentile;
}

const GROUP_EXPRESSIONS: Readonly<Record<Exclude<MetricGroup, 'endpoint'>, string>> = {
  none: "''",
  host: "coalesce(t.host, '')",
  process: "coalesce(t.process_exe, '')",
  container: "coalesce(x.container_id, '')",
  method: "coalesce(t.method, '')",
  status: "CASE WHEN t.status IS NULL THEN 'none' ELSE (t.status / 100) || 'xx' END",
};

/** Fills temp.endpoint_map for the rows the filter selects; returns the group expression that reads it. */
function mapEndpoints(db: DatabaseSync, where: string, params: readonly SQLInputValue[], templates: EndpointTemplates): string {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS endpoint_map (host TEXT, method TEXT, path TEXT, endpoint TEXT NOT NULL, PRIMARY KEY (host, method, path))');
  db.exec('DELETE FROM temp.endpoint_map');
  const distinct = db.prepare(`SELECT DISTINCT coalesce(t.host, '') AS host, coalesce(t.method, '') AS method, coalesce(t.path, '') AS path FROM ${TRANSACTIONS_FROM} ${where}`).all(...params) as {
    host: string;
    method: string;
    path: string;
  }[];
  const insert = db.prepare('INSERT INTO temp.endpoint_map (host, method, path, endpoint) VALUES (?, ?, ?, ?)');
  const compiled = new Map<string, ReturnType<typeof compilePath>>();
  for (const row of distinct) {
    let best = row.path;
    let bestScore = -1;
    for (const template of templates.get(templateKey(row.host, row.method)) ?? []) {
      let pattern = compiled.get(template);
      if (pattern === undefined) compiled.set(template, (pattern = compilePath(template)));
      const score = matchScore(pattern, templateSegments(row.path));
      if (score !== undefined && score > bestScore) {
        best = template;
        bestScore = score;
      }
    }
    insert.run(row.host, row.method, row.path, `${row.method} ${row.host} ${best}`);
  }
  return 'e.endpoint';
}

interface AggregateRow {
  b: number;
  g: string;
  requests: number;
  errors: number;
  client_errors: number;
  bytes_sent: number;
  bytes_received: number;
  avg: number | null;
  max: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

function percentileSql(native: boolean, from: string, where: string, group: string, bucket: string): string {
  if (native) {
    return `SELECT ${bucket} AS b, ${group} AS g, ${PERCENTILES.map((p) => `percentile(t.duration_ms, ${p}) AS p${p}`).join(', ')}
            FROM ${from} ${where} GROUP BY b, g`;
  }
  // percentile_cont by hand: the value at rank (n-1)·p/100, interpolated between its two neighbours.
  const ranks = PERCENTILES.map((p) => `CAST((n - 1) * ${p} / 100.0 AS INTEGER) AS lo${p}, (n - 1) * ${p} / 100.0 - CAST((n - 1) * ${p} / 100.0 AS INTEGER) AS fr${p}`).join(', ');
  const at = (p: number, next = '') => `max(CASE WHEN i = lo${p}${next} THEN d END)`;
  const value = (p: number) => `${at(p)} + max(fr${p}) * (coalesce(${at(p, ' + 1')}, ${at(p)}) - ${at(p)})`;
  return `WITH r AS (
            SELECT ${bucket} AS b, ${group} AS g, t.duration_ms AS d,
                   row_number() OVER (PARTITION BY ${bucket}, ${group} ORDER BY t.duration_ms) - 1 AS i,
                   count(*) OVER (PARTITION BY ${bucket}, ${group}) AS n
            FROM ${from} ${where} AND t.duration_ms IS NOT NULL),
          q AS (SELECT *, ${ranks} FROM r)
          SELECT b, g, ${PERCENTILES.map((p) => `${value(p)} AS p${p}`).join(', ')} FROM q GROUP BY b, g`;
}

const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 1000);

function point(bucketMs: number, r: Omit<AggregateRow, 'b' | 'g'> | undefined): Omit<MetricPoint, 'time'> {
  const requests = r?.requests ?? 0;
  const errors = r?.errors ?? 0;
  return {
    requests,
    rate: round(requests / (bucketMs / 1000)) as number,
    errors,
    clientErrors: r?.client_errors ?? 0,
    errorRate: requests === 0 ? 0 : (round(errors / requests) as number),
    bytesSent: r?.bytes_sent ?? 0,
    bytesReceived: r?.bytes_received ?? 0,
    latencyMs: { p50: round(r?.p50 ?? null), p95: round(r?.p95 ?? null), p99: round(r?.p99 ?? null), avg: round(r?.avg ?? null), max: r?.max ?? null },
  };
}

export function queryMetrics(conn: StoreConnection, req: MetricsRequest, templates: EndpointTemplates, options: { nativePercentile?: boolean } = {}): MetricsResult {
  const { sinceMs, untilMs } = req.filter;
  const result: MetricsResult = { since: new Date(sinceMs).toISOString(), until: new Date(untilMs).toISOString(), bucketMs: req.bucketMs, groupBy: req.groupBy, groups: 0, series: [] };
  if (!conn.attached) return result;
  const db = conn.db;
  const params: SQLInputValue[] = [];
  const conditions = filterConditions(req.filter, params);
  const where = `WHERE ${conditions.join(' AND ')}`;
  let from = TRANSACTIONS_FROM;
  let group: string;
  if (req.groupBy === 'endpoint') {
    group = mapEndpoints(db, where, params, templates);
    from = `${TRANSACTIONS_FROM} JOIN temp.endpoint_map e ON e.host = coalesce(t.host, '') AND e.method = coalesce(t.method, '') AND e.path = coalesce(t.path, '')`;
  } else group = GROUP_EXPRESSIONS[req.groupBy];

  const ranked = db.prepare(`SELECT ${group} AS g, count(*) AS n FROM ${from} ${where} GROUP BY g ORDER BY n DESC, g LIMIT -1`).all(...params) as { g: string; n: number }[];
  result.groups = ranked.length;
  const top = ranked.slice(0, req.top).map((r) => r.g);
  if (top.length === 0) return result;
  const topWhere = `${where} AND ${group} IN (${top.map(() => '?').join(', ')})`;
  const topParams = [...params, ...top];

  const bucket = `(t.time_ms / ${req.bucketMs}) * ${req.bucketMs}`;
  const aggregates = db
    .prepare(
      `SELECT ${bucket} AS b, ${group} AS g, count(*) AS requests,
              sum(CASE WHEN t.status >= 500 THEN 1 ELSE 0 END) AS errors,
              sum(CASE WHEN t.status BETWEEN 400 AND 499 THEN 1 ELSE 0 END) AS client_errors,
              coalesce(sum(t.bytes_sent), 0) AS bytes_sent, coalesce(sum(t.bytes_received), 0) AS bytes_received,
              avg(t.duration_ms) AS avg, max(t.duration_ms) AS max
       FROM ${from} ${topWhere} GROUP BY b, g`,
    )
    .all(...topParams) as unknown as AggregateRow[];
  const native = options.nativePercentile ?? hasNativePercentile(db);
  const pct = db.prepare(percentileSql(native, from, topWhere, group, bucket)).all(...topParams) as unknown as Pick<AggregateRow, 'b' | 'g' | 'p50' | 'p95' | 'p99'>[];
  const pctOf = new Map(pct.map((p) => [`${p.b}\u0000${p.g}`, p]));
  // Totals over the whole range: the same two queries with one bucket.
  const totals = db
    .prepare(
      `SELECT 0 AS b, ${group} AS g, count(*) AS requests, sum(CASE WHEN t.status >= 500 THEN 1 ELSE 0 END) AS errors,
              sum(CASE WHEN t.status BETWEEN 400 AND 499 THEN 1 ELSE 0 END) AS client_errors,
              coalesce(sum(t.bytes_sent), 0) AS bytes_sent, coalesce(sum(t.bytes_received), 0) AS bytes_received,
              avg(t.duration_ms) AS avg, max(t.duration_ms) AS max
       FROM ${from} ${topWhere} GROUP BY g`,
    )
    .all(...topParams) as unknown as AggregateRow[];
  const totalPct = new Map((db.prepare(percentileSql(native, from, topWhere, group, '0')).all(...topParams) as unknown as AggregateRow[]).map((p) => [p.g, p]));

  const byGroup = new Map<string, Map<number, AggregateRow>>();
  for (const a of aggregates) {
    const p = pctOf.get(`${a.b}\u0000${a.g}`);
    let m = byGroup.get(a.g);
    if (m === undefined) byGroup.set(a.g, (m = new Map()));
    m.set(a.b, { ...a, p50: p?.p50 ?? null, p95: p?.p95 ?? null, p99: p?.p99 ?? null });
  }
  const first = Math.floor(sinceMs / req.bucketMs) * req.bucketMs;
  const rangeMs = untilMs - sinceMs;
  for (const g of top) {
    const rows = byGroup.get(g) ?? new Map<number, AggregateRow>();
    const points: MetricPoint[] = [];
    for (let b = first; b < untilMs; b += req.bucketMs) points.push({ time: new Date(b).toISOString(), ...point(req.bucketMs, rows.get(b)) });
    const t = totals.find((r) => r.g === g);
    const tp = totalPct.get(g);
    const total = point(rangeMs, t === undefined ? undefined : { ...t, p50: tp?.p50 ?? null, p95: tp?.p95 ?? null, p99: tp?.p99 ?? null });
    result.series.push({ key: g, total, points });
  }
  return result;
}
