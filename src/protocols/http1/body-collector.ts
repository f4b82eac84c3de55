// Keeps the first maxBodyBytes of a decoded body and counts the rest, so a large download costs a counter,
// not memory. One collector per stream direction is reused across messages; only the kept bytes are copied.

const EMPTY = new Uint8Array(0);
/** First allocation when the length is unknown (chunked, read-until-close): most bodies fit, big ones double. */
const INITIAL_CAPACITY = 4096;

export class BodyCollector {
  /** Decoded body bytes seen, kept or not (gap bytes included). */
  size = 0;
  truncated = false;
  private buf: Uint8Array | null = null;
  private kept = 0;
  private keepLimit = 0;
  private expected = -1;

  /** `expected` is the declared length (Content-Length) or -1; a known length is allocated once. */
  reset(keepLimit: number, expected: number): void {
    this.size = 0;
    this.truncated = false;
    this.buf = null;
    this.kept = 0;
    this.keepLimit = keepLimit;
    this.expected = expected;
  }

  append(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    this.size += n;
    const room = this.keepLimit - this.kept;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const take = n < room ? n : room;
    if (take < n) this.truncated = true;
    const need = this.kept + take;
    let buf = this.buf;
    if (buf === null || buf.length < need) {
      const cap =
        buf === null && this.expected >= 0
          ? Math.min(this.expected, this.keepLimit)
          : Math.min(this.keepLimit, Math.max(need, buf === null ? INITIAL_CAPACITY : buf.length * 2));
      const grown = new Uint8Array(Math.max(cap, need));
      if (buf !== null) grown.set(buf.subarray(0, this.kept));
      this.buf = buf = grown;
    }
    buf.set(take === src.length ? src : src.subarray(from, from + take), this.kept);
    this.kept = need;
  }

  /**
   * `n` body bytes were lost by the capture. Keeping stops here: a body with a hole in it would be worse than
   * a shorter one, and bodyTruncated says so.
   */
  lose(n: number): void {
    this.size += n;
    this.truncated = true;
    this.keepLimit = this.kept;
  }

  /**
   * The kept bytes; the collector lets go of them, so later appends (after a detach) cannot change them.
   * A view pins its whole buffer, so a body that filled less than half of a grown buffer is copied out.
   */
  finish(): Uint8Array {
    const buf = this.buf;
    const kept = this.kept;
    const body = buf === null ? EMPTY : kept * 2 < buf.length ? buf.slice(0, kept) : buf.subarray(0, kept);
    this.buf = null;
    this.kept = 0;
    this.keepLimit = 0;
    return body;
  }
}
