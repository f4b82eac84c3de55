// Which name a process asked for, by the address it then connects to: learnt from DNS answers (A, AAAA, and the
// address hints of HTTPS/SVCB records), so that a connection without a Host header or SNI still gets a domain.
// The name kept is the question's (what the client asked), not the end of a CNAME chain (a CDN's edge name).
// Entries live for their TTL, clamped to [5 s, 1 h] (a 0-TTL answer is still used by the connection it was
// fetched for), and the book is an LRU of bounded size, its evictions counted.

import { DNS_TYPE, type DnsMessage } from '../protocols/dns/index.ts';

const MIN_TTL_S = 5;
const MAX_TTL_S = 3600;
export const DEFAULT_ADDRESS_BOOK_SIZE = 100_000;

export interface AddressBookCounters {
  learnt: number;
  evicted: number;
  hits: number;
  expired: number;
}

export class DnsAddressBook {
  readonly counters: AddressBookCounters = { learnt: 0, evicted: 0, hits: 0, expired: 0 };
  readonly #entries = new Map<string, { name: string; untilMs: number }>();
  readonly #max: number;

  constructor(maxEntries = DEFAULT_ADDRESS_BOOK_SIZE) {
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  learn(msg: DnsMessage, nowMs: number): void {
    const asked = msg.questions[0]?.name;
    if (!msg.response || msg.rcode !== 0 || asked === undefined || asked === '') return;
    const name = asked.toLowerCase();
    for (const rec of msg.answers) {
      const ttlMs = Math.min(Math.max(rec.ttl, MIN_TTL_S), MAX_TTL_S) * 1000;
      if ((rec.type === DNS_TYPE.A || rec.type === DNS_TYPE.AAAA) && rec.data.kind === 'address') this.#set(rec.data.address, name, nowMs + ttlMs);
      else if (rec.data.kind === 'svcb') for (const a of [...(rec.data.svcb.ipv4hint ?? []), ...(rec.data.svcb.ipv6hint ?? [])]) this.#set(a, name, nowMs + ttlMs);
    }
  }

  /** The name last asked for that resolved to `address`, while its answer is fresh. */
  lookup(address: string, nowMs: number): string | undefined {
    const e = this.#entries.get(address);
    if (e === undefined) return undefined;
    if (e.untilMs < nowMs) {
      this.#entries.delete(address);
      this.counters.expired++;
      return undefined;
    }
    this.counters.hits++;
    return e.name;
  }

  #set(address: string, name: string, untilMs: number): void {
    this.#entries.delete(address);
    this.#entries.set(address, { name, untilMs });
    this.counters.learnt++;
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
      this.counters.evicted++;
    }
  }
}
