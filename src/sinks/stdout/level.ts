// http_capture capture levels (design.md "Levels"; qtap-reference.md §1.5). Each level adds to the one before it:
// none = nothing, summary = method, URL, status, duration, sizes; details = + headers; full = + bodies.

export const CAPTURE_LEVELS = ['none', 'summary', 'details', 'full'] as const;

export type CaptureLevel = (typeof CAPTURE_LEVELS)[number];

/** What configs may say: Qtap accepts `headers` as another name for `details`. */
export type CaptureLevelInput = CaptureLevel | 'headers';

const RANK: Readonly<Record<CaptureLevel, number>> = { none: 0, summary: 1, details: 2, full: 3 };

/** Maps the `headers` alias to `details`; every other value is returned as is. */
export function normalizeLevel(level: CaptureLevelInput): CaptureLevel {
  return level === 'headers' ? 'details' : level;
}

/** Type guard for values read from configs or flags. */
export function isCaptureLevel(value: string): value is CaptureLevelInput {
  return value === 'headers' || (CAPTURE_LEVELS as readonly string[]).includes(value);
}

/** True when `level` includes everything `wanted` shows. */
export function levelIncludes(level: CaptureLevel, wanted: CaptureLevel): boolean {
  return RANK[level] >= RANK[wanted];
}
