// One direction of a connection: bytes in, messages out. Incremental (any split of the input gives the same
// messages), bounded (a partial head, held input and the kept body are the only buffers), and never throws:
// bad bytes and capture gaps end in a resync at the next line that starts a message of this role.
// Pairing with the other direction is the host's job (ExchangePairing); this class only asks it questions.
import type { StreamRole } from '../contract.ts';
import type { BodyFraming } from './body-framing.ts';
import { LF, locateHead, NEED_MORE, TOO_LARGE } from './head-lines.ts';
import { HeldInput, HeldKind } from './held-input.ts';
import { type AnyHead, type AnyMessage, MessageInProgress } from './message-in-progress.ts';
import { PartialHead } from './partial-head.ts';
import { readRequestHead } from './request-head.ts';
import { readResponseHead } from './response-head.ts';
import { findMessageStart, matchMessageStart, StartMatch } from './sniff.ts';
import type { Http1Limits, Http1Stats } from './types.ts';

/** What the host says when a message is about to start: parse it, keep it for later, or parse it unpaired. */
export const Gate = { pair: 0, hold: 1, orphan: 2 } as const;
export type Gate = (typeof Gate)[keyof typeof Gate];
const NO_GATE = -1;

export interface ReaderHost {
  /** A response starts with a byte pushed at tsNs: may it be parsed now? (Requests are never gated.) */
  gate(role: StreamRole, tsNs: number): Gate;
  /** A head was parsed: how is its body framed? Called before any body byte. */
  onHead(role: StreamRole, head: AnyHead, orphan: boolean, firstByteNs: number): BodyFraming;
  /** A message whose head was parsed has ended (complete or not). True pauses the reader until resume(). */
  onMessage(role: StreamRole, message: AnyMessage): boolean;
  /** Invalid bytes were found (already counted in stats.invalid). */
  onInvalid(role: StreamRole): void;
  /** Bytes were lost before any head of the next message was seen: that message will never be seen. */
  onSyncLost(role: StreamRole, tsNs: number): void;
  /** The direction reached EOF (after any held input was replayed). */
  onEnd(role: StreamRole): void;
}

const Phase = { head: 0, body: 1, resync: 2, hold: 3, stopped: 4 } as const;
type Phase = (typeof Phase)[keyof typeof Phase];

/** Bytes enough to decide whether a message starts: the longest method + SP is 11 bytes. */
const SNIFF_WINDOW = 16;

export class MessageReader {
  readonly role: StreamRole;
  private readonly host: ReaderHost;
  private readonly limits: Http1Limits;
  private readonly stats: Http1Stats;
  private phase: Phase = Phase.head;
  private readonly held = new HeldInput();
  /** Why input is held: a response waits for its request (true), or a request for an upgrade verdict. */
  private holdForRequest = false;
  private gate: number = NO_GATE;
  private gateOverride: number = NO_GATE;
  /** A head split across pushes; while resyncing, a candidate message start split across pushes. */
  private readonly partial: PartialHead;
  /** While resyncing: the next byte starts a line (after an LF, a gap, or the head after a bad length). */
  private atLineStart = false;
  private readonly msg = new MessageInProgress();

  constructor(role: StreamRole, host: ReaderHost, limits: Http1Limits, stats: Http1Stats) {
    this.role = role;
    this.host = host;
    this.limits = limits;
    this.stats = stats;
    this.partial = new PartialHead(limits.maxHeaderBytes);
  }

  /** Where bytes go after an upgrade (stopInto). */
  private tail: ((bytes: Uint8Array, tsNs: number) => void) | undefined;

  get holding(): boolean {
    return this.phase === Phase.hold;
  }

  get stopped(): boolean {
    return this.phase === Phase.stopped;
  }

  push(bytes: Uint8Array, tsNs: number): void {
    this.input(bytes, tsNs, false);
  }

  /** `length` bytes were lost (0 = an unknown amount). The caller counts stats.gapBytes. */
  gap(length: number, tsNs: number): void {
    switch (this.phase) {
      case Phase.stopped:
        return;
      case Phase.hold:
        return this.held.addGap(length, tsNs);
      case Phase.resync:
        this.stats.skippedBytes += this.partial.length;
        this.partial.clear();
        this.atLineStart = true;
        return;
      case Phase.head:
        return this.loseSync(tsNs, true);
      case Phase.body: {
        const beyond = this.msg.lose(length);
        if (beyond < 0) {
          // The gap destroyed the framing: the message ends here, incomplete.
          this.finish(false);
          if (this.now() === Phase.head) this.loseSync(tsNs, false);
          return;
        }
        if (!this.msg.done) return; // inside the body: only the kept body is shorter
        this.finish(true);
        if (beyond > 0) this.gap(beyond, tsNs); // the rest falls between messages
        return;
      }
    }
  }

  /**
   * The next pushed byte starts a unit of capture (a TCP segment). While resyncing it is a candidate message
   * start even when the byte before it is not an LF: senders start a new message with a new write, and a
   * body that does not end in a newline would otherwise hide every message after a lost head.
   */
  unitStart(): void {
    if (this.phase === Phase.resync && this.partial.length === 0) this.atLineStart = true;
  }

  /** EOF: a read-until-close body is complete; anything else in progress is not. */
  end(tsNs: number): void {
    switch (this.phase) {
      case Phase.hold:
        return this.held.addEnd(tsNs);
      case Phase.head:
        this.dropPartialHead();
        break;
      case Phase.body:
        this.finish(this.msg.closeDelimited);
        break;
      case Phase.resync:
      case Phase.stopped:
        break;
    }
    this.stop();
    this.host.onEnd(this.role);
  }

  /** Replays held input now that the host can answer (a request arrived, or an upgrade was refused). */
  resume(): void {
    if (this.phase !== Phase.hold) return;
    this.phase = Phase.head;
    for (const item of this.held.take()) {
      switch (item.kind) {
        case HeldKind.bytes:
          this.input(item.bytes as Uint8Array, item.tsNs, true);
          break;
        case HeldKind.gap:
          this.gap(item.length, item.tsNs);
          break;
        case HeldKind.desync:
          if (this.now() === Phase.hold) this.held.addDesync(item.tsNs);
          else if (this.now() !== Phase.stopped) this.loseSync(item.tsNs, true);
          break;
        case HeldKind.end:
          this.end(item.tsNs);
          break;
      }
    }
  }

  /** Stops parsing for good (upgrade, failure, EOF); whatever is buffered counts as skipped. */
  stop(): void {
    this.stats.skippedBytes += this.held.bytes + this.partial.length;
    this.held.take();
    this.partial.clear();
    this.phase = Phase.stopped;
  }

  /**
   * Stops parsing because the connection switched protocols: the bytes held back (a client may send the new
   * protocol right after its Upgrade request) and every byte from now on go to `tail`, in order.
   */
  stopInto(tail: (bytes: Uint8Array, tsNs: number) => void): void {
    this.stats.skippedBytes += this.held.bytes + this.partial.length;
    for (const item of this.held.take()) if (item.kind === HeldKind.bytes) tail(item.bytes as Uint8Array, item.tsNs);
    this.partial.clear();
    this.phase = Phase.stopped;
    this.tail = tail;
  }

  /**
   * Hands over the message in progress as it is (complete: false). The reader keeps following its framing to
   * stay in sync, but no longer updates or reports it.
   */
  detach(): AnyMessage | null {
    if (this.msg.head === null || !this.msg.attached) return null;
    this.msg.attached = false;
    return this.msg.build(false);
  }

  /** The phase as it is now: callbacks may have changed it, which TypeScript's narrowing cannot know. */
  private now(): Phase {
    return this.phase;
  }

  private input(bytes: Uint8Array, tsNs: number, owned: boolean): void {
    for (;;) {
      if (this.phase === Phase.stopped) {
        this.stats.skippedBytes += bytes.length; // for HTTP/1, whoever takes the tail
        this.tail?.(bytes, tsNs);
        return;
      }
      if (this.phase !== Phase.hold) return this.consume(bytes, tsNs);
      if (this.held.bytes + bytes.length <= this.limits.maxHeaderBytes) {
        return this.held.addBytes(bytes, tsNs, owned);
      }
      if (this.holdForRequest) {
        // Too much is waiting for a request that has not come: the first held response has none.
        this.gateOverride = Gate.orphan;
        this.resume();
        continue;
      }
      // A paused client sent more than a head's worth: it most likely speaks the new protocol already.
      // Keep only the fact that bytes are missing, so that a refused upgrade resumes with a resync.
      this.stats.skippedBytes += this.held.bytes + bytes.length;
      this.held.take();
      this.held.addDesync(tsNs);
      return;
    }
  }

  private consume(buf: Uint8Array, tsNs: number): void {
    let pos = 0;
    while (this.partial.length > 0 && pos < buf.length) {
      const phase = this.now();
      if (phase === Phase.head) pos = this.continueHead(buf, pos, tsNs);
      else if (phase === Phase.resync) pos = this.continuePrefix(buf, pos);
      else break;
    }
    this.run(buf, pos, tsNs);
  }

  private run(buf: Uint8Array, start: number, tsNs: number): void {
    const len = buf.length;
    let pos = start;
    while (pos < len) {
      switch (this.phase) {
        case Phase.head:
          pos = this.readHead(buf, pos, len, tsNs);
          break;
        case Phase.body:
          pos = this.msg.feed(buf, pos, len, tsNs);
          if (this.msg.done) this.finish(true);
          else if (this.msg.failed) this.invalidBody();
          break;
        case Phase.resync:
          pos = this.resync(buf, pos, len, tsNs);
          break;
        case Phase.hold:
          return this.input(pos === 0 ? buf : buf.subarray(pos), tsNs, false);
        case Phase.stopped:
          this.stats.skippedBytes += len - pos;
          this.tail?.(buf.subarray(pos, len), tsNs);
          return;
      }
    }
  }

  /** At a message start, with the head beginning in this buffer. Returns where parsing goes on. */
  private readHead(buf: Uint8Array, pos: number, len: number, tsNs: number): number {
    if (this.gate === NO_GATE) {
      let g = this.gateOverride;
      this.gateOverride = NO_GATE;
      if (g === NO_GATE) g = this.role === 'request' ? Gate.pair : this.host.gate(this.role, tsNs);
      if (g === Gate.hold) {
        this.phase = Phase.hold;
        this.holdForRequest = true;
        return pos;
      }
      this.gate = g;
    }
    const end = locateHead(buf, pos, len, this.limits.maxHeaderBytes);
    if (end === NEED_MORE) {
      this.partial.append(buf, pos, len, tsNs);
      return len;
    }
    if (end === TOO_LARGE) {
      this.invalidHead();
      return pos + 1;
    }
    return this.beginMessage(buf, pos, end, tsNs, tsNs) ? end : pos + 1;
  }

  /** Adds buf[pos..] to a head split across pushes; returns how far into buf it got. */
  private continueHead(buf: Uint8Array, pos: number, tsNs: number): number {
    const max = this.limits.maxHeaderBytes;
    const p = this.partial;
    const prior = p.length;
    const take = Math.min(buf.length - pos, max - prior);
    p.append(buf, pos, pos + take, tsNs);
    const end = p.findEnd();
    const held = p.length;
    if (end < 0 && held < max) return pos + take;
    // Cleared before the callbacks, so that a stop() inside them counts nothing twice.
    const bytes = p.bytes;
    const firstNs = p.firstNs;
    p.clear();
    if (end >= 0) {
      if (this.beginMessage(bytes, 0, end, firstNs, tsNs)) return pos + end - prior;
    } else {
      this.invalidHead();
    }
    // Rejected: look for the next message start in the held bytes after the first one, then go on in buf.
    this.run(bytes.slice(1, held), 0, firstNs);
    return pos + take;
  }

  /** Completes a resync candidate split across pushes ("\nGE" | "T /"); returns how far into buf it got. */
  private continuePrefix(buf: Uint8Array, pos: number): number {
    const p = this.partial;
    const prior = p.length;
    const take = Math.min(buf.length - pos, SNIFF_WINDOW - prior);
    p.append(buf, pos, pos + take, p.firstNs);
    const m = matchMessageStart(p.bytes, 0, p.length, this.role);
    if (m === StartMatch.maybe) return pos + take;
    const prefix = p.bytes.slice(0, prior);
    const firstNs = p.firstNs;
    p.clear();
    if (m === StartMatch.no) {
      this.stats.skippedBytes += prior;
      this.atLineStart = false;
      return pos;
    }
    this.foundStart();
    this.run(prefix, 0, firstNs);
    return pos;
  }

  private resync(buf: Uint8Array, pos: number, len: number, tsNs: number): number {
    const p = findMessageStart(buf, pos, len, this.role, this.atLineStart);
    if (p < 0) {
      this.stats.skippedBytes += len - pos;
      this.atLineStart = buf[len - 1] === LF;
      return len;
    }
    this.stats.skippedBytes += p - pos;
    if (matchMessageStart(buf, p, len, this.role) === StartMatch.yes) {
      this.foundStart();
      return p;
    }
    this.partial.append(buf, p, len, tsNs); // a candidate cut short by the end of the push
    return len;
  }

  /** Parses the head in buf[from, end) and sets up its body. False when the head is invalid. */
  private beginMessage(buf: Uint8Array, from: number, end: number, firstNs: number, tsNs: number): boolean {
    const head = this.role === 'request' ? readRequestHead(buf, from, end) : readResponseHead(buf, from, end);
    if ('kind' in head) {
      this.invalidHead();
      return false;
    }
    this.stats.messages++;
    const framing = this.host.onHead(this.role, head, this.gate === Gate.orphan, firstNs);
    const hasBody = this.msg.begin(head, framing, this.limits, firstNs, tsNs);
    if (framing.kind === 'invalid') {
      // The head is fine but its body length is unknowable: report the head, resync right after it.
      this.finish(false);
      this.stats.invalid++;
      this.enterResync(true);
      this.host.onInvalid(this.role);
    } else if (hasBody) {
      this.phase = Phase.body;
    } else {
      this.finish(true);
    }
    return true;
  }

  private finish(complete: boolean): void {
    const msg = this.msg;
    this.gate = NO_GATE;
    this.phase = Phase.head;
    if (!msg.attached) {
      msg.head = null;
      return;
    }
    const message = msg.build(complete);
    msg.head = null;
    const pause = this.host.onMessage(this.role, message);
    if (pause && complete && this.now() === Phase.head) {
      this.phase = Phase.hold;
      this.holdForRequest = false;
    }
  }

  /**
   * The position of the next message start is unknown. `startLost`: the lost bytes may have held the start of
   * a message no head of which was seen, so the host stops waiting for it.
   */
  private loseSync(tsNs: number, startLost: boolean): void {
    const orphan = this.gate === Gate.orphan;
    this.dropPartialHead();
    this.enterResync(true);
    if (startLost && !orphan) this.host.onSyncLost(this.role, tsNs);
  }

  private dropPartialHead(): void {
    if (this.partial.length > 0 && !this.partial.isBlank()) {
      this.stats.droppedMessages++;
      this.stats.skippedBytes += this.partial.length;
    }
    this.partial.clear();
  }

  private invalidHead(): void {
    this.stats.invalid++;
    this.stats.droppedMessages++;
    this.stats.skippedBytes += 1; // the rejected head's first byte; the resync counts what it skips after it
    this.enterResync(false);
    this.host.onInvalid(this.role);
  }

  private invalidBody(): void {
    this.finish(false);
    this.stats.invalid++;
    this.enterResync(false);
    this.host.onInvalid(this.role);
  }

  private enterResync(atLineStart: boolean): void {
    if (this.now() === Phase.stopped) return;
    this.phase = Phase.resync;
    this.atLineStart = atLineStart;
    this.gate = NO_GATE;
  }

  private foundStart(): void {
    this.stats.resyncs++;
    this.phase = Phase.head;
    this.gate = NO_GATE;
  }
}
