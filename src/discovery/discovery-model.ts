// The incremental API-discovery model: fed one transaction at a time (live, from the pipeline, or offline, from a
// file), it keeps per server a route trie whose nodes hold bounded per-method aggregates, so its memory grows with
// the number of endpoints and never with the number of transactions. `snapshot()` computes endpoint templates
// from the trie under the current hints and merges the aggregates of each template: hints set later regroup the
// traffic already seen.

import type { Transaction } from '../core/transaction.ts';
import { addObservation, cloneAggregate, mergeAggregate, newAggregate, type EndpointAggregate } from './endpoint-aggregate.ts';
import { hintMatchesServer, type PathHint } from './hints.ts';
import { observe, skipReason } from './observation.ts';
import { authorityOfOrigin, originOf } from './request-parts.ts';
import { insertPath, newTrie, type RouteLimits, type RouteTrie } from './route-trie.ts';
import type { SecurityScheme } from './security-schemes.ts';
import { templateRoutes } from './path-templating.ts';
import { cloneSketch, mergeSketch, type ValueSketch } from './value-sketch.ts';

export interface DiscoveryOptions {
  /** Literal children a route node keeps before folding them into one parameter (Beyla-style cap). */
  maxLiteralChildren?: number;
  /** Route nodes kept per server. */
  maxNodesPerServer?: number;
  /** Servers kept; transactions to further servers are counted and dropped. */
  maxServers?: number;
  hints?: readonly PathHint[];
}

export interface DiscoveryCounters {
  transactions: number;
  skippedStaticAssets: number;
  skippedCorsPreflights: number;
  /** Transactions to servers past maxServers. */
  droppedServerLimit: number;
  bodiesTruncated: number;
  bodiesInvalid: number;
  routeSegmentsFolded: number;
  routeSegmentsOverflowed: number;
  routePathsTooDeep: number;
}

export interface PathParamSnapshot {
  name: string;
  sketch: ValueSketch;
}

export interface EndpointSnapshot {
  method: string;
  path: string;
  pathParams: PathParamSnapshot[];
  aggregate: EndpointAggregate;
}

export interface ServerSnapshot {
  /** scheme://host[:port] */
  origin: string;
  /** host[:port] */
  authority: string;
  endpoints: EndpointSnapshot[];
  securitySchemes: Map<string, SecurityScheme>;
}

export interface DiscoverySnapshot {
  servers: ServerSnapshot[];
  counters: DiscoveryCounters;
}

interface ServerState {
  origin: string;
  trie: RouteTrie;
  schemes: Map<string, SecurityScheme>;
}

const METHOD_ORDER = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'];

function methodRank(m: string): number {
  const i = METHOD_ORDER.indexOf(m);
  return i < 0 ? METHOD_ORDER.length : i;
}

export class DiscoveryModel {
  readonly counters: DiscoveryCounters = {
    transactions: 0,
    skippedStaticAssets: 0,
    skippedCorsPreflights: 0,
    droppedServerLimit: 0,
    bodiesTruncated: 0,
    bodiesInvalid: 0,
    routeSegmentsFolded: 0,
    routeSegmentsOverflowed: 0,
    routePathsTooDeep: 0,
  };
  private readonly servers = new Map<string, ServerState>();
  private readonly limits: RouteLimits;
  private readonly maxServers: number;
  private hints: PathHint[];

  constructor(options: DiscoveryOptions = {}) {
    this.limits = { maxLiteralChildren: options.maxLiteralChildren ?? 64, maxNodes: options.maxNodesPerServer ?? 20_000 };
    this.maxServers = options.maxServers ?? 1000;
    this.hints = [...(options.hints ?? [])];
  }

  /** Adds one transaction; false when it was skipped (and counted) rather than aggregated. */
  add(tx: Transaction): boolean {
    const skip = skipReason(tx);
    if (skip === 'static_asset') {
      this.counters.skippedStaticAssets++;
      return false;
    }
    if (skip === 'cors_preflight') {
      this.counters.skippedCorsPreflights++;
      return false;
    }
    const origin = originOf(tx);
    let server = this.servers.get(origin);
    if (server === undefined) {
      if (this.servers.size >= this.maxServers) {
        this.counters.droppedServerLimit++;
        return false;
      }
      server = { origin, trie: newTrie(), schemes: new Map() };
      this.servers.set(origin, server);
    }
    const obs = observe(tx, origin, server.schemes);
    const node = insertPath(server.trie, obs.segments, this.limits, this.counters);
    let agg = node.methods.get(obs.method);
    if (agg === undefined) {
      agg = newAggregate();
      node.methods.set(obs.method, agg);
    }
    addObservation(agg, obs, this.counters);
    this.counters.transactions++;
    return true;
  }

  /** Replaces the path hints; the next snapshot applies them to everything seen so far. */
  setHints(hints: readonly PathHint[]): void {
    this.hints = [...hints];
  }

  addHint(hint: PathHint): void {
    this.hints.push(hint);
  }

  /** How much the model holds: servers and route-trie nodes (what its memory grows with). */
  size(): { servers: number; routeNodes: number } {
    let routeNodes = 0;
    for (const s of this.servers.values()) routeNodes += s.trie.nodes;
    return { servers: this.servers.size, routeNodes };
  }

  /** Server origins seen so far. */
  serverOrigins(): string[] {
    return [...this.servers.keys()].sort();
  }

  /** Endpoints per server under the current hints; the result shares nothing with the model. */
  snapshot(filter?: (origin: string) => boolean): DiscoverySnapshot {
    const servers: ServerSnapshot[] = [];
    for (const origin of this.serverOrigins()) {
      if (filter !== undefined && !filter(origin)) continue;
      const state = this.servers.get(origin) as ServerState;
      const hints = this.hints.filter((h) => hintMatchesServer(h, origin));
      const endpoints: EndpointSnapshot[] = [];
      for (const t of templateRoutes(state.trie.root, hints)) {
        const aggregates = t.nodes.map((n) => n.methods.get(t.method) as EndpointAggregate);
        const aggregate = cloneAggregate(aggregates[0]);
        for (const a of aggregates.slice(1)) mergeAggregate(aggregate, a);
        const pathParams = t.params.map((p) => {
          const sketch = cloneSketch(p.nodes[0].segment);
          for (const n of p.nodes.slice(1)) mergeSketch(sketch, n.segment);
          return { name: p.name, sketch };
        });
        endpoints.push({ method: t.method, path: t.path, pathParams, aggregate });
      }
      endpoints.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : methodRank(a.method) - methodRank(b.method)));
      servers.push({ origin, authority: authorityOfOrigin(origin), endpoints, securitySchemes: new Map(state.schemes) });
    }
    return { servers, counters: { ...this.counters } };
  }
}
