// A stack (Qtap's `stacks.<name>.plugins`): its plugins, created once at start, run in order for every
// transaction. The stack masks the transaction once (redaction.ts) before any plugin sees it, and isolates the
// plugins from the pipeline and from each other: what one throws is counted in
// cleartap_plugin_errors_total{stack,plugin}, logged at most every 10 s, and the next plugin still runs.
//
// Lifecycle: loadStack() creates every plugin (user modules are imported first); if one fails, those already
// created are closed and the error (CT_ERR_PLUGIN) says which plugin of which stack. flush() flushes every plugin;
// close() flushes, then closes them in reverse order.

import { CleartapError } from '../core/errors.ts';
import { BUILTIN_PLUGINS, type PluginRegistry, UNSUPPORTED_QTAP_PLUGINS } from './builtins.ts';
import type { Plugin, PluginInstance, PluginServices, PluginView, TransactionView } from './plugin.ts';
import { createRateLimitedLog } from './rate-limited-log.ts';
import { createRedactor, type Redactor } from './redaction.ts';
import { counterIn } from './registry-metrics.ts';
import { isModulePath, loadPluginModule } from './user-module.ts';

/** One entry of `stacks.<name>.plugins`. */
export interface PluginSpec {
  type: string;
  config?: unknown;
}

export interface StackOptions {
  /** Masks sensitive values; defaults to the default masking (createRedactor()). Share one across stacks. */
  redactor?: Redactor;
  /** Defaults to the built-in plugins. */
  builtins?: PluginRegistry;
}

export interface Stack {
  readonly name: string;
  /** The running plugins' types, in order (skipped Qtap types are not listed). */
  readonly plugins: readonly string[];
  /** Runs every plugin on the transaction. Never throws. */
  process(view: TransactionView): void;
  /** Flushes every plugin; plugin failures are counted and logged, never thrown. */
  flush(): Promise<void>;
  /** flush(), then close the plugins in reverse order. Later process() calls are counted and ignored. */
  close(): Promise<void>;
}

interface Running {
  type: string;
  instance: PluginInstance;
}

export async function loadStack(
  name: string,
  specs: readonly PluginSpec[],
  services: PluginServices,
  options: StackOptions = {},
): Promise<Stack> {
  const builtins = options.builtins ?? BUILTIN_PLUGINS;
  const running: Running[] = [];
  try {
    for (const [index, spec] of specs.entries()) {
      const where = `stack "${name}", plugin #${index + 1} (${spec.type})`;
      const plugin = await resolvePlugin(spec.type, where, builtins, services);
      if (plugin === undefined) continue;
      const log = services.log.child({ stack: name, plugin: plugin.type });
      running.push({ type: plugin.type, instance: await createInstance(plugin, spec.config, { ...services, log }, where) });
    }
  } catch (err) {
    await closeAll(running, services, name);
    throw err;
  }
  return startStack(name, running, services, options.redactor ?? createRedactor());
}

async function resolvePlugin(
  type: string,
  where: string,
  builtins: PluginRegistry,
  services: PluginServices,
): Promise<Plugin | undefined> {
  if (isModulePath(type)) {
    try {
      return await loadPluginModule(type, services.configDir);
    } catch (err) {
      const e = err as CleartapError;
      throw new CleartapError('CT_ERR_PLUGIN', `${where}: ${e.message}`, e.hint, { cause: e.cause ?? err });
    }
  }
  const builtin = builtins.get(type);
  if (builtin !== undefined) return builtin;
  if (UNSUPPORTED_QTAP_PLUGINS.has(type)) {
    services.log.warn({ where }, `Qtap plugin type "${type}" is not supported by cleartap; skipped`);
    return undefined;
  }
  throw new CleartapError(
    'CT_ERR_PLUGIN',
    `${where}: unknown plugin type "${type}"`,
    `built-in types: ${[...builtins.keys()].join(', ')}; a user plugin's type is its module path, starting with ./ ../ or /`,
  );
}

async function createInstance(plugin: Plugin, config: unknown, services: PluginServices, where: string): Promise<PluginInstance> {
  let instance: unknown;
  try {
    instance = await plugin.create(config, services);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const hint = err instanceof CleartapError ? err.hint : 'check the plugin\'s config';
    throw new CleartapError('CT_ERR_PLUGIN', `${where} failed to start: ${reason}`, hint, { cause: err });
  }
  if (typeof instance !== 'object' || instance === null || typeof (instance as PluginInstance).onTransaction !== 'function') {
    throw new CleartapError(
      'CT_ERR_PLUGIN',
      `${where}: create() returned no plugin instance (an object with onTransaction(view))`,
      'see docs/plugins.md',
    );
  }
  return instance as PluginInstance;
}

function startStack(name: string, running: readonly Running[], services: PluginServices, redact: Redactor): Stack {
  const { systemRegistry } = services.metrics;
  const errors = counterIn(systemRegistry, 'cleartap_plugin_errors_total', 'Errors thrown by plugins; the other plugins still ran', ['stack', 'plugin']);
  const redactionFailures = counterIn(systemRegistry, 'cleartap_redaction_failures_total', 'Transactions not given to a stack because masking them failed', ['stack']);
  const afterClose = counterIn(systemRegistry, 'cleartap_stack_closed_drops_total', 'Transactions handed to a stack after it was closed', ['stack']);
  const logError = createRateLimitedLog(services.log, 'error');
  const fail = (index: number, err: unknown): void => {
    const type = running[index]!.type;
    errors.inc({ stack: name, plugin: type });
    logError(String(index), { err, stack: name, plugin: type }, 'plugin failed; the transaction went on to the next plugin');
  };
  let closed = false;

  const flushAll = async (): Promise<void> => {
    await Promise.all(
      running.map(async (p, index) => {
        try {
          await p.instance.flush?.();
        } catch (err) {
          fail(index, err);
        }
      }),
    );
  };

  return {
    name,
    plugins: running.map((p) => p.type),
    process(view) {
      if (closed) {
        afterClose.inc({ stack: name });
        return;
      }
      let tx;
      try {
        tx = redact(view.tx);
      } catch (err) {
        // Unmasked data must not reach an output: the stack skips this transaction.
        redactionFailures.inc({ stack: name });
        logError('redaction', { err, stack: name }, 'masking a transaction failed; it was not processed');
        return;
      }
      const pluginView: PluginView = { tx, direction: view.direction, fields: () => view.fields(), unmaskedTx: view.tx, tags: view.tags };
      for (let i = 0; i < running.length; i++) {
        try {
          const result: unknown = running[i]!.instance.onTransaction(pluginView);
          if (isThenable(result)) result.then(undefined, (err: unknown) => fail(i, err));
        } catch (err) {
          fail(i, err);
        }
      }
    },
    flush: flushAll,
    async close() {
      if (closed) return;
      closed = true;
      await flushAll();
      await closeAll(running, services, name, fail);
    },
  };
}

/** Closes in reverse order; a failure is reported (through `fail` when the stack runs) and the rest still close. */
async function closeAll(
  running: readonly Running[],
  services: PluginServices,
  stack: string,
  fail?: (index: number, err: unknown) => void,
): Promise<void> {
  for (let i = running.length - 1; i >= 0; i--) {
    try {
      await running[i]!.instance.close?.();
    } catch (err) {
      if (fail !== undefined) fail(i, err);
      else services.log.error({ err, stack, plugin: running[i]!.type }, 'closing a plugin failed');
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
