// The plugin contract: what a stack runs for every HTTP transaction, and what users implement to add their own
// plugin (`type: ./my-plugin.ts` in a stack; docs/plugins.md has a complete example).
//
// A plugin is a factory. The stack calls create() once, when the agent starts, with the plugin's `config` from
// the YAML and the agent's services; the instance then sees every transaction of the stack in order. Instances
// are isolated: whatever they throw (or an async onTransaction rejects with) is caught by the stack, counted in
// cleartap_plugin_errors_total{stack,plugin} and logged at most every 10 s; the next plugin still runs.

import type { Writable } from 'node:stream';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.ts';
import type { Transaction } from '../core/transaction.ts';
import type { EventStore } from './event-store.ts';
import type { ObjectStore } from './object-store.ts';

/** Qtap's connection direction: egress splits by whether the destination address is private. */
export type ConnectionDirection = 'ingress' | 'egress-internal' | 'egress-external';

/** What a rule says about a transaction; `missing`: a field the rule reads is absent (Qtap: no match, silently). */
export type RuleOutcome = 'pass' | 'fail' | 'missing';

export type RulePredicate = (fields: unknown) => RuleOutcome;

/** Compiles a Rulekit expression; `where` names it in errors ("stack s, http_capture rule 'errors'"). Throws on a bad expression. */
export type CompileRule = (expr: string, where: string) => RulePredicate;

/** One transaction as the pipeline hands it to a stack. */
export interface TransactionView {
  tx: Transaction;
  direction: ConnectionDirection;
  /** The rule fields (qtap-reference.md §2.3) of the unmasked transaction, computed on first call. */
  fields(): unknown;
  /** The config's `tags` ("key:value"), for the events plugins emit. */
  tags?: readonly string[];
}

/** One transaction as a plugin sees it: sensitive headers and body fields already masked. */
export interface PluginView {
  /** The transaction with sensitive values masked (redaction.ts): everything a plugin writes out comes from here. */
  tx: Transaction;
  direction: ConnectionDirection;
  /** Rule fields of the unmasked transaction, for compiled rules (services.compileRule). */
  fields(): unknown;
  /**
   * The transaction before masking. Only for values that cannot be turned back into the secret (report_usage's
   * SHA-256 of an auth token); never write it, or anything read from it, to an output.
   */
  unmaskedTx: Transaction;
  /** The config's `tags` ("key:value"), for the events plugins emit. */
  tags?: readonly string[];
}

export interface PluginMetrics {
  /** Traffic metrics, served at /metrics by http_metrics. Shared by every stack: get-or-create your metrics. */
  registry: Registry;
  /** Agent health metrics, served at /system/metrics; the stacks count their errors and drops here. */
  systemRegistry: Registry;
}

/** What the agent lends every plugin. Plugins do not own these: they never end the stream or close the stores. */
export interface PluginServices {
  /** Structured logs on stderr. */
  log: Logger;
  /** Where console and JSON logs go (stdout); shared with the stdout object store, so write whole lines. */
  stdout: Writable;
  /** Large, sensitive payloads: http_capture records, recorded headers and bodies. */
  objectStore: ObjectStore;
  /** Small metadata events: Request, Issue. */
  eventStore: EventStore;
  compileRule: CompileRule;
  metrics: PluginMetrics;
  /** Directory of the config file; user plugin modules and relative paths in configs resolve against it. */
  configDir: string;
}

/** One running plugin within one stack. */
export interface PluginInstance {
  /**
   * Called for every transaction of the stack, in order. Keep it quick and synchronous where you can (it runs on
   * the agent's main thread); a returned promise is not awaited, only watched for rejection.
   */
  onTransaction(view: PluginView): void | Promise<void>;
  /** Write out anything buffered (called on demand and before close). */
  flush?(): Promise<void>;
  /** Release what create() acquired (servers, timers). Called once, in reverse stack order, at shutdown. */
  close?(): Promise<void>;
}

export interface Plugin {
  /** The name in logs and metric labels; the built-ins use their Qtap type (`http_capture`). */
  type: string;
  /**
   * Builds an instance from the plugin's `config` (the YAML value, unvalidated for user plugins: read it
   * defensively). Throw (or reject) to refuse a config: the agent stops at start with that message.
   */
  create(config: unknown, services: PluginServices): PluginInstance | Promise<PluginInstance>;
}

/** Identity, for type inference and checking in user modules: `export default definePlugin({ type, create })`. */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}
