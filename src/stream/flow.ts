// One logical connection as the parsers see it: the plaintext byte streams of a socket, or of an
// SSL* when the bytes come from a TLS library. Chunks arrive with their stream offsets, so a missing
// range is a gap the parser is told about (never silently spliced), and a repeated range is dropped.
import type { StreamRole } from '../protocols/contract.ts';
import { Http1Session, sniffHttp1, type Http1Exchange, type Http1Limits, type Http1Stats } from '../protocols/http1/index.ts';
import { Http2Session, looksLikeHttp2Frames, sniffHttp2, type Http2Exchange } from '../protocols/http2/index.ts';
import type { Direction, NetEndpoint, TlsLibrary } from '../core/transaction.ts';
import type { StreamCounters } from './counters.ts';
import { switchedToH2c, upgradedRequest } from './h2c-upgrade.ts';

/** A TCP socket the kernel reported (CT_EV_CONN), keyed by its connection id. */
export interface SocketInfo {
  pid: number;
  fd: number;
  connId: number;
  /** Set by connect (egress) or accept (ingress); undefined for sockets that predate the agent. */
  direction?: Direction;
  local?: NetEndpoint;
  remote?: NetEndpoint;
  /** The SSL* carrying this socket's plaintext, once the kernel has tied them (CT_EV_BIND). */
  ssl: number;
  /** The plaintext flow of a non-TLS socket. */
  flow?: Flow;
  /** The server name of its TLS ClientHello (CT_SRC_TLS_HELLO). */
  sni?: string;
}

/** What a flow's parser hands over: an HTTP/1 exchange, or one HTTP/2 stream (it has a streamId). */
export type FlowExchange = Http1Exchange | Http2Exchange;

const NO_EXCHANGES: readonly FlowExchange[] = Object.freeze([]);

export const SEND = 0;
/** How much of a connection may go by without an HTTP/1 message start before it is taken for another protocol. */
export const MAX_UNSYNCED_BYTES = 64 * 1024;
export const RECV = 1;

export interface FlowInit {
  id: string;
  pid: number;
  /** The SSL* whose plaintext this flow carries; 0 for a plaintext socket. */
  ssl: number;
  tlsLibrary: TlsLibrary | undefined;
  socket: SocketInfo | undefined;
  tsNs: number;
}

export class Flow {
  readonly id: string;
  readonly pid: number;
  readonly ssl: number;
  readonly tlsLibrary: TlsLibrary | undefined;
  socket: SocketInfo | undefined;
  lastNs: number;
  /** The HTTP role of the bytes this process sends; undefined until the first payload is sniffed. */
  sendRole: StreamRole | undefined;
  private session: Http1Session | undefined;
  private h2: Http2Session | undefined;
  /** Bytes seen before any HTTP/1 message start; past MAX_UNSYNCED_BYTES the flow is not HTTP. */
  private unsynced = 0;
  private readonly expected = [Number.NaN, Number.NaN];
  private readonly counters: StreamCounters;
  private readonly limits: Partial<Http1Limits>;

  constructor(init: FlowInit, counters: StreamCounters, limits: Partial<Http1Limits>) {
    this.id = init.id;
    this.pid = init.pid;
    this.ssl = init.ssl;
    this.tlsLibrary = init.tlsLibrary;
    this.socket = init.socket;
    this.lastNs = init.tsNs;
    this.counters = counters;
    this.limits = limits;
  }

  /** Feeds one chunk (or, with `gapLen`, a range the kernel could not deliver). */
  ingest(op: number, offset: number, payload: Uint8Array, gapLen: number, tsNs: number): void {
    this.lastNs = tsNs;
    let expected = this.expected[op];
    if (Number.isNaN(expected)) expected = offset;
    if (offset > expected) this.lose(op, offset - expected, tsNs);
    if (gapLen > 0) {
      this.expected[op] = Math.max(expected, offset + gapLen);
      this.lose(op, offset + gapLen - Math.max(offset, expected), tsNs);
      return;
    }
    if (offset < expected) {
      const seen = expected - offset;
      this.counters.duplicateBytes += Math.min(seen, payload.length);
      if (seen >= payload.length) return;
      payload = payload.subarray(seen);
    }
    this.expected[op] = Math.max(expected, offset + payload.length);
    if (payload.length === 0) return;

    if (!this.session && !this.h2) {
      if (this.unsynced > MAX_UNSYNCED_BYTES || !this.start(op, payload)) {
        this.unsynced += payload.length;
        this.counters.notHttpBytes += payload.length;
        return;
      }
    }
    if (this.h2) this.h2.push(this.roleOf(op), payload, tsNs);
    else this.session!.push(this.roleOf(op), payload, tsNs);
  }

  /** The next bytes of `op` begin a TCP segment (passive capture): a parser that lost sync may resync there. */
  segmentStart(op: number): void {
    this.session?.segmentStart(this.roleOf(op));
  }

  /**
   * The socket's byte counts at close (plaintext sockets only): bytes past what arrived were lost
   * after the last record that did, and are reported as a gap so the framing can still finish.
   */
  catchUp(op: number, total: number, tsNs: number): void {
    const expected = this.expected[op];
    if (!Number.isNaN(expected) && total > expected) {
      this.expected[op] = total;
      this.lose(op, total - expected, tsNs);
    }
  }

  /** Exchanges completed since the last call. */
  take(): readonly FlowExchange[] {
    if (this.h2) return this.h2.take();
    if (!this.session) return NO_EXCHANGES;
    const exchanges = this.session.take();
    if (this.session.state !== 'upgraded' || exchanges.length === 0) return exchanges;
    const last = exchanges[exchanges.length - 1];
    if (!switchedToH2c(last)) return exchanges;
    // The switch to h2c: the upgrade request becomes stream 1, answered in HTTP/2; what followed the 101 in
    // each direction is the start of the HTTP/2 connection.
    this.h2 = new Http2Session(this.h2Limits(), { upgradedRequest: upgradedRequest(last) });
    for (const { role, bytes, tsNs } of this.session.takeUpgradedBytes()) this.h2.push(role, bytes, tsNs);
    return [...exchanges.slice(0, -1), ...this.h2.take()];
  }

  /** The connection is over: finish what the framing allows and hand over the rest as incomplete. */
  finish(tsNs: number): FlowExchange[] {
    if (this.h2) return this.h2.flush();
    const s = this.session;
    if (!s) return [];
    s.end('request', tsNs);
    s.end('response', tsNs);
    return [...s.take(), ...s.flush()];
  }

  /** Nothing this flow is given from now on can become an exchange: not HTTP/1, or its session upgraded or failed. */
  get exhausted(): boolean {
    if (this.h2) return this.h2.state !== 'active';
    return this.session ? this.session.state !== 'active' : this.unsynced > MAX_UNSYNCED_BYTES;
  }

  /** The parser's counters (invalid messages, resyncs, orphan responses, …); undefined before any HTTP was seen. */
  get parserStats(): Readonly<Http1Stats> | undefined {
    return this.session?.stats;
  }

  get direction(): Direction | undefined {
    if (this.socket?.direction) return this.socket.direction;
    if (this.sendRole) return this.sendRole === 'request' ? 'egress' : 'ingress';
    return undefined;
  }

  private roleOf(op: number): StreamRole {
    return (op === SEND) === (this.sendRole === 'request') ? 'request' : 'response';
  }

  /**
   * Decides from a call's first bytes whether a message starts there, and so which side is the client.
   * A connection that predates the agent is joined mid-message: calls are tried until one starts a
   * message (new messages mostly start a call), for MAX_UNSYNCED_BYTES at most.
   */
  private start(op: number, payload: Uint8Array): boolean {
    const role = sniffHttp1(payload);
    if (role) {
      this.sendRole = op === SEND ? role : role === 'request' ? 'response' : 'request';
      this.session = new Http1Session(this.limits);
      return true;
    }
    // HTTP/2 with prior knowledge (h2c) or ALPN h2 over TLS: the client preface, or the server's SETTINGS
    // (a server may write it before it reads the preface).
    const h2 = sniffHttp2(payload);
    if (h2) {
      this.sendRole = op === SEND ? h2 : h2 === 'request' ? 'response' : 'request';
      this.h2 = new Http2Session(this.h2Limits());
      return true;
    }
    // An HTTP/2 connection that predates the agent: whole frames, on a socket whose direction says who the
    // client is. Its HPACK state is unknown: fields that need it are flagged (headersIncomplete), and counted.
    const dir = this.socket?.direction;
    if (dir === undefined || !looksLikeHttp2Frames(payload)) return false;
    this.sendRole = dir === 'egress' ? 'request' : 'response';
    this.h2 = new Http2Session(this.h2Limits(), { midStream: true });
    this.counters.http2JoinedLate++;
    return true;
  }

  private h2Limits(): { maxBodyBytes?: number } {
    return this.limits.maxBodyBytes === undefined ? {} : { maxBodyBytes: this.limits.maxBodyBytes };
  }

  private lose(op: number, bytes: number, tsNs: number): void {
    if (bytes <= 0) return;
    this.counters.gapBytes += bytes;
    if (this.h2) this.h2.gap(this.roleOf(op), bytes, tsNs);
    if (this.session) this.session.gap(this.roleOf(op), bytes, tsNs);
  }
}
