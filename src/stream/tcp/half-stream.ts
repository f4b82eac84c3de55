// One direction of a TCP connection: segments in (any order, repeated, overlapping, cut by the snap length),
// bytes out in stream order, with every hole reported as a gap of known length. Sequence numbers are 32-bit
// and wrap; positions are kept as the distance from the next expected number, so wrap-around needs no special
// case. A hole is given up on when the peer acknowledges past it (it got bytes the capture did not), when the
// queue behind it is full, or when the connection ends.

import type { QueueBudget, ReassemblyCounters, ReassemblyLimits } from './reassembly-counters.ts';

/**
 * Where reassembled bytes go. `bytes` may view a reused buffer: valid only during the call. `segmentStart`:
 * they begin a segment (not the new part of one that overlapped bytes already delivered).
 */
export interface HalfStreamSink {
  data(dir: number, offset: number, bytes: Uint8Array, tsNs: number, segmentStart: boolean): void;
  gap(dir: number, offset: number, length: number, tsNs: number): void;
}

/** Segments farther than this from the expected sequence number are not this stream's (2^30: a quarter of the space). */
const MAX_DISTANCE = 1 << 30;

interface Queued {
  /** Stream offset of data[0]. */
  offset: number;
  /** A copy: the segment's buffer is reused once the packet has been handled. */
  data: Uint8Array;
  /** Bytes after `data` the segment carried on the wire but the capture cut off. */
  lost: number;
  fin: boolean;
  tsNs: number;
}

export class HalfStream {
  readonly dir: number;
  /** The first sequence number is known (from a SYN, or from the first segment of a stream joined late). */
  synced = false;
  /** This side's FIN has been reached in order. */
  ended = false;
  /** Bytes delivered or given up as gaps so far: the stream offset of `nextSeq`. */
  offset = 0;
  /** The initial sequence number this side announced in its SYN, when one was seen. */
  isn: number | undefined;
  private nextSeq = 0;
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private readonly sink: HalfStreamSink;
  private readonly counters: ReassemblyCounters;
  private readonly limits: ReassemblyLimits;
  private readonly budget: QueueBudget;

  constructor(dir: number, sink: HalfStreamSink, counters: ReassemblyCounters, limits: ReassemblyLimits, budget: QueueBudget) {
    this.dir = dir;
    this.sink = sink;
    this.counters = counters;
    this.limits = limits;
    this.budget = budget;
  }

  /**
   * One segment of this direction: its payload is bytes[start, start + captured), and `length` bytes long on
   * the wire (more when the snap length cut it).
   */
  segment(seq: number, syn: boolean, fin: boolean, bytes: Uint8Array, start: number, captured: number, length: number, tsNs: number): void {
    if (syn) {
      this.isn ??= seq;
      seq = (seq + 1) >>> 0; // the SYN's own sequence number
      if (!this.synced) this.begin(seq);
    } else if (!this.synced) {
      if (length === 0) return; // a bare ACK or FIN says nothing about where this side's data starts
      this.begin(seq);
    }
    if (length > 0) this.counters.segments++;
    if (this.ended) return this.afterEnd(seq, length);
    let rel = (seq - this.nextSeq) | 0;
    if (rel > MAX_DISTANCE || rel < -MAX_DISTANCE) {
      this.counters.outOfWindow++;
      return;
    }
    if (rel > 0 && !this.roomFor(captured)) {
      this.makeRoom(rel, captured, tsNs);
      if (this.ended) return this.afterEnd(seq, length);
      rel = (seq - this.nextSeq) | 0;
    }
    if (rel > 0) {
      this.enqueue(this.offset + rel, bytes.slice(start, start + captured), length - captured, fin, tsNs);
    } else if (rel + length < 0 || (rel + length === 0 && !fin)) {
      this.counters.retransmittedBytes += length;
    } else {
      this.deliverFrom(-rel, bytes, start, captured, length, fin, tsNs);
      this.drain();
    }
  }

  /** The peer acknowledged up to `ack`: bytes before it that never arrived were lost by the capture. */
  peerAck(ack: number, tsNs: number): void {
    if (!this.synced || this.ended) return;
    const d = (ack - this.nextSeq) | 0;
    if (d > 0 && d <= MAX_DISTANCE) this.loseUpTo(this.offset + d, tsNs);
  }

  /** The connection is over: whatever waits behind a hole is delivered after a gap for the hole. */
  flush(tsNs: number): void {
    const last = this.queue[this.queue.length - 1];
    if (last) this.loseUpTo(last.offset, tsNs);
  }

  /** Drops what is queued (the connection is being discarded) and returns its share of the budget. */
  release(): void {
    this.budget.used -= this.queuedBytes;
    this.queuedBytes = 0;
    this.queue.length = 0;
  }

  private afterEnd(seq: number, length: number): void {
    const rel = (seq - this.nextSeq) | 0;
    if (rel + length <= 0) this.counters.retransmittedBytes += length;
    else this.counters.afterFinBytes += Math.min(length, rel + length);
  }

  private begin(seq: number): void {
    this.nextSeq = seq;
    this.synced = true;
  }

  private roomFor(bytes: number): boolean {
    const l = this.limits;
    return this.queue.length < l.maxQueuedSegmentsPerDirection && this.queuedBytes + bytes <= l.maxQueuedBytesPerDirection && this.budget.used + bytes <= this.budget.max;
  }

  /** The queue is full: give up the oldest holes until the new segment fits or is next in line. */
  private makeRoom(rel: number, captured: number, tsNs: number): void {
    this.counters.queueOverflows++;
    const target = this.offset + rel;
    while (this.queue.length > 0 && !this.roomFor(captured) && this.offset < target) {
      this.skip(Math.min(this.queue[0].offset, target) - this.offset, tsNs);
      this.drain();
    }
    if (!this.roomFor(captured) && this.offset < target && !this.ended) this.skip(target - this.offset, tsNs);
  }

  private enqueue(offset: number, data: Uint8Array, lost: number, fin: boolean, tsNs: number): void {
    const q = this.queue;
    let i = q.length;
    while (i > 0 && q[i - 1].offset > offset) i--;
    const prev = q[i - 1];
    if (prev && prev.offset === offset && prev.data.length + prev.lost >= data.length + lost) {
      this.counters.retransmittedBytes += data.length + lost;
      return;
    }
    this.counters.outOfOrderSegments++;
    q.splice(i, 0, { offset, data, lost, fin, tsNs });
    this.queuedBytes += data.length;
    this.budget.used += data.length;
  }

  /** Delivers queued segments that have become contiguous. */
  private drain(): void {
    const q = this.queue;
    while (q.length > 0 && !this.ended && q[0].offset <= this.offset) {
      const s = q.shift()!;
      this.queuedBytes -= s.data.length;
      this.budget.used -= s.data.length;
      const length = s.data.length + s.lost;
      const behind = this.offset - s.offset;
      if (behind > length || (behind === length && !s.fin)) {
        this.counters.retransmittedBytes += length;
        continue;
      }
      this.deliverFrom(behind, s.data, 0, s.data.length, length, s.fin, s.tsNs);
    }
  }

  /** Delivers a segment whose first `skip` bytes were seen already; the uncaptured tail becomes a gap. */
  private deliverFrom(skip: number, bytes: Uint8Array, start: number, captured: number, length: number, fin: boolean, tsNs: number): void {
    this.counters.retransmittedBytes += skip;
    const fromCaptured = Math.min(skip, captured);
    const data = captured - fromCaptured;
    if (data > 0) {
      this.sink.data(this.dir, this.offset, bytes.subarray(start + fromCaptured, start + captured), tsNs, skip === 0);
      this.advance(data);
    }
    const lost = length - Math.max(skip, captured);
    if (lost > 0) this.skip(lost, tsNs);
    if (fin) this.end();
  }

  /** Reports a hole of `n` bytes and moves past it. */
  private skip(n: number, tsNs: number): void {
    if (n <= 0) return;
    this.counters.gaps++;
    this.counters.gapBytes += n;
    this.sink.gap(this.dir, this.offset, n, tsNs);
    this.advance(n);
  }

  private loseUpTo(target: number, tsNs: number): void {
    for (;;) {
      this.drain();
      if (this.ended || this.offset >= target) return;
      this.skip((this.queue.length > 0 ? Math.min(this.queue[0].offset, target) : target) - this.offset, tsNs);
    }
  }

  private advance(n: number): void {
    this.offset += n;
    this.nextSeq = (this.nextSeq + n) >>> 0;
  }

  private end(): void {
    this.ended = true;
    this.nextSeq = (this.nextSeq + 1) >>> 0; // the FIN's own sequence number
    this.release();
  }
}
