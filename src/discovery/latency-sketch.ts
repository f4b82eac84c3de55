// Latency percentiles in fixed memory: a log-scale histogram of 256 counters from 10 µs to 100 s (each bucket
// ~6.5% wide, so a percentile is within ~3.2% of the true value), plus the exact minimum and maximum. Histograms
// of the same layout merge by adding counters, which is what grouping endpoints at snapshot time needs.

const BUCKETS = 256;
const LOW_MS = 0.01;
const HIGH_MS = 100_000;
const LOG_LOW = Math.log(LOW_MS);
const LOG_STEP = (Math.log(HIGH_MS) - LOG_LOW) / (BUCKETS - 2);

export interface LatencySketch {
  count: number;
  min: number;
  max: number;
  sum: number;
  /** Allocated with the first value, so endpoints without timings cost nothing. */
  buckets: Uint32Array | undefined;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function newLatencySketch(): LatencySketch {
  return { count: 0, min: Infinity, max: -Infinity, sum: 0, buckets: undefined };
}

function bucketOf(ms: number): number {
  if (ms < LOW_MS) return 0;
  if (ms >= HIGH_MS) return BUCKETS - 1;
  return 1 + Math.min(BUCKETS - 3, Math.floor((Math.log(ms) - LOG_LOW) / LOG_STEP));
}

/** The geometric middle of bounded bucket `i` (1 .. BUCKETS - 2). */
function valueOf(i: number): number {
  return Math.exp(LOG_LOW + (i - 0.5) * LOG_STEP);
}

/** Records one duration; negative and non-finite ones are not durations and are ignored. */
export function addLatency(s: LatencySketch, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) return;
  s.buckets ??= new Uint32Array(BUCKETS);
  s.buckets[bucketOf(ms)]++;
  s.count++;
  s.sum += ms;
  if (ms < s.min) s.min = ms;
  if (ms > s.max) s.max = ms;
}

export function mergeLatency(a: LatencySketch, b: LatencySketch): void {
  if (b.buckets === undefined) return;
  a.buckets ??= new Uint32Array(BUCKETS);
  for (let i = 0; i < BUCKETS; i++) a.buckets[i] += b.buckets[i];
  a.count += b.count;
  a.sum += b.sum;
  a.min = Math.min(a.min, b.min);
  a.max = Math.max(a.max, b.max);
}

export function quantile(s: LatencySketch, q: number): number {
  if (s.buckets === undefined || s.count === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * s.count));
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += s.buckets[i];
    if (seen < rank) continue;
    // The open-ended buckets have no middle: their exact extremes are the best answer.
    if (i === 0) return s.min;
    if (i === BUCKETS - 1) return s.max;
    return Math.min(s.max, Math.max(s.min, valueOf(i)));
  }
  return s.max;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Percentiles in milliseconds (rounded to the microsecond); undefined when no duration was recorded. */
export function summarizeLatency(s: LatencySketch): LatencySummary | undefined {
  if (s.count === 0) return undefined;
  return {
    p50: round(quantile(s, 0.5)),
    p90: round(quantile(s, 0.9)),
    p99: round(quantile(s, 0.99)),
    max: round(s.max),
    mean: round(s.sum / s.count),
  };
}
