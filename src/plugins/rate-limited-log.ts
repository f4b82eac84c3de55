// A failing plugin or rule fails for every transaction; logging each would flood stderr. One line per key per
// interval, and the next line says how many were held back.

import type { Logger } from '../core/logger.ts';

export type RateLimitedLog = (key: string, fields: Record<string, unknown>, message: string) => void;

const RATE_LIMIT_INTERVAL_MS = 10_000;

export function createRateLimitedLog(
  log: Logger,
  level: 'error' | 'warn',
  intervalMs = RATE_LIMIT_INTERVAL_MS,
  now: () => number = Date.now,
): RateLimitedLog {
  const seen = new Map<string, { last: number; suppressed: number }>();
  return (key, fields, message) => {
    const t = now();
    const entry = seen.get(key);
    if (entry !== undefined && t - entry.last < intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    seen.set(key, { last: t, suppressed: 0 });
    log[level](suppressed > 0 ? { ...fields, suppressed } : fields, message);
  };
}
