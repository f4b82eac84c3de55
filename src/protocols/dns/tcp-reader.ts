// DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message is preceded by its 2-byte length. Messages are cut out
// of chunks that split them anywhere; a gap loses the message it falls in, and since nothing marks where the
// next one starts, the reader stops (counted) rather than guess.

export interface DnsTcpCounters {
  messages: number;
  /** Messages lost to a gap, or cut off when the connection ended. */
  messagesLost: number;
  /** Bytes not read after a gap made the framing unknown. */
  bytesAfterGap: number;
}

/** The largest a length prefix can say; what waits for the rest of a message never exceeds it. */
const MAX_MESSAGE = 0xffff;

export class DnsTcpReader {
  readonly counters: DnsTcpCounters = { messages: 0, messagesLost: 0, bytesAfterGap: 0 };
  #pending: Uint8Array = new Uint8Array(0);
  #lost = false;
  readonly #out: Uint8Array[] = [];

  push(bytes: Uint8Array): void {
    if (this.#lost) {
      this.counters.bytesAfterGap += bytes.length;
      return;
    }
    let buf = bytes;
    if (this.#pending.length > 0) {
      buf = new Uint8Array(this.#pending.length + bytes.length);
      buf.set(this.#pending);
      buf.set(bytes, this.#pending.length);
    }
    let at = 0;
    while (at + 2 <= buf.length) {
      const len = (buf[at] << 8) | buf[at + 1];
      if (at + 2 + len > buf.length) break;
      this.#out.push(buf.slice(at + 2, at + 2 + len));
      this.counters.messages++;
      at += 2 + len;
    }
    this.#pending = buf.length - at <= MAX_MESSAGE + 2 ? buf.slice(at) : new Uint8Array(0);
  }

  /** `bytes` never arrived: the message they belong to is lost, and the framing with it. */
  gap(bytes: number): void {
    if (this.#lost) {
      this.counters.bytesAfterGap += bytes;
      return;
    }
    this.#lost = true;
    this.counters.messagesLost++;
    this.#pending = new Uint8Array(0);
  }

  end(): void {
    if (this.#pending.length > 0) this.counters.messagesLost++;
    this.#pending = new Uint8Array(0);
  }

  /** Whole messages cut out since the last call. */
  take(): Uint8Array[] {
    return this.#out.splice(0, this.#out.length);
  }
}
