// Pairs DNS queries with their responses: by the caller's flow key (a socket), the message id and the first
// question, which a response repeats (RFC 1035 §4.1.1). A response whose query was never seen (the capture
// started late, or the query went by sendmmsg) still makes an exchange, without latency. Bounded: the oldest
// pending queries go first, counted.

import type { DnsMessage } from './types.ts';

export interface DnsExchange {
  /** The caller's flow key the messages came on. */
  flow: string | number;
  query?: DnsMessage;
  response?: DnsMessage;
  /** tsNs of the query, else of the response. */
  startNs: number;
  latencyNs?: number;
}

export interface DnsMatcherCounters {
  queries: number;
  responses: number;
  paired: number;
  /** Responses without a pending query. */
  unmatchedResponses: number;
  /** Queries that got no answer before expiry. */
  unanswered: number;
  /** Pending queries dropped because the table was full. */
  evicted: number;
}

export const DEFAULT_MAX_PENDING_QUERIES = 4096;

function questionKey(flow: string | number, msg: DnsMessage): string {
  const q = msg.questions[0];
  return q === undefined ? `${flow}/${msg.id}` : `${flow}/${msg.id}/${q.name.toLowerCase()}/${q.type}/${q.class}`;
}

export class DnsExchangeMatcher {
  readonly counters: DnsMatcherCounters = { queries: 0, responses: 0, paired: 0, unmatchedResponses: 0, unanswered: 0, evicted: 0 };
  readonly #pending = new Map<string, { flow: string | number; msg: DnsMessage; tsNs: number }>();
  readonly #max: number;

  constructor(maxPending = DEFAULT_MAX_PENDING_QUERIES) {
    this.#max = maxPending;
  }

  get pending(): number {
    return this.#pending.size;
  }

  query(flow: string | number, msg: DnsMessage, tsNs: number): void {
    this.counters.queries++;
    const key = questionKey(flow, msg);
    this.#pending.delete(key); // a retransmission: the latest one is what the answer answers
    this.#pending.set(key, { flow, msg, tsNs });
    if (this.#pending.size > this.#max) {
      const oldest = this.#pending.keys().next().value;
      if (oldest !== undefined) this.#pending.delete(oldest);
      this.counters.evicted++;
    }
  }

  response(flow: string | number, msg: DnsMessage, tsNs: number): DnsExchange {
    this.counters.responses++;
    const key = questionKey(flow, msg);
    const q = this.#pending.get(key);
    if (q === undefined) {
      this.counters.unmatchedResponses++;
      return { flow, response: msg, startNs: tsNs };
    }
    this.#pending.delete(key);
    this.counters.paired++;
    return { flow, query: q.msg, response: msg, startNs: q.tsNs, latencyNs: tsNs - q.tsNs };
  }

  /** Queries older than timeoutNs, as exchanges without a response. */
  expire(nowNs: number, timeoutNs: number): DnsExchange[] {
    const out: DnsExchange[] = [];
    for (const [key, q] of this.#pending) {
      if (nowNs - q.tsNs < timeoutNs) break; // insertion order is time order
      this.#pending.delete(key);
      this.counters.unanswered++;
      out.push({ flow: q.flow, query: q.msg, startNs: q.tsNs });
    }
    return out;
  }
}
