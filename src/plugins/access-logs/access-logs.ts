// Qtap's `access_logs` and `debug` plugins (qtap-reference.md §1.5, §3.3): a log of every transaction on stdout.
// `mode` none | summary | details (headers too; `headers` is accepted for it) | full (and bodies); an empty or
// unknown mode is summary. `format` json (one object per line, access-log-record.ts) | console (one coloured line
// at summary, the box at details and full); access_logs defaults to json, debug to console. `rules`
// [{name, expr, mode}]: the first passing rule's mode wins. `color` auto | always | never (cleartap addition,
// default auto: colours on a terminal only; see color-mode.ts).

import type { Plugin } from '../plugin.ts';
import { createBatchedOutput } from '../batched-output.ts';
import { asConfigObject, type ConfigObject, readBool, readChoice, readObjectList, readValue } from '../config-readers.ts';
import { createRateLimitedLog } from '../rate-limited-log.ts';
import { counterIn } from '../registry-metrics.ts';
import { compileRuleList } from '../rule-list.ts';
import { accessLogRecord } from './access-log-record.ts';
import { type ColorSetting, colorEnabled } from './color-mode.ts';
import { consoleBox } from './console-box.ts';
import { summarySpans } from './console-line.ts';
import { renderSpans } from './styled-text.ts';

type AccessLogMode = 'none' | 'summary' | 'details' | 'full';
type AccessLogFormat = 'json' | 'console';

const FORMATS: readonly AccessLogFormat[] = ['json', 'console'];
const COLOR_SETTINGS: readonly ColorSetting[] = ['auto', 'always', 'never'];

function createAccessLogPlugin(type: 'access_logs' | 'debug', defaultFormat: AccessLogFormat): Plugin {
  return {
    type,
    create(rawConfig, services) {
      const config = asConfigObject(rawConfig);
      const mode = readMode(config);
      const format = readChoice(config, 'format', FORMATS) ?? defaultFormat;
      const rules = compileRuleList(type, readObjectList(config, 'rules'), services, (entry) => ({ value: readMode(entry) }));
      const color = format === 'console' && colorEnabled(readColor(config), services.stdout);
      const dropped = counterIn(services.metrics.systemRegistry, 'cleartap_plugin_output_dropped_total', 'Log lines a plugin could not write (stdout too far behind or gone)', ['plugin']);
      const logError = createRateLimitedLog(services.log, 'error');
      const out = createBatchedOutput(services.stdout, {
        onError: (err) => logError('stdout', { err, plugin: type }, 'writing the access log to stdout failed'),
        onDrop: (n) => dropped.inc({ plugin: type }, n),
      });
      return {
        onTransaction(view) {
          const m = rules.firstMatch(view) ?? mode;
          if (m === 'none') return;
          const details = m === 'details' || m === 'full';
          const full = m === 'full';
          let text: string;
          if (format === 'json') text = `${JSON.stringify(accessLogRecord(view.tx, view.direction, details, full))}\n`;
          else if (details) text = `${consoleBox(view.tx, view.direction, full, color).join('\n')}\n`;
          else text = `${renderSpans(summarySpans(view.tx, view.direction), color)}\n`;
          out.write(text, 1);
        },
        flush: () => out.flush(),
        close: () => out.close(),
      };
    },
  };
}

export const accessLogsPlugin = createAccessLogPlugin('access_logs', 'json');
export const debugPlugin = createAccessLogPlugin('debug', 'console');

/** Qtap: an empty or unknown mode prints a summary. */
function readMode(config: ConfigObject): AccessLogMode {
  const mode = readChoice(config, 'mode', ['none', 'summary', 'details', 'full', 'headers'] as const);
  if (mode === 'headers') return 'details';
  return mode ?? 'summary';
}

function readColor(config: ConfigObject): ColorSetting {
  if (typeof readValue(config, 'color') === 'boolean') return readBool(config, 'color', false) ? 'always' : 'never';
  return readChoice(config, 'color', COLOR_SETTINGS) ?? 'auto';
}
