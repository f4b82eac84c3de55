// Input a stream direction has received but may not parse yet: a response whose request has not been seen,
// or a client's bytes after CONNECT / Upgrade before the server has said whether the switch happened.
// Replayed later exactly as it arrived (pushes with their timestamps, gaps, EOF). Bounded by the caller.

export const HeldKind = { bytes: 0, gap: 1, desync: 2, end: 3 } as const;
export type HeldKind = (typeof HeldKind)[keyof typeof HeldKind];

export interface HeldItem {
  kind: HeldKind;
  /** kind bytes: a private copy (the pushed view may point into a reused buffer). */
  bytes: Uint8Array | null;
  /** kind gap: bytes lost (0 = unknown). */
  length: number;
  tsNs: number;
}

export class HeldInput {
  /** Bytes held (gaps and markers not included): what the caller bounds. */
  bytes = 0;
  private items: HeldItem[] = [];

  /** `owned` bytes are already a private copy (a replayed item) and are kept without copying again. */
  addBytes(bytes: Uint8Array, tsNs: number, owned: boolean): void {
    if (bytes.length === 0) return;
    this.items.push({ kind: HeldKind.bytes, bytes: owned ? bytes : bytes.slice(), length: bytes.length, tsNs });
    this.bytes += bytes.length;
  }

  addGap(length: number, tsNs: number): void {
    this.items.push({ kind: HeldKind.gap, bytes: null, length, tsNs });
  }

  /** Held bytes were thrown away: whatever follows starts at an unknown position. */
  addDesync(tsNs: number): void {
    this.items.push({ kind: HeldKind.desync, bytes: null, length: 0, tsNs });
  }

  addEnd(tsNs: number): void {
    this.items.push({ kind: HeldKind.end, bytes: null, length: 0, tsNs });
  }

  /** Everything held, in arrival order; the holder starts empty again (replay may hold anew). */
  take(): HeldItem[] {
    const items = this.items;
    this.items = [];
    this.bytes = 0;
    return items;
  }
}
