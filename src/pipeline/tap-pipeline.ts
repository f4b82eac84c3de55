// The `tap` stage between capture and the plugin stacks: for every transaction, drop what tap.filters,
// tap.direction and tap.ignore_loopback leave out (each a counter), pick the stack (tap.endpoints by domain,
// else tap.http.stack) and hand the transaction to it.
//
// A config reload builds the new routing (stacks loaded, rules compiled) next to the running one and swaps
// them between two batches: no transaction waits or is lost, and an invalid config never replaces a valid
// one. The old stacks are flushed and closed after the swap.
import { hostname } from 'node:os';
import type { Logger } from '../core/logger.ts';
import type { DnsAuditRecord, Transaction } from '../core/transaction.ts';
import { transactionDomain } from '../core/transaction-domain.ts';
import { compileMacros, compileRule, transactionFields, type MacroDefinition, type RuleFields } from '../rules/index.ts';
import { createRedactor, loadStack, type PluginServices, type PluginSpec, type RedactionConfig, type Stack, type TransactionView } from '../plugins/index.ts';
import { dropsTransaction, EndpointRouter, TrafficFilter, type EndpointRoute, type ProcessSkip, type TrafficSettings } from '../tap/index.ts';
import type { TransactionSink } from './agent.ts';
import type { LiveDiscovery } from './live-discovery.ts';

/** What the tap stage needs from a config. */
export interface TapSettings {
  traffic: TrafficSettings;
  /** tap.http.stack ('' or 'none': no stack). */
  defaultStack: string;
  endpoints: readonly EndpointRoute[];
  stacks: Readonly<Record<string, readonly PluginSpec[]>>;
  mask: RedactionConfig;
  macros: readonly MacroDefinition[];
  /** The config's tags ("key:value"): rule field `tags`, and on every event. */
  tags: readonly string[];
  /** tap.audit_include_dns: DNS lookups become events. */
  auditIncludeDns: boolean;
}

/** Services shared by every stack and kept across reloads. */
export type SharedServices = Omit<PluginServices, 'compileRule' | 'log'> & { log: Logger };

export interface TapCounters {
  /** Transactions that reached the tap stage. */
  transactions: number;
  filtered_process: number;
  filtered_direction: number;
  filtered_loopback: number;
  /** Routed to no stack (tap.http.stack or the endpoint's stack is empty or "none"). */
  no_stack: number;
  /** Handed to a stack. */
  processed: number;
  /** DNS lookups reported as events, and those left out (audit_include_dns off, or the process skips dns). */
  dns_reported: number;
  dns_not_audited: number;
}

interface Routing {
  tags: string[];
  auditIncludeDns: boolean;
  traffic: TrafficFilter;
  router: EndpointRouter;
  stacks: Map<string, Stack>;
}

const HOSTNAME = hostname();

async function buildRouting(settings: TapSettings, services: SharedServices): Promise<Routing> {
  const macros = compileMacros(settings.macros);
  const compile = (expr: string, where: string) => {
    try {
      const rule = compileRule(expr, { macros });
      return (fields: unknown) => rule.evaluate(fields as RuleFields);
    } catch (err) {
      (err as Error).message = `${where}: ${(err as Error).message}`;
      throw err;
    }
  };
  const router = new EndpointRouter(settings.endpoints, settings.defaultStack);
  const redactor = createRedactor(settings.mask);
  const stacks = new Map<string, Stack>();
  try {
    for (const name of router.stacks()) {
      const specs = settings.stacks[name] ?? [];
      stacks.set(name, await loadStack(name, specs, { ...services, compileRule: compile, log: services.log }, { redactor }));
    }
  } catch (err) {
    await Promise.all([...stacks.values()].map((s) => s.close()));
    throw err;
  }
  return { tags: [...settings.tags], auditIncludeDns: settings.auditIncludeDns, traffic: new TrafficFilter(settings.traffic), router, stacks };
}

export class TapPipeline implements TransactionSink {
  readonly counters: TapCounters = {
    transactions: 0,
    filtered_process: 0,
    filtered_direction: 0,
    filtered_loopback: 0,
    no_stack: 0,
    processed: 0,
    dns_reported: 0,
    dns_not_audited: 0,
  };
  private routing: Routing;
  private readonly services: SharedServices;
  private readonly skipOf: (pid: number | undefined) => ProcessSkip;
  /** The live API inventory, fed every transaction that passes the filters (whatever stack it goes to). */
  private readonly discovery: LiveDiscovery | undefined;

  private constructor(routing: Routing, services: SharedServices, skipOf: (pid: number | undefined) => ProcessSkip, discovery?: LiveDiscovery) {
    this.routing = routing;
    this.services = services;
    this.skipOf = skipOf;
    this.discovery = discovery;
  }

  /** Loads every stack the settings route to; rejects (CT_ERR_PLUGIN / CT_ERR_RULE) when one cannot start. */
  static async create(
    settings: TapSettings,
    services: SharedServices,
    skipOf: (pid: number | undefined) => ProcessSkip,
    discovery?: LiveDiscovery,
  ): Promise<TapPipeline> {
    return new TapPipeline(await buildRouting(settings, services), services, skipOf, discovery);
  }

  /** The stacks in force, by name, with their plugins. */
  get stacks(): Record<string, readonly string[]> {
    return Object.fromEntries([...this.routing.stacks].map(([name, s]) => [name, s.plugins]));
  }

  write(batch: readonly Transaction[]): Promise<void> {
    const { traffic, router, stacks, tags } = this.routing;
    const c = this.counters;
    for (const tx of batch) {
      c.transactions++;
      if (dropsTransaction(this.skipOf(tx.process?.pid), tx.tlsLibrary !== undefined)) {
        c.filtered_process++;
        continue;
      }
      const direction = traffic.directionOf(tx);
      const verdict = traffic.verdict(tx, direction);
      if (verdict !== 'pass') {
        if (verdict === 'direction') c.filtered_direction++;
        else c.filtered_loopback++;
        continue;
      }
      this.discovery?.add(tx);
      const name = router.stackFor(transactionDomain(tx));
      const stack = name === undefined ? undefined : stacks.get(name);
      if (stack === undefined) {
        c.no_stack++;
        continue;
      }
      let fields: RuleFields | undefined;
      const view: TransactionView = { tx, direction, tags, fields: () => (fields ??= transactionFields(tx, { hostname: HOSTNAME, tags })) };
      stack.process(view);
      c.processed++;
    }
    return Promise.resolve();
  }

  /** DNS lookups (from the DNS parser): events when tap.audit_include_dns is on and the process does not skip dns. */
  writeDns(records: readonly DnsAuditRecord[]): void {
    for (const r of records) {
      if (!this.routing.auditIncludeDns || this.skipOf(r.process?.pid).dns) {
        this.counters.dns_not_audited++;
        continue;
      }
      this.counters.dns_reported++;
      this.services.eventStore.submit({
        type: 'dns',
        item: {
          timestamp: new Date(r.time).toISOString(),
          name: r.name,
          type: r.type,
          ...(r.rcode !== undefined && { rcode: r.rcode }),
          answers: r.answers,
          ...(r.latencyMs !== undefined && { durationMs: Math.round(r.latencyMs * 1000) / 1000 }),
          ...(r.server && { server: r.server.address.includes(':') ? `[${r.server.address}]:${r.server.port}` : `${r.server.address}:${r.server.port}` }),
          ...(r.process && { processId: String(r.process.pid), processExe: r.process.exe }),
        },
      });
    }
  }

  /** Swaps in new settings once their stacks have loaded; on failure the running ones stay and the error is thrown. */
  async reload(settings: TapSettings): Promise<void> {
    const next = await buildRouting(settings, this.services);
    const old = this.routing;
    this.routing = next;
    await Promise.all([...old.stacks.values()].map((s) => s.close()));
  }

  async flush(): Promise<void> {
    await Promise.all([...this.routing.stacks.values()].map((s) => s.flush()));
    await Promise.all([this.services.objectStore.flush(), this.services.eventStore.flush()]);
  }

  async close(): Promise<void> {
    await this.discovery?.stop();
    await Promise.all([...this.routing.stacks.values()].map((s) => s.close()));
    await Promise.all([this.services.objectStore.close(), this.services.eventStore.close()]);
  }
}
