// Turning validated query strings into values: times (ISO or an age before now), durations (bucket sizes) and
// the shared transaction filter. The schemas have already checked the shapes; what they cannot check (a date
// that does not exist, an empty range) is reported here with the field named.

import { parseDuration } from '../../sinks/index.ts';
import { invalidField } from '../api-error.ts';
import type { TransactionFilter } from '../store/transaction-filter.ts';

export function timeValue(field: string, value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const age = parseDuration(value);
  if (age !== undefined) return now - age;
  const at = Date.parse(value);
  // Date.parse rolls 2026-02-30 over into March; a date that does not exist is an error.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  if (!Number.isFinite(at) || new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d) throw invalidField(field, `"${value}" is not a time`);
  return at;
}

export function durationValue(field: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw invalidField(field, `"${value}" is not a duration (30s, 1m, 1h, 1d)`);
  return ms;
}

export interface FilterQuery {
  host?: string;
  method?: string;
  pathPrefix?: string;
  status?: string;
  process?: string;
  container?: string;
  direction?: string;
  agent?: string;
  since?: string;
  until?: string;
  q?: string;
}

export function filterOf(query: FilterQuery, now = Date.now()): TransactionFilter {
  const sinceMs = timeValue('querystring.since', query.since, now);
  const untilMs = timeValue('querystring.until', query.until, now);
  if (sinceMs !== undefined && untilMs !== undefined && untilMs <= sinceMs) throw invalidField('querystring.until', 'must be after since');
  return {
    host: query.host,
    method: query.method?.split(','),
    pathPrefix: query.pathPrefix,
    status: query.status,
    process: query.process,
    container: query.container,
    direction: query.direction,
    agent: query.agent,
    sinceMs,
    untilMs,
    q: query.q,
  };
}
