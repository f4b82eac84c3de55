// A head (or a resync candidate) split across pushes. Bytes are copied here because the pushed views may point
// into a reused capture buffer; the head-end search resumes where it stopped, so a head trickling in byte by
// byte costs linear, not quadratic, time.
import { findHeadEnd, LF, startLineAt } from './head-lines.ts';

/** Capacity kept between heads: most heads fit; larger ones get a buffer of their own, freed afterwards. */
const RETAINED_BYTES = 4096;

export class PartialHead {
  /** Valid up to `length`. Replaced (not reused) when a large head is cleared: read it before clear(). */
  bytes = new Uint8Array(0);
  length = 0;
  /** tsNs of the push that carried the first byte. */
  firstNs = 0;
  /** Where the head-end search resumes; -1 while only blank lines were seen. */
  private scanFrom = -1;
  /** Growth doubles (a head trickling in byte by byte must not be copied over and over) up to this. */
  private readonly maxBytes: number;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  clear(): void {
    this.length = 0;
    this.scanFrom = -1;
    // An idle connection should not pin the buffer a rare large head grew to (there may be many thousands).
    if (this.bytes.length > RETAINED_BYTES) this.bytes = new Uint8Array(0);
  }

  append(src: Uint8Array, from: number, to: number, tsNs: number): void {
    if (this.length === 0) {
      this.firstNs = tsNs;
      this.scanFrom = -1;
    }
    const need = this.length + (to - from);
    if (this.bytes.length < need) {
      const grown = new Uint8Array(Math.max(need, Math.min(this.bytes.length * 2, this.maxBytes), 1024));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(src.subarray(from, to), this.length);
    this.length = need;
  }

  /** Offset just past the head's empty line, or -1 while it is incomplete. */
  findEnd(): number {
    if (this.scanFrom < 0) this.scanFrom = startLineAt(this.bytes, 0, this.length);
    if (this.scanFrom < 0) return -1;
    const end = findHeadEnd(this.bytes, this.scanFrom, this.length);
    // No terminator starts before length - 2, so the next search need not look there again.
    if (end < 0) this.scanFrom = Math.max(this.scanFrom, this.length - 2);
    return end;
  }

  /** Only CR/LF so far: the empty lines allowed between messages, not a message. */
  isBlank(): boolean {
    for (let i = 0; i < this.length; i++) {
      const b = this.bytes[i];
      if (b !== LF && b !== 0x0d) return false;
    }
    return true;
  }
}
