// The per-connection entry point the connection tracker feeds. Semantics the tracker relies on:
// - push() order matters within a direction; across directions the tsNs decide pairing: a response whose first
//   byte is older than the oldest waiting request answers a request the capture never saw (an orphan: counted
//   in stats.orphanResponses, never emitted). Response bytes that arrive before any request are held (up to
//   maxHeaderBytes) until a request, the request side's end(), or that bound decides.
// - take() returns exchanges whose request and final response are both finished, in request order.
// - end(role): EOF of one direction. After end('response') no response can come, so each waiting exchange is
//   emitted as soon as its request is finished (response undefined). After end('request') a request still
//   being read is finished with complete: false, and its exchange still waits for a response.
// - flush(): give up waiting (connection closed or evicted): everything pending is emitted now, unfinished
//   messages with complete: false.
// - gap(role, 0) before the first push says the capture joined mid-stream: the stream starts resyncing.
import type { StreamRole } from '../contract.ts';
import { ExchangePairing } from './exchange-pairing.ts';
import {
  DEFAULT_HTTP1_LIMITS, type Http1Exchange, type Http1Limits, type Http1SessionState, type Http1Stats,
} from './types.ts';

export class Http1Session {
  private readonly pairing: ExchangePairing;

  constructor(limits: Partial<Http1Limits> = {}) {
    this.pairing = new ExchangePairing({ ...DEFAULT_HTTP1_LIMITS, ...limits });
  }

  /** 'upgraded' after 101 or 2xx to CONNECT; 'failed' after too many invalid messages in a row. */
  get state(): Http1SessionState {
    return this.pairing.state;
  }

  get stats(): Readonly<Http1Stats> {
    return this.pairing.stats;
  }

  /** `bytes` may be a view into a reused buffer: whatever is kept is copied. */
  push(role: StreamRole, bytes: Uint8Array, tsNs: number): void {
    this.pairing.reader(role).push(bytes, tsNs);
    this.pairing.settle();
  }

  /** `length` bytes of this direction were lost by the capture; 0 means an unknown amount. */
  gap(role: StreamRole, length: number, tsNs: number): void {
    this.pairing.stats.gapBytes += length;
    this.pairing.reader(role).gap(length, tsNs);
    this.pairing.settle();
  }

  /** The next push of `role` starts a TCP segment: a stream that lost sync may find a message there. */
  segmentStart(role: StreamRole): void {
    this.pairing.reader(role).unitStart();
  }

  /** That direction reached EOF: finishes a read-until-close body. */
  end(role: StreamRole, tsNs: number): void {
    this.pairing.reader(role).end(tsNs);
    this.pairing.settle();
  }

  /** After an upgrade: the bytes each direction carried since, in order, for the new protocol's parser. */
  takeUpgradedBytes(): Array<{ role: StreamRole; bytes: Uint8Array; tsNs: number }> {
    return this.pairing.afterUpgrade.splice(0, this.pairing.afterUpgrade.length);
  }

  /** Exchanges finished since the last call, in request order. */
  take(): Http1Exchange[] {
    return this.pairing.take();
  }

  /** Emits every pending exchange now (unfinished messages with complete: false) and returns take(). */
  flush(): Http1Exchange[] {
    this.pairing.flush();
    this.pairing.settle();
    return this.pairing.take();
  }
}
