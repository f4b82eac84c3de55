// The TCP ports passive capture looks at (INVICTI_TAP_PORTS syntax: "80,443,5005-6000"). The same set drives the
// kernel filter of the live source (as merged ranges) and the per-packet check of the file reader (as a bitmap).
import { CleartapError } from '../../core/errors.ts';

export interface PortRange {
  from: number;
  to: number;
}

export class PortSet {
  /** Sorted, merged, non-adjacent ranges. */
  readonly ranges: readonly PortRange[];
  private readonly bitmap = new Uint8Array(65536);

  constructor(ranges: readonly PortRange[]) {
    const sorted = [...ranges].sort((a, b) => a.from - b.from);
    const merged: PortRange[] = [];
    for (const r of sorted) {
      const last = merged[merged.length - 1];
      if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
      else merged.push({ from: r.from, to: r.to });
    }
    this.ranges = merged;
    for (const r of merged) this.bitmap.fill(1, r.from, r.to + 1);
  }

  has(port: number): boolean {
    return this.bitmap[port] === 1;
  }

  toString(): string {
    return this.ranges.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(',');
  }
}

/**
 * Parses a port list; undefined for an empty value (all ports). `source` names where the text came from (an
 * environment variable, a flag, a YAML key) so the error says which setting holds the bad token.
 */
export function parsePortList(text: string, source: string): PortSet | undefined {
  if (text.trim() === '') return undefined;
  const ranges: PortRange[] = [];
  for (const raw of text.split(',')) {
    const token = raw.trim();
    const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(token);
    const from = m ? Number(m[1]) : NaN;
    const to = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || from < 1 || to > 65535 || from > to) {
      throw new CleartapError(
        'CT_ERR_CONFIG',
        `${source}: "${token}" is not a port or a port range`,
        `give ports from 1 to 65535 and ranges low-high, separated by commas (e.g. 80,443,5005-6000)`,
      );
    }
    ranges.push({ from, to });
  }
  return new PortSet(ranges);
}
