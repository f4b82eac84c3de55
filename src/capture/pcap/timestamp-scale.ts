// pcapng timestamps are a 64-bit count of units (if_tsresol: 10^-k or 2^-k s) split into two 32-bit halves.
// A Number cannot hold nanoseconds since 1970 exactly, so the high half's share (which changes every few
// seconds at most) is divided out once with BigInt and cached; each packet then needs only exact Number math.
import type { CapturedPacket } from './captured-packet.ts';

/** Finer resolutions than this would lose precision in Number arithmetic. */
const MAX_UNITS_PER_SECOND = 2 ** 52;

export class TimestampScale {
  readonly unitsPerSecond: number;
  private readonly unitsBig: bigint;
  private readonly nsPerUnit: number;
  private readonly offsetSec: number;
  private cachedHigh = -1;
  private highSec = 0;
  private highRem = 0;

  /** `tsresol` as in the if_tsresol option (default 6 = microseconds); `offsetSec` from if_tsoffset. */
  constructor(tsresol = 6, offsetSec = 0) {
    const exp = tsresol & 0x7f;
    this.unitsPerSecond = tsresol & 0x80 ? 2 ** exp : 10 ** exp;
    this.unitsBig = BigInt(this.unitsPerSecond);
    this.nsPerUnit = 1e9 / this.unitsPerSecond;
    this.offsetSec = offsetSec;
  }

  static supports(tsresol: number): boolean {
    const exp = tsresol & 0x7f;
    return (tsresol & 0x80 ? 2 ** exp : 10 ** exp) <= MAX_UNITS_PER_SECOND;
  }

  /** Sets tsSec/tsNsec of `out` from the two halves of a timestamp. */
  apply(out: CapturedPacket, high: number, low: number): void {
    if (high !== this.cachedHigh) {
      const units = BigInt(high) << 32n;
      this.highSec = Number(units / this.unitsBig);
      this.highRem = Number(units % this.unitsBig);
      this.cachedHigh = high;
    }
    const units = this.highRem + low;
    const extraSec = Math.floor(units / this.unitsPerSecond);
    out.tsSec = this.highSec + extraSec + this.offsetSec;
    out.tsNsec = Math.floor((units - extraSec * this.unitsPerSecond) * this.nsPerUnit);
  }
}
