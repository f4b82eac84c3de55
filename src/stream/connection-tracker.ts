// Turns capture records into transactions: keeps the table of sockets and TLS streams per process,
// routes each chunk to its flow, and closes flows on close(), process exit, or idle expiry. Bounded:
// a full table evicts its least recently active flow, and every drop is counted.
import { clientHelloServerName } from '../protocols/tls/index.ts';
import type { BindRecord, CaptureHandler, CloseRecord, ConnRecord, DataRecord, ExecRecord } from '../capture/decode.ts';
import type { Http1Limits } from '../protocols/http1/index.ts';
import type { DnsAuditRecord, ProcessContext, TlsLibrary, Transaction } from '../core/transaction.ts';
import * as W from '../capture/wire.ts';
import { formatAddress } from '../core/address-text.ts';
import { newStreamCounters, type StreamCounters } from './counters.ts';
import { Flow, RECV, SEND, type FlowExchange, type SocketInfo } from './flow.ts';
import type { ConnectionFacts } from './http1-transaction.ts';
import { transactionOf } from './transaction-of.ts';
import { DnsObserver } from './dns-observer.ts';

/** Connections to this port carry DNS (over TCP; UDP sockets come marked by the kernel). */
const DNS_PORT = 53;

export interface TrackerEnvironment {
  /** Process context for a pid (cached; may read /proc). */
  process(pid: number): ProcessContext | undefined;
  /** Which TLS library an attach cookie names. */
  tlsLibrary(cookie: number): TlsLibrary | undefined;
  /** CLOCK_MONOTONIC ns → Unix ms. */
  wallMs(tsNs: number): number;
  /** The kernel still has an entry for this socket of an exited or exec'd process. */
  forgetSocket(pid: number, fd: number, connId: number): void;
  onExec?(r: ExecRecord): void;
  onExit?(pid: number, tsNs: number): void;
}

export interface TrackerOptions {
  limits: Partial<Http1Limits>;
  /** Flows idle this long are finished by sweep(). */
  idleNs: number;
  /** How long exchanges of a TLS stream not yet tied to its socket wait for the tie (for addresses). */
  bindWaitNs: number;
  maxFlows: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  limits: {},
  idleNs: 5 * 60e9,
  bindWaitNs: 200e6,
  maxFlows: 65536,
};

export class ConnectionTracker implements CaptureHandler {
  readonly counters: StreamCounters = newStreamCounters();
  private readonly env: TrackerEnvironment;
  private opts: TrackerOptions;
  private readonly sockets = new Map<number, Map<number, SocketInfo>>();
  private readonly tls = new Map<number, Map<number, Flow>>();
  /** Every live flow, least recently created first (eviction order). */
  private readonly flows = new Set<Flow>();
  /**
   * Exchanges of TLS streams whose socket is not known yet. A server using Node's memory BIOs
   * answers its first request before the ciphertext write that ties the SSL* to the socket, so
   * they wait (bindWaitNs at most) for the addresses and direction that tie brings.
   */
  private readonly held = new Map<Flow, { sinceNs: number; exchanges: FlowExchange[] }>();
  private readonly out: Transaction[] = [];
  /** DNS lookups: audit records, and the names connections' addresses were asked as. */
  readonly dns: DnsObserver;
  private flowSeq = 0;
  private txSeq = 0;
  private readonly runId = Date.now().toString(36);

  constructor(env: TrackerEnvironment, opts: Partial<TrackerOptions> = {}) {
    this.env = env;
    this.opts = { ...DEFAULT_TRACKER_OPTIONS, ...opts };
    this.dns = new DnsObserver(env);
  }

  /** Parser limits for flows created from now on (a config reload; open flows keep theirs). */
  setLimits(limits: Partial<Http1Limits>): void {
    this.opts = { ...this.opts, limits };
  }


  get flowCount(): number {
    return this.flows.size;
  }

  /** Transactions completed since the last call. */
  drain(): Transaction[] {
    return this.out.splice(0, this.out.length);
  }

  /** DNS lookups completed (or given up on) since the last call. */
  drainDns(): DnsAuditRecord[] {
    return this.dns.drain();
  }

  onData(r: DataRecord): void {
    let flow: Flow;
    if (r.source === W.CT_SRC_TLS_HELLO) {
      const sni = clientHelloServerName(r.payload);
      if (sni !== undefined) this.socket(r.pid, r.stream, r.cookie).sni = sni;
      return;
    }
    if (r.source === W.CT_SRC_DGRAM) {
      this.dns.datagram(this.socket(r.pid, r.stream, r.cookie), r.payload, !r.gap && r.payload.length === r.callLen, r.tsNs);
      return;
    }
    if (r.source === W.CT_SRC_TLS) {
      flow = this.tlsFlow(r.pid, r.stream, r.cookie, r.tsNs);
    } else {
      const sock = this.socket(r.pid, r.stream, r.cookie);
      if (sock.ssl) return; // the kernel marks TLS sockets itself; this is a late record of one
      if (sock.remote?.port === DNS_PORT) {
        this.dns.stream(sock, r.op, r.payload, r.gap ? r.callLen : 0, r.tsNs);
        return;
      }
      flow = sock.flow ??= this.newFlow(r.pid, undefined, sock, r.tsNs);
    }
    flow.ingest(r.op, r.offset, r.payload, r.gap ? r.callLen : 0, r.tsNs);
    this.emit(flow, flow.take());
  }

  onConn(r: ConnRecord): void {
    const sock = this.socket(r.pid, r.connId, r.fd);
    sock.direction = r.dir === W.CT_DIR_EGRESS ? 'egress' : r.dir === W.CT_DIR_INGRESS ? 'ingress' : undefined;
    sock.local = { address: formatAddress(r.family, r.localAddr), port: r.localPort };
    sock.remote = { address: formatAddress(r.family, r.remoteAddr), port: r.remotePort };
  }

  onBind(r: BindRecord): void {
    const sock = this.socket(r.pid, r.connId, r.fd);
    sock.ssl = r.ssl;
    if (sock.flow) this.finishFlow(sock.flow, r.tsNs); // bytes seen before the binding were ciphertext
    sock.flow = undefined;
    // An SSL* already tied to another socket was freed and its address reused for this connection
    // (the old socket may be closed later, e.g. by a garbage collector): that flow is over.
    const previous = this.tls.get(r.pid)?.get(r.ssl);
    if (previous?.socket && previous.socket !== sock) this.finishFlow(previous, r.tsNs);
    const flow = this.tlsFlow(r.pid, r.ssl, r.cookie, r.tsNs);
    flow.socket = sock;
    this.release(flow);
  }

  onClose(r: CloseRecord): void {
    const bySock = this.sockets.get(r.pid);
    const sock = bySock?.get(r.connId);
    if (sock) {
      bySock!.delete(r.connId);
      this.dns.closed(sock);
      if (sock.flow) {
        sock.flow.catchUp(SEND, r.sent, r.tsNs);
        sock.flow.catchUp(RECV, r.received, r.tsNs);
        this.emit(sock.flow, sock.flow.take());
        this.finishFlow(sock.flow, r.tsNs);
      }
    }
    const ssl = sock?.ssl || r.ssl;
    if (ssl) {
      // Unless the SSL* now serves another socket (its address was reused before this close).
      const flow = this.tls.get(r.pid)?.get(ssl);
      if (flow && (flow.socket === undefined || flow.socket === sock)) this.finishFlow(flow, r.tsNs);
    }
  }

  /** A new program image: its SSL* values mean nothing any more, and sockets closed on exec left no
   * close record (inherited ones are picked up again at their next read or write). */
  onExec(r: ExecRecord): void {
    this.forgetProcess(r.pid, r.tsNs);
    this.env.onExec?.(r);
  }

  onExit(pid: number, tsNs: number): void {
    this.forgetProcess(pid, tsNs);
    this.env.onExit?.(pid, tsNs);
  }

  /** Finishes flows idle past the limit, and stops waiting for ties that did not come. */
  sweep(nowNs: number): void {
    this.dns.sweep(nowNs);
    for (const [flow, h] of [...this.held]) if (nowNs - h.sinceNs > this.opts.bindWaitNs) this.release(flow);
    for (const flow of [...this.flows]) {
      if (nowNs - flow.lastNs > this.opts.idleNs) {
        this.counters.flowsExpired++;
        this.finishFlow(flow, nowNs);
      }
    }
  }

  /** Finishes every flow (agent shutdown): requests still waiting are emitted without a response. */
  finishAll(tsNs: number): void {
    for (const flow of [...this.flows]) this.finishFlow(flow, tsNs);
    for (const flow of [...this.held.keys()]) this.release(flow);
  }

  /** Finishes a process's flows and drops its sockets here and in the kernel. */
  private forgetProcess(pid: number, tsNs: number): void {
    for (const flow of [...(this.tls.get(pid)?.values() ?? [])]) this.finishFlow(flow, tsNs);
    this.tls.delete(pid);
    const socks = this.sockets.get(pid);
    if (!socks) return;
    for (const sock of socks.values()) {
      if (sock.flow) this.finishFlow(sock.flow, tsNs);
      this.env.forgetSocket(pid, sock.fd, sock.connId);
    }
    this.sockets.delete(pid);
  }

  private socket(pid: number, connId: number, fd: number): SocketInfo {
    let bySock = this.sockets.get(pid);
    if (!bySock) this.sockets.set(pid, (bySock = new Map()));
    let sock = bySock.get(connId);
    if (!sock) bySock.set(connId, (sock = { pid, fd, connId, ssl: 0 }));
    return sock;
  }

  /** The flow of an SSL*; `cookie` (the attach cookie) names its library when the flow is new. */
  private tlsFlow(pid: number, ssl: number, cookie: number, tsNs: number): Flow {
    let bySsl = this.tls.get(pid);
    if (!bySsl) this.tls.set(pid, (bySsl = new Map()));
    let flow = bySsl.get(ssl);
    if (!flow) bySsl.set(ssl, (flow = this.newFlow(pid, this.env.tlsLibrary(cookie) ?? 'openssl', undefined, tsNs, ssl)));
    return flow;
  }

  private newFlow(pid: number, lib: TlsLibrary | undefined, sock: SocketInfo | undefined, tsNs: number, ssl = 0): Flow {
    if (this.flows.size >= this.opts.maxFlows) {
      const oldest = this.flows.values().next().value;
      if (oldest) {
        this.counters.flowsEvicted++;
        this.finishFlow(oldest, tsNs);
      }
    }
    const id = `${this.runId}-c${++this.flowSeq}`;
    const flow = new Flow({ id, pid, ssl, tlsLibrary: lib, socket: sock, tsNs }, this.counters, this.opts.limits);
    this.flows.add(flow);
    this.counters.flowsOpened++;
    return flow;
  }

  private finishFlow(flow: Flow, tsNs: number): void {
    if (!this.flows.delete(flow)) return;
    if (flow.ssl) this.tls.get(flow.pid)?.delete(flow.ssl);
    if (flow.socket?.flow === flow) flow.socket.flow = undefined;
    this.emit(flow, flow.finish(tsNs));
    this.release(flow); // a finished flow can no longer be tied to its socket: nothing to wait for
  }

  /** Emits what a flow held back while its socket was unknown. */
  private release(flow: Flow): void {
    const h = this.held.get(flow);
    if (!h) return;
    this.held.delete(flow);
    this.output(flow, h.exchanges);
  }

  private emit(flow: Flow, exchanges: readonly FlowExchange[]): void {
    if (exchanges.length === 0) return;
    const held = this.held.get(flow);
    if (held) {
      held.exchanges.push(...exchanges);
    } else if (flow.ssl && !flow.socket) {
      this.held.set(flow, { sinceNs: flow.lastNs, exchanges: [...exchanges] });
    } else {
      this.output(flow, exchanges);
    }
  }

  private output(flow: Flow, exchanges: readonly FlowExchange[]): void {
    const direction = flow.direction ?? 'egress';
    const sock = flow.socket;
    const process = this.env.process(flow.pid);
    for (const ex of exchanges) {
      const facts: ConnectionFacts = {
        id: `${this.runId}-t${++this.txSeq}`,
        connectionId: flow.id,
        direction,
        sendsRequests: flow.sendRole === 'request',
        local: sock?.local,
        remote: sock?.remote,
        tlsLibrary: flow.tlsLibrary,
        sni: sock?.sni,
        dnsName: sock?.remote && direction === 'egress' ? this.dns.book.lookup(sock.remote.address, this.env.wallMs(flow.lastNs)) : undefined,
        process,
        wallMs: this.env.wallMs,
      };
      const tx = transactionOf(ex, facts);
      this.counters.transactions++;
      if (!tx.response) this.counters.unanswered++;
      this.out.push(tx);
    }
  }
}
