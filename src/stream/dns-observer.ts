// DNS as the capture sees it: datagrams of UDP sockets connected to port 53 (one record per datagram) and the
// byte streams of TCP connections to port 53. Queries and answers are paired per socket into audit records
// (tap.audit_include_dns), and every answer teaches the address book which name an address was asked as.

import type { DnsAuditRecord, ProcessContext } from '../core/transaction.ts';
import { dnsAnswersAsText, dnsRcodeName, dnsTypeName, DnsExchangeMatcher, DnsTcpReader, parseDnsMessage, type DnsExchange } from '../protocols/dns/index.ts';
import { DnsAddressBook } from './dns-address-book.ts';
import type { SocketInfo } from './flow.ts';

/** A query unanswered this long is reported without an answer. */
const ANSWER_TIMEOUT_NS = 10e9;

export interface DnsCounters {
  messages: number;
  /** Datagrams or TCP messages that are not DNS (counted, not parsed further). */
  invalid: number;
  /** Datagrams the kernel did not deliver whole (larger than one record, or lost to a full ring). */
  partial: number;
}

export interface DnsEnvironment {
  process(pid: number): ProcessContext | undefined;
  wallMs(tsNs: number): number;
}

export class DnsObserver {
  readonly counters: DnsCounters = { messages: 0, invalid: 0, partial: 0 };
  readonly matcher = new DnsExchangeMatcher();
  readonly book = new DnsAddressBook();
  readonly #env: DnsEnvironment;
  readonly #tcp = new Map<SocketInfo, [DnsTcpReader, DnsTcpReader]>();
  readonly #out: DnsAuditRecord[] = [];

  constructor(env: DnsEnvironment) {
    this.#env = env;
  }

  /** One UDP datagram; `whole` is false when the kernel delivered less than the datagram. */
  datagram(sock: SocketInfo, payload: Uint8Array, whole: boolean, tsNs: number): void {
    if (!whole) {
      this.counters.partial++;
      return;
    }
    this.#message(sock, payload, tsNs);
  }

  /** Bytes of a TCP connection to port 53, in one direction (op 0 send, 1 receive); gapLen > 0: bytes lost. */
  stream(sock: SocketInfo, op: number, payload: Uint8Array, gapLen: number, tsNs: number): void {
    let readers = this.#tcp.get(sock);
    if (readers === undefined) this.#tcp.set(sock, (readers = [new DnsTcpReader(), new DnsTcpReader()]));
    const reader = readers[op & 1];
    if (gapLen > 0) reader.gap(gapLen);
    else reader.push(payload);
    for (const m of reader.take()) this.#message(sock, m, tsNs);
  }

  closed(sock: SocketInfo): void {
    const readers = this.#tcp.get(sock);
    if (readers === undefined) return;
    this.#tcp.delete(sock);
    for (const r of readers) {
      r.end();
      this.counters.partial += r.counters.messagesLost;
    }
  }

  /** Queries that waited too long are reported without an answer. */
  sweep(nowNs: number): void {
    for (const ex of this.matcher.expire(nowNs, ANSWER_TIMEOUT_NS)) this.#report(ex, undefined);
  }

  drain(): DnsAuditRecord[] {
    return this.#out.splice(0, this.#out.length);
  }

  #message(sock: SocketInfo, bytes: Uint8Array, tsNs: number): void {
    const r = parseDnsMessage(bytes);
    if (r.kind !== 'ok') {
      this.counters.invalid++;
      return;
    }
    this.counters.messages++;
    const msg = r.frame;
    // The flow key keeps the asking socket: answers are paired per socket, and the record names its process.
    const key = `${sock.pid}/${sock.connId}`;
    if (!msg.response) {
      this.matcher.query(key, msg, tsNs);
      return;
    }
    this.book.learn(msg, this.#env.wallMs(tsNs));
    this.#report(this.matcher.response(key, msg, tsNs), sock);
  }

  #report(ex: DnsExchange, sock: SocketInfo | undefined): void {
    const msg = ex.response ?? ex.query!;
    const q = msg.questions[0];
    if (q === undefined) return;
    const rec: DnsAuditRecord = {
      time: this.#env.wallMs(ex.startNs),
      name: q.name,
      type: dnsTypeName(q.type),
      answers: ex.response ? dnsAnswersAsText(ex.response) : [],
    };
    if (ex.response) rec.rcode = dnsRcodeName(ex.response.rcode);
    if (ex.latencyNs !== undefined) rec.latencyMs = ex.latencyNs / 1e6;
    // An unanswered query has only its flow key ("pid/connId") left to say who asked.
    const pid = sock?.pid ?? Number(String(ex.flow).split('/')[0]);
    const p = Number.isInteger(pid) ? this.#env.process(pid) : undefined;
    if (p) rec.process = p;
    if (sock?.remote) rec.server = sock.remote;
    this.#out.push(rec);
  }
}
