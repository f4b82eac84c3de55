// A durable, bounded spool: append-only segment files of CRC-framed records (frame.ts) with one consumer whose
// progress (the ack) is kept in the directory, so records survive a store outage and a kill -9 of the agent.
//
// - append() never blocks or throws: it frames the record in memory and a background writer appends batches to
//   the newest segment. A record is durable once written (the page cache survives the process); the fsync policy
//   decides when it survives the machine: `always` (each batch), `interval` (every fsyncIntervalMs, default) or
//   `never`.
// - read() hands out what is on disk, in order; commit(seq) says everything below seq is delivered. The ack file
//   is rewritten at most every ACK_DELAY_MS, and a segment is deleted only once an ack past its end is on disk,
//   so sequence numbers are never reused and a restart replays at most what the last ack did not cover.
// - Bytes on disk plus bytes waiting for the disk never exceed maxBytes. When a record would not fit, policy
//   `drop-oldest` deletes the oldest segment (its unread records counted), `drop-newest` refuses the record
//   (counted). Every loss is counted and logged (loss-report.ts), never silent.

import { unlink } from 'node:fs/promises';
import { open, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../../core/logger.ts';
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES, MAX_PAYLOAD_BYTES, type Frame } from './frame.ts';
import { createLossReport, type LossReport } from './loss-report.ts';
import { recoverSegments, type Segment } from './recover.ts';
import { openSpoolDir, readAck, segmentPath, writeAck } from './spool-dir.ts';

export type DropPolicy = 'drop-oldest' | 'drop-newest';
export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface SpoolOptions {
  dir: string;
  /** Bound on spooled bytes: on disk plus waiting for the disk. */
  maxBytes: number;
  policy: DropPolicy;
  fsync: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** A segment is closed and a new one started past this size; default maxBytes / 8 within [4 KiB, 16 MiB]. */
  segmentBytes?: number;
  /** Names the spool in logs. */
  name: string;
  log: Logger;
}

export interface SpoolCounters {
  spooled: number;
  dropped_oldest: number;
  dropped_newest: number;
  /** Larger than MAX_PAYLOAD_BYTES or half the spool. */
  dropped_oversize: number;
  /** Appended after close. */
  dropped_closed: number;
  /** Unreadable on disk (CRC or framing), or still in memory when close() could not write them. */
  dropped_corrupt: number;
  dropped_unwritten: number;
  /** A torn last frame cut at open (power loss). */
  truncated_bytes: number;
  write_errors: number;
  /** Gauges. */
  bytes: number;
  unread: number;
}

const ACK_DELAY_MS = 100;
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;
const READ_CHUNK_BYTES = 256 * 1024;
const WRITE_RETRY_MS = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Spool {
  /** Names this spool's records for idempotent stores: (id, seq) is never reused. */
  readonly id: string;
  /** Records below this were spooled before this process opened the spool: a store may have them already. */
  readonly replayEndSeq: number;
  readonly #o: Required<SpoolOptions>;
  readonly #release: () => void;
  readonly #loss: LossReport;
  readonly #c: Omit<SpoolCounters, 'bytes' | 'unread'> = {
    spooled: 0, dropped_oldest: 0, dropped_newest: 0, dropped_oversize: 0, dropped_closed: 0, dropped_corrupt: 0,
    dropped_unwritten: 0, truncated_bytes: 0, write_errors: 0,
  };
  readonly #segments: Segment[];
  #active: { seg: Segment; fh: FileHandle; dirty: boolean } | undefined;
  #reader: { seg: Segment; fh: FileHandle; pos: number } | undefined;
  #reading = false;
  #pending: Buffer[] = [];
  #pendingFirstSeq: number;
  #pendingBytes = 0;
  #writingBytes = 0;
  #diskBytes: number;
  #nextSeq: number;
  #writtenSeq: number;
  #readSeq: number;
  #ackSeq: number;
  #persistedAck: number;
  #ackTimer: NodeJS.Timeout | undefined;
  #ackWriting: Promise<void> | undefined;
  #syncTimer: NodeJS.Timeout | undefined;
  #writer: Promise<void> | undefined;
  #writeScheduled = false;
  #closed = false;
  readonly #removing = new Set<Promise<void>>();
  #waiters = new Set<() => void>();

  constructor(options: SpoolOptions) {
    this.#o = {
      fsyncIntervalMs: 1000,
      segmentBytes: Math.min(16 * 1024 * 1024, Math.max(4096, Math.floor(options.maxBytes / 8))),
      ...options,
    };
    const { id, release } = openSpoolDir(options.dir);
    this.id = id;
    this.#release = release;
    this.#loss = createLossReport(options.log, options.name);
    this.#ackSeq = this.#persistedAck = readAck(options.dir);
    const found = recoverSegments(options.dir, this.#ackSeq, options.log, options.name);
    this.#segments = found.segments;
    this.#diskBytes = found.segments.reduce((sum, seg) => sum + seg.bytes, 0);
    this.#c.truncated_bytes = found.truncatedBytes;
    this.#nextSeq = found.nextSeq;
    this.#pendingFirstSeq = this.#writtenSeq = this.replayEndSeq = this.#nextSeq;
    this.#readSeq = Math.max(this.#ackSeq, this.#segments[0]?.firstSeq ?? this.#nextSeq);
    if (this.#o.fsync === 'interval') this.#syncTimer = setInterval(() => void this.#syncActive(), this.#o.fsyncIntervalMs).unref();
  }

  counters(): SpoolCounters {
    return { ...this.#c, bytes: this.#totalBytes(), unread: this.#nextSeq - this.#readSeq };
  }

  #totalBytes(): number {
    return this.#diskBytes + this.#pendingBytes + this.#writingBytes;
  }

  #drop(reason: 'oldest' | 'newest' | 'oversize' | 'closed' | 'corrupt' | 'unwritten', records: number): void {
    this.#c[`dropped_${reason}`] += records;
    if (reason !== 'closed') this.#loss.note(reason, records);
  }

  /** Takes the record; false when it was dropped (counted). Never blocks, never throws. */
  append(payload: Uint8Array): boolean {
    if (this.#closed) {
      this.#drop('closed', 1);
      return false;
    }
    const size = FRAME_HEADER_BYTES + payload.byteLength;
    if (payload.byteLength > MAX_PAYLOAD_BYTES || size > this.#o.maxBytes / 2) {
      this.#drop('oversize', 1);
      return false;
    }
    while (this.#totalBytes() + size > this.#o.maxBytes) {
      const oldest = this.#segments[0];
      // The segment being written stays: only sealed segments can go. With none, there is nothing older to drop.
      if (this.#o.policy === 'drop-newest' || oldest === undefined || oldest === this.#active?.seg) {
        this.#drop('newest', 1);
        return false;
      }
      this.#dropSegment(oldest);
    }
    const frame = encodeFrame(this.#nextSeq++, payload);
    this.#pending.push(frame);
    this.#pendingBytes += frame.length;
    this.#c.spooled++;
    this.#scheduleWrite();
    return true;
  }

  #dropSegment(seg: Segment): void {
    this.#segments.splice(this.#segments.indexOf(seg), 1);
    const unread = seg.nextSeq - Math.max(seg.firstSeq, this.#readSeq);
    if (unread > 0) this.#drop('oldest', unread);
    this.#readSeq = Math.max(this.#readSeq, seg.nextSeq);
    this.#diskBytes -= seg.bytes;
    if (this.#reader?.seg === seg) this.#closeReader();
    this.#removeFile(seg.path);
  }

  /** Deletes a segment file in the background; close() waits for these so a closed spool's directory is final. */
  #removeFile(path: string): void {
    const removing = unlink(path).catch(() => {}).finally(() => this.#removing.delete(removing));
    this.#removing.add(removing);
  }

  #closeReader(): void {
    void this.#reader?.fh.close().catch(() => {});
    this.#reader = undefined;
  }

  #scheduleWrite(): void {
    if (this.#writer !== undefined || this.#writeScheduled) return;
    this.#writeScheduled = true;
    setImmediate(() => {
      this.#writeScheduled = false;
      this.#writer = this.#writeLoop().finally(() => (this.#writer = undefined));
    });
  }

  async #writeLoop(): Promise<void> {
    while (this.#pending.length > 0) {
      let n = 0;
      let bytes = 0;
      while (n < this.#pending.length && (n === 0 || bytes + this.#pending[n].length <= WRITE_BATCH_BYTES)) bytes += this.#pending[n++].length;
      const frames = this.#pending.splice(0, n);
      const firstSeq = this.#pendingFirstSeq;
      this.#pendingFirstSeq += n;
      this.#pendingBytes -= bytes;
      this.#writingBytes += bytes;
      try {
        const active = await this.#activeSegment(firstSeq);
        const data = n === 1 ? frames[0] : Buffer.concat(frames, bytes);
        for (let off = 0; off < bytes; ) off += (await active.fh.write(data, off, bytes - off, active.seg.bytes + off)).bytesWritten;
        active.seg.bytes += bytes;
        active.seg.nextSeq = firstSeq + n;
        active.dirty = true;
        this.#diskBytes += bytes;
        this.#writtenSeq = active.seg.nextSeq;
        if (this.#o.fsync === 'always') await this.#syncActive();
        this.#wake();
      } catch (err) {
        this.#c.write_errors++;
        this.#o.log.error({ store: this.#o.name, err }, `${this.#o.name}: writing the spool failed; retrying in a new segment`);
        this.#pending.unshift(...frames);
        this.#pendingFirstSeq = firstSeq;
        this.#pendingBytes += bytes;
        await this.#sealActive(true);
        if (this.#closed) {
          this.#drop('unwritten', this.#pending.length);
          this.#pending = [];
          this.#pendingBytes = 0;
        } else await sleep(WRITE_RETRY_MS);
      } finally {
        this.#writingBytes -= bytes;
      }
    }
  }

  async #activeSegment(firstSeq: number): Promise<{ seg: Segment; fh: FileHandle; dirty: boolean }> {
    if (this.#active !== undefined && this.#active.seg.bytes < this.#o.segmentBytes) return this.#active;
    await this.#sealActive(false);
    const seg: Segment = { firstSeq, nextSeq: firstSeq, bytes: 0, path: segmentPath(this.#o.dir, firstSeq) };
    const fh = await open(seg.path, 'w', 0o600);
    this.#segments.push(seg);
    this.#active = { seg, fh, dirty: false };
    return this.#active;
  }

  // After a failed write the file may hold part of a frame past seg.bytes: cut it so the segment reads clean.
  async #sealActive(failed: boolean): Promise<void> {
    const active = this.#active;
    if (active === undefined) return;
    this.#active = undefined;
    try {
      if (failed) await active.fh.truncate(active.seg.bytes);
      else if (this.#o.fsync !== 'never' && active.dirty) await active.fh.datasync();
    } catch (err) {
      this.#c.write_errors++;
      this.#o.log.error({ store: this.#o.name, err, path: active.seg.path }, `${this.#o.name}: sealing a spool segment failed`);
    }
    await active.fh.close().catch(() => {});
    if (active.seg.bytes === 0) {
      this.#segments.splice(this.#segments.indexOf(active.seg), 1);
      this.#removeFile(active.seg.path);
    }
  }

  async #syncActive(): Promise<void> {
    const active = this.#active;
    if (active === undefined || !active.dirty) return;
    active.dirty = false;
    try {
      await active.fh.datasync();
    } catch (err) {
      this.#c.write_errors++;
      this.#o.log.error({ store: this.#o.name, err }, `${this.#o.name}: fsync of the spool failed`);
    }
  }

  #wake(): void {
    for (const w of this.#waiters) w();
    this.#waiters.clear();
  }

  /** Resolves once everything appended so far is on disk (or given up, counted). */
  async flushed(): Promise<void> {
    while (this.#writer !== undefined || this.#writeScheduled || this.#pending.length > 0) {
      if (this.#writer === undefined && !this.#writeScheduled) this.#scheduleWrite();
      await (this.#writer ?? new Promise<void>((resolve) => setImmediate(resolve)));
    }
  }

  /**
   * The next records on disk after those already read, at least one and at most maxRecords (and about maxBytes);
   * waits for one to arrive. Resolves [] once the spool is closed or the signal aborts. One reader at a time.
   */
  async read(maxRecords: number, maxBytes: number, signal?: AbortSignal): Promise<Frame[]> {
    if (this.#reading) throw new Error('Spool.read: one reader at a time');
    this.#reading = true;
    try {
      for (;;) {
        if (signal?.aborted) return [];
        if (this.#readSeq < this.#writtenSeq) {
          const frames = await this.#readFrames(maxRecords, maxBytes);
          if (frames.length > 0) return frames;
          continue;
        }
        if (this.#closed) return [];
        await new Promise<void>((resolve) => {
          const done = () => {
            signal?.removeEventListener('abort', done);
            this.#waiters.delete(done);
            resolve();
          };
          this.#waiters.add(done);
          signal?.addEventListener('abort', done, { once: true });
        });
      }
    } finally {
      this.#reading = false;
    }
  }

  async #readFrames(maxRecords: number, maxBytes: number): Promise<Frame[]> {
    const seg = this.#segments.find((s) => s.nextSeq > this.#readSeq);
    if (seg === undefined) {
      this.#readSeq = this.#writtenSeq;
      return [];
    }
    if (this.#reader?.seg !== seg) {
      this.#closeReader();
      this.#reader = { seg, fh: await open(seg.path, 'r'), pos: 0 };
    }
    const reader = this.#reader;
    let want = Math.max(READ_CHUNK_BYTES, Math.min(maxBytes, WRITE_BATCH_BYTES));
    for (;;) {
      const size = Math.min(want, seg.bytes - reader.pos);
      if (size <= 0) return this.#segmentEnded(seg);
      const buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await reader.fh.read(buf, 0, size, reader.pos);
      // The segment may have been dropped (drop-oldest) while the read was under way; its loss is counted.
      if (this.#reader !== reader) return [];
      const frames: Frame[] = [];
      let at = 0;
      let bytes = 0;
      while (frames.length < maxRecords && bytes < maxBytes) {
        const r = decodeFrame(buf, at, bytesRead);
        if (r.kind === 'corrupt') return this.#skipCorrupt(seg, frames);
        if (r.kind === 'partial') {
          if (at === 0 && r.need > seg.bytes - reader.pos) return this.#skipCorrupt(seg, frames);
          if (at === 0) want = r.need;
          break;
        }
        at = r.next;
        if (r.frame.seq < this.#readSeq) continue;
        frames.push(r.frame);
        bytes += r.frame.payload.byteLength;
        this.#readSeq = r.frame.seq + 1;
      }
      reader.pos += at;
      if (frames.length > 0 || at > 0) return frames;
    }
  }

  // A sealed segment read to its end whose records stop short of where the next segment starts lost them on disk.
  #segmentEnded(seg: Segment): Frame[] {
    if (seg !== this.#active?.seg && this.#readSeq < seg.nextSeq) {
      this.#drop('corrupt', seg.nextSeq - this.#readSeq);
      this.#readSeq = seg.nextSeq;
    }
    return [];
  }

  #skipCorrupt(seg: Segment, frames: Frame[]): Frame[] {
    const lost = seg.nextSeq - this.#readSeq;
    this.#o.log.error({ store: this.#o.name, path: seg.path, records: lost }, `${this.#o.name}: spool segment is corrupt; skipping the rest of it`);
    this.#drop('corrupt', lost);
    this.#readSeq = seg.nextSeq;
    this.#closeReader();
    return frames;
  }

  /** Everything below seq has been delivered. After close() (a write that outlived its deadline) it is ignored. */
  commit(seq: number): void {
    if (this.#closed || seq <= this.#ackSeq) return;
    this.#ackSeq = seq;
    this.#ackTimer ??= setTimeout(() => void this.#persistAck(), ACK_DELAY_MS).unref();
  }

  async #persistAck(): Promise<void> {
    this.#ackTimer = undefined;
    while (this.#ackWriting !== undefined) await this.#ackWriting;
    const seq = this.#ackSeq;
    if (seq === this.#persistedAck) return;
    const writing = writeAck(this.#o.dir, seq).then(
      () => {
        this.#persistedAck = seq;
        this.#deleteDelivered();
      },
      (err: unknown) => {
        this.#c.write_errors++;
        this.#o.log.error({ store: this.#o.name, err }, `${this.#o.name}: writing the spool ack failed`);
      },
    );
    this.#ackWriting = writing;
    await writing;
    this.#ackWriting = undefined;
  }

  #deleteDelivered(): void {
    for (let seg = this.#segments[0]; seg !== undefined && seg !== this.#active?.seg && seg.nextSeq <= this.#persistedAck; seg = this.#segments[0]) {
      this.#segments.shift();
      this.#diskBytes -= seg.bytes;
      if (this.#reader?.seg === seg) this.#closeReader();
      this.#removeFile(seg.path);
    }
  }

  /** Writes what is in memory, records the ack and releases the directory; the records not delivered stay. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.flushed();
    clearInterval(this.#syncTimer);
    clearTimeout(this.#ackTimer);
    await this.#sealActive(false);
    await this.#persistAck();
    this.#closeReader();
    await Promise.all(this.#removing);
    this.#loss.close();
    this.#release();
    this.#wake();
  }
}

/** (id, seq) as one string: a record's identity across restarts, for stores that deduplicate. */
export function recordId(spoolId: string, seq: number): string {
  return `${spoolId}-${seq.toString(36)}`;
}
