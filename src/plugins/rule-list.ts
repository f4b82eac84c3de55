// Qtap's rule lists (`http_capture.rules`, `access_logs.rules`): checked in order when a transaction ends, the
// first rule that passes decides. A rule whose fields are missing is no match, silently; a rule that throws is
// logged (rate-limited), counted in cleartap_rule_errors_total{plugin}, and skipped. Rules that cannot be used
// (empty expression, bad expression, unusable setting) are reported once, at start, and left out, as Qtap does.

import type { Logger } from '../core/logger.ts';
import type { ConfigObject } from './config-readers.ts';
import { readString } from './config-readers.ts';
import type { PluginServices, PluginView, RulePredicate } from './plugin.ts';
import { createRateLimitedLog } from './rate-limited-log.ts';
import { counterIn } from './registry-metrics.ts';

export interface CompiledRule<T> {
  name: string;
  predicate: RulePredicate;
  /** What the rule decides (a level, a mode). */
  value: T;
}

export interface RuleList<T> {
  readonly rules: readonly CompiledRule<T>[];
  /** The value of the first passing rule, or undefined when none passes. */
  firstMatch(view: PluginView): T | undefined;
}

/**
 * Compiles `entries` ({name, expr, ...}); `read` takes the rule's decision from its entry, or returns a string
 * saying why it cannot (the rule is then left out with a warning).
 */
export function compileRuleList<T>(
  plugin: string,
  entries: readonly ConfigObject[],
  services: Pick<PluginServices, 'compileRule' | 'log' | 'metrics'>,
  read: (entry: ConfigObject) => { value: T } | { problem: string },
): RuleList<T> {
  const { log } = services;
  const rules: CompiledRule<T>[] = [];
  entries.forEach((entry, index) => {
    const name = readString(entry, 'name', `#${index + 1}`);
    const expr = readString(entry, 'expr', '').trim();
    if (expr === '') {
      log.warn({ plugin, rule: name }, 'rule has an empty expr; skipped');
      return;
    }
    const decision = read(entry);
    if ('problem' in decision) {
      log.warn({ plugin, rule: name }, `rule skipped: ${decision.problem}`);
      return;
    }
    const predicate = compileOrReport(services.compileRule, expr, `${plugin} rule '${name}'`, log, plugin, name);
    if (predicate !== undefined) rules.push({ name, predicate, value: decision.value });
  });

  const errors = counterIn(services.metrics.systemRegistry, 'cleartap_rule_errors_total', 'Rule evaluations that failed with an error (treated as no match)', ['plugin']);
  const logError = createRateLimitedLog(log, 'error');
  return {
    rules,
    firstMatch(view) {
      if (rules.length === 0) return undefined;
      const fields = view.fields();
      for (const rule of rules) {
        let outcome;
        try {
          outcome = rule.predicate(fields);
        } catch (err) {
          errors.inc({ plugin });
          logError(rule.name, { err, plugin, rule: rule.name }, 'rule evaluation failed; treated as no match');
          continue;
        }
        if (outcome === 'pass') return rule.value;
      }
      return undefined;
    },
  };
}

function compileOrReport(
  compileRule: PluginServices['compileRule'],
  expr: string,
  where: string,
  log: Logger,
  plugin: string,
  rule: string,
): RulePredicate | undefined {
  try {
    return compileRule(expr, where);
  } catch (err) {
    log.error({ err, plugin, rule, expr }, 'rule expression does not compile; rule skipped');
    return undefined;
  }
}
