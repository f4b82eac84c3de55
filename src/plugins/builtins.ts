// The plugins cleartap ships, by their Qtap `type`.

import { accessLogsPlugin, debugPlugin } from './access-logs/access-logs.ts';
import { detectErrorsPlugin } from './detect-errors/detect-errors.ts';
import { httpCapturePlugin } from './http-capture.ts';
import { httpMetricsPlugin } from './http-metrics/http-metrics.ts';
import type { Plugin } from './plugin.ts';
import { reportUsagePlugin } from './report-usage/report-usage.ts';

export type PluginRegistry = ReadonlyMap<string, Plugin>;

export const BUILTIN_PLUGINS: PluginRegistry = new Map(
  [httpCapturePlugin, accessLogsPlugin, debugPlugin, httpMetricsPlugin, reportUsagePlugin, detectErrorsPlugin].map(
    (p) => [p.type, p],
  ),
);

/** Qtap plugin types cleartap does not implement: skipped with a warning, so Qtap configs still load. */
export const UNSUPPORTED_QTAP_PLUGINS: ReadonlySet<string> = new Set(['logger', 'qscan', 'devtools']);
