// Packet times as the stream layer uses them: nanoseconds since the first packet's second, which a Number holds
// exactly for months (nanoseconds since 1970 would not fit in 53 bits), and back to wall-clock milliseconds.
export class PacketClock {
  private originSec = Number.NaN;

  /** Nanoseconds since the origin (set by the first call). */
  toNs(sec: number, nsec: number): number {
    if (Number.isNaN(this.originSec)) this.originSec = sec;
    return (sec - this.originSec) * 1e9 + nsec;
  }

  /** Unix milliseconds of a value toNs returned. */
  readonly wallMs = (tsNs: number): number => (Number.isNaN(this.originSec) ? 0 : this.originSec * 1000) + tsNs / 1e6;
}
