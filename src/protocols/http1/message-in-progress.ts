// The message a MessageReader is in the middle of: its head, body framing and counters, until it is built into
// an Http1Message. Body bytes go straight from the pushed view into the kept-body buffer (up to maxBodyBytes);
// nothing else is copied.
import { BodyCollector } from './body-collector.ts';
import type { BodyFraming } from './body-framing.ts';
import { ChunkedDecoder } from './chunked-body.ts';
import type { Http1Limits, Http1Message, RequestHead, ResponseHead } from './types.ts';

export type AnyHead = RequestHead | ResponseHead;
export type AnyMessage = Http1Message<AnyHead>;

const Mode = { none: 0, length: 1, chunked: 2, close: 3 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

export class MessageInProgress {
  /** The head of the message in progress; null between messages. */
  head: AnyHead | null = null;
  /** False once the message was handed over early (detach): it is still framed but no longer reported. */
  attached = false;
  private mode: Mode = Mode.none;
  private firstNs = 0;
  private lastNs = 0;
  private wire = 0;
  private gapBytes = 0;
  private remaining = 0;
  private readonly collector = new BodyCollector();
  private readonly chunked = new ChunkedDecoder();

  /** Starts a message after its head; returns true when it has a body still to read. */
  begin(head: AnyHead, framing: BodyFraming, limits: Http1Limits, firstNs: number, tsNs: number): boolean {
    this.head = head;
    this.attached = true;
    this.firstNs = firstNs;
    this.lastNs = tsNs;
    this.wire = head.headerBytes;
    this.gapBytes = 0;
    this.remaining = 0;
    switch (framing.kind) {
      case 'length':
        this.mode = Mode.length;
        this.remaining = framing.length;
        this.collector.reset(limits.maxBodyBytes, framing.length);
        return true;
      case 'chunked':
        this.mode = Mode.chunked;
        this.collector.reset(limits.maxBodyBytes, -1);
        this.chunked.reset(limits.maxHeaderBytes);
        return true;
      case 'close':
        this.mode = Mode.close;
        this.collector.reset(limits.maxBodyBytes, -1);
        return true;
      default:
        this.mode = Mode.none;
        this.collector.reset(0, 0);
        return false;
    }
  }

  /** Reads body bytes from buf[pos, len); returns where the body (or the readable part of it) stopped. */
  feed(buf: Uint8Array, pos: number, len: number, tsNs: number): number {
    let end = len;
    if (this.mode === Mode.length) {
      end = pos + Math.min(this.remaining, len - pos);
      this.remaining -= end - pos;
      this.collector.append(buf, pos, end);
    } else if (this.mode === Mode.chunked) {
      end = this.chunked.feed(buf, pos, len, this.collector);
    } else {
      this.collector.append(buf, pos, len);
    }
    this.wire += end - pos;
    this.lastNs = tsNs;
    return end;
  }

  /** The body's framing reached its end. */
  get done(): boolean {
    return this.mode === Mode.length ? this.remaining === 0 : this.mode === Mode.chunked && this.chunked.done;
  }

  /** The chunk framing is broken (bytes that are not chunked coding). */
  get failed(): boolean {
    return this.mode === Mode.chunked && this.chunked.failed;
  }

  get closeDelimited(): boolean {
    return this.mode === Mode.close;
  }

  /**
   * `n` bytes of the body were lost (0 = unknown). Returns how many of them lie beyond the body's end (>= 0)
   * when the framing survives, or -1 when it does not (unknown length, or inside chunk framing).
   */
  lose(n: number): number {
    let inside = n;
    switch (this.mode) {
      case Mode.close:
        this.collector.lose(n);
        break;
      case Mode.length:
        if (n === 0) return this.lostFraming(n);
        inside = Math.min(n, this.remaining);
        this.remaining -= inside;
        this.collector.lose(inside);
        break;
      case Mode.chunked:
        if (n === 0 || !this.chunked.skipData(n, this.collector)) return this.lostFraming(n);
        break;
      default:
        return this.lostFraming(n);
    }
    this.wire += inside;
    this.gapBytes += inside;
    return n - inside;
  }

  /** The gap is charged to this message; how much of it really belonged here cannot be known. */
  private lostFraming(n: number): number {
    this.wire += n;
    this.gapBytes += n;
    return -1;
  }

  /** The message as it stands; the body buffer is handed over, so this is called once per message. */
  build(complete: boolean): AnyMessage {
    const c = this.collector;
    const bodySize = c.size;
    const bodyTruncated = c.truncated;
    const message: AnyMessage = {
      head: this.head as AnyHead,
      body: c.finish(),
      bodySize,
      bodyTruncated,
      wireBytes: this.wire,
      firstByteNs: this.firstNs,
      lastByteNs: this.lastNs,
      gapBytes: this.gapBytes,
      complete,
    };
    if (this.mode === Mode.chunked && this.chunked.trailers !== undefined) message.trailers = this.chunked.trailers;
    return message;
  }
}
