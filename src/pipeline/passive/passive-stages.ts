// The stages every passive source shares: frame → TCP segment (decoder, port list) → connection tracker
// (reassembly, HTTP/1) → the NTA's transaction filter. A file and the live ring differ only in where packets
// come from and when the stages are drained.
import {
  newTcpSegment, PacketClock, PacketDecoder, type CapturedPacket, type DecodeCounters, type PacketVisitor,
} from '../../capture/pcap/index.ts';
import type { Transaction } from '../../core/transaction.ts';
import type { Http1Limits } from '../../protocols/http1/index.ts';
import { PacketTracker, type PacketTrackerOptions, type PacketTrackerStatus } from '../../stream/packet/index.ts';
import type { PassiveOptions } from './nta-options.ts';
import { type FilterCounters, TransactionFilter } from './transaction-filter.ts';

export interface PassiveStageOptions {
  passive: PassiveOptions;
  /** Parser limits (maxBodyBytes: 0 unless an output shows bodies). */
  limits: Partial<Http1Limits>;
  tracker?: Partial<PacketTrackerOptions>;
}

export interface PassiveStageStatus {
  decode: DecodeCounters;
  tracker: PacketTrackerStatus;
  filter: FilterCounters;
}

export class PassiveStages {
  /** Hands one captured packet to the stages (no allocation unless it completes something). */
  readonly visit: PacketVisitor;
  private readonly decoder: PacketDecoder;
  private readonly tracker: PacketTracker;
  private readonly filter: TransactionFilter;

  private readonly clock = new PacketClock();

  constructor(o: PassiveStageOptions) {
    const clock = this.clock;
    this.decoder = new PacketDecoder(o.passive.ports);
    this.tracker = new PacketTracker(clock.wallMs, { ...o.tracker, limits: o.limits });
    this.filter = new TransactionFilter(o.passive.statusCodes, o.passive.excludeHeaders);
    const seg = newTcpSegment();
    const decoder = this.decoder;
    const tracker = this.tracker;
    this.visit = (p: CapturedPacket) => {
      if (!decoder.decode(p, seg)) return;
      seg.tsNs = clock.toNs(p.tsSec, p.tsNsec);
      tracker.onSegment(seg);
    };
  }

  /** The wall clock moved on (live capture): connections idle past the limit are finished. */
  tick(unixMs: number): void {
    this.tracker.advanceTo(this.clock.toNs(Math.floor(unixMs / 1000), (unixMs % 1000) * 1e6));
  }

  /** Transactions finished since the last call that pass the filter. */
  take(): Transaction[] {
    return this.filter.apply(this.tracker.drain());
  }

  /** The source has ended: finishes every connection and returns what that completes. */
  finish(): Transaction[] {
    this.tracker.finishAll();
    return this.take();
  }

  status(): PassiveStageStatus {
    return { decode: { ...this.decoder.counters }, tracker: this.tracker.status(), filter: { ...this.filter.counters } };
  }
}
