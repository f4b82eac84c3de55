// Classic libpcap files: a 24-byte header, then records of a 16-byte header and the packet bytes. Either byte
// order (the magic says which), microsecond or nanosecond timestamps (the magic says which, too).
import { CleartapError } from '../../core/errors.ts';
import type { CapturedPacket, PacketVisitor } from './captured-packet.ts';
import { corrupt, type FormatCounters, MAX_RECORD_BYTES, type RecordFormat } from './record-format.ts';

export const PCAP_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;

/** Whether the first four bytes (read big-endian) are a pcap magic, in either byte order. */
export function isPcapMagic(bigEndianMagic: number): boolean {
  const swapped = swap32(bigEndianMagic);
  return [MAGIC_MICRO, MAGIC_NANO].some((m) => m === bigEndianMagic || m === swapped);
}

function swap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

export class PcapFormat implements RecordFormat {
  readonly littleEndian: boolean;
  /** Nanoseconds per unit of the record's sub-second field (1000 for microseconds, 1 for nanoseconds). */
  readonly subSecondNs: number;
  readonly linkType: number;
  readonly snapLen: number;
  private readonly path: string;
  private readonly packet: CapturedPacket;
  private readonly counters: FormatCounters;

  /** `view` holds the file's first PCAP_HEADER_BYTES at offset 0. */
  constructor(path: string, view: DataView, packet: CapturedPacket, counters: FormatCounters) {
    this.path = path;
    this.packet = packet;
    this.counters = counters;
    const magic = view.getUint32(0, false);
    this.littleEndian = magic !== MAGIC_MICRO && magic !== MAGIC_NANO;
    const m = view.getUint32(0, this.littleEndian);
    if (m !== MAGIC_MICRO && m !== MAGIC_NANO) throw corrupt(path, 0, 'not a pcap magic');
    this.subSecondNs = m === MAGIC_NANO ? 1 : 1000;
    const major = view.getUint16(4, this.littleEndian);
    if (major !== 2) {
      throw new CleartapError('CT_ERR_PCAP', `${path}: pcap version ${major}.x is not supported (only 2.4)`, 'convert it with editcap -F pcap');
    }
    this.snapLen = view.getUint32(16, this.littleEndian);
    // The upper bits of the link-type field carry FCS information, not the type.
    this.linkType = view.getUint32(20, this.littleEndian) & 0xffff;
  }

  needed(view: DataView, pos: number, end: number): number {
    if (end - pos < RECORD_HEADER_BYTES) return RECORD_HEADER_BYTES;
    return RECORD_HEADER_BYTES + view.getUint32(pos + 8, this.littleEndian);
  }

  parse(bytes: Uint8Array, view: DataView, pos: number, end: number, fileOffset: number, visit: PacketVisitor): number {
    const le = this.littleEndian;
    const p = this.packet;
    p.bytes = bytes;
    p.view = view;
    p.linkType = this.linkType;
    p.interfaceId = 0;
    while (end - pos >= RECORD_HEADER_BYTES) {
      const capLen = view.getUint32(pos + 8, le);
      if (capLen > MAX_RECORD_BYTES) throw corrupt(this.path, fileOffset + pos, `a record claims ${capLen} captured bytes`);
      if (end - pos - RECORD_HEADER_BYTES < capLen) break;
      const sub = view.getUint32(pos + 4, le) * this.subSecondNs;
      if (sub >= 1e9) throw corrupt(this.path, fileOffset + pos, `sub-second timestamp ${sub} ns is a second or more`);
      p.tsSec = view.getUint32(pos, le);
      p.tsNsec = sub;
      p.capLen = capLen;
      p.origLen = view.getUint32(pos + 12, le);
      p.offset = pos + RECORD_HEADER_BYTES;
      this.counters.records++;
      visit(p);
      pos += RECORD_HEADER_BYTES + capLen;
    }
    return pos;
  }
}
