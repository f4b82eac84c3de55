// One TCP connection seen on the wire: its two endpoints, a reassembler per direction, and the HTTP/1 flow the
// reassembled bytes feed (the same Flow and parser as eBPF mode). Endpoint A is the source of the first packet
// seen — the client when that packet was a SYN; which side really is the client is settled by the parser
// (the side whose bytes are requests).
import type { TcpSegment } from '../../capture/pcap/index.ts';
import type { NetEndpoint } from '../../core/transaction.ts';
import { formatAddress } from '../../core/address-text.ts';
import type { Flow } from '../flow.ts';
import { HalfStream, type HalfStreamSink, type QueueBudget, type ReassemblyCounters, type ReassemblyLimits } from '../tcp/index.ts';

const NO_BYTES = new Uint8Array(0);
const AF_INET = 2;
const AF_INET6 = 10;

export class TcpConnection implements HalfStreamSink {
  readonly family: 4 | 6;
  readonly a0: number;
  readonly a1: number;
  readonly a2: number;
  readonly a3: number;
  readonly aPort: number;
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly b3: number;
  readonly bPort: number;
  readonly hash: number;
  /** The next connection whose tuple hashes the same (the table chains them). */
  nextInBucket: TcpConnection | undefined = undefined;
  /** Index 0: A → B; 1: B → A (the Flow's SEND and RECV). */
  readonly halves: readonly [HalfStream, HalfStream];
  flow: Flow;
  lastNs: number;
  /** Direction of the client's SYN (-1 until one is seen) and when it was seen. */
  synDir = -1;
  synNs = 0;
  /** Nothing from this connection is parsed any more (not HTTP, upgraded, or a duplicate view of another). */
  ignored = false;
  /** Another capture point's view of the same connection (through a NAT) is the one reported. */
  shadowed = false;
  /** FINs seen while ignored, one bit per direction, to know when it is over. */
  finBits = 0;
  natKey: string | undefined = undefined;
  private endpoints: [NetEndpoint, NetEndpoint] | undefined;

  constructor(seg: TcpSegment, hash: number, flow: Flow, counters: ReassemblyCounters, limits: ReassemblyLimits, budget: QueueBudget) {
    this.family = seg.family;
    this.a0 = seg.src0;
    this.a1 = seg.src1;
    this.a2 = seg.src2;
    this.a3 = seg.src3;
    this.aPort = seg.srcPort;
    this.b0 = seg.dst0;
    this.b1 = seg.dst1;
    this.b2 = seg.dst2;
    this.b3 = seg.dst3;
    this.bPort = seg.dstPort;
    this.hash = hash;
    this.flow = flow;
    this.lastNs = seg.tsNs;
    this.halves = [new HalfStream(0, this, counters, limits, budget), new HalfStream(1, this, counters, limits, budget)];
  }

  /** 0 when the segment goes A → B, 1 when B → A, -1 when it is another connection's. */
  directionOf(s: TcpSegment): number {
    if (s.family !== this.family) return -1;
    if (s.srcPort === this.aPort && s.dstPort === this.bPort && s.src3 === this.a3 && s.dst3 === this.b3 &&
      s.src0 === this.a0 && s.src1 === this.a1 && s.src2 === this.a2 && s.dst0 === this.b0 && s.dst1 === this.b1 && s.dst2 === this.b2) return 0;
    if (s.srcPort === this.bPort && s.dstPort === this.aPort && s.src3 === this.b3 && s.dst3 === this.a3 &&
      s.src0 === this.b0 && s.src1 === this.b1 && s.src2 === this.b2 && s.dst0 === this.a0 && s.dst1 === this.a1 && s.dst2 === this.a2) return 1;
    return -1;
  }

  /** Endpoint A and B as text (formatted once, when the first transaction needs them). */
  endpoint(side: 0 | 1): NetEndpoint {
    this.endpoints ??= [this.format(this.a0, this.a1, this.a2, this.a3, this.aPort), this.format(this.b0, this.b1, this.b2, this.b3, this.bPort)];
    return this.endpoints[side];
  }

  data(dir: number, offset: number, bytes: Uint8Array, tsNs: number, segmentStart: boolean): void {
    if (segmentStart) this.flow.segmentStart(dir);
    this.flow.ingest(dir, offset, bytes, 0, tsNs);
  }

  gap(dir: number, offset: number, length: number, tsNs: number): void {
    this.flow.ingest(dir, offset, NO_BYTES, length, tsNs);
  }

  private format(w0: number, w1: number, w2: number, w3: number, port: number): NetEndpoint {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    if (this.family === 4) {
      v.setUint32(0, w3);
      return { address: formatAddress(AF_INET, b), port };
    }
    v.setUint32(0, w0);
    v.setUint32(4, w1);
    v.setUint32(8, w2);
    v.setUint32(12, w3);
    return { address: formatAddress(AF_INET6, b), port };
  }
}

/** A symmetric hash of a segment's tuple (both directions hash alike), kept in V8's small-integer range. */
export function tupleHash(s: TcpSegment): number {
  return (endpointHash(s.src0, s.src1, s.src2, s.src3, s.srcPort) + endpointHash(s.dst0, s.dst1, s.dst2, s.dst3, s.dstPort)) & 0x3fffffff;
}

function endpointHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w3 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ port, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ w0, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ w1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ w2, 0x27d4eb2f);
  return h ^ (h >>> 15);
}
