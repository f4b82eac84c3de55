// pcapng files: a sequence of blocks (type, length, body, length). A Section Header Block sets the byte order
// and starts a new list of interfaces; each Interface Description Block adds one with its own link type and
// timestamp resolution; packets come in Enhanced (and the obsolete Packet) and Simple Packet Blocks.
import type { CapturedPacket, PacketVisitor } from './captured-packet.ts';
import { corrupt, type FormatCounters, MAX_RECORD_BYTES, type RecordFormat } from './record-format.ts';
import { TimestampScale } from './timestamp-scale.ts';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const MIN_BLOCK = 12;

const OPT_END = 0;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

export interface CaptureInterface {
  linkType: number;
  snapLen: number;
  name: string | undefined;
  /** False when the interface filter leaves it out. */
  enabled: boolean;
  scale: TimestampScale;
}

/** Decides from an interface's name (when the file gives one) whether its packets are read. */
export type InterfaceFilter = (name: string | undefined) => boolean;

const latin1 = new TextDecoder('latin1');

export class PcapngFormat implements RecordFormat {
  /** Interfaces of the current section, by id. */
  interfaces: CaptureInterface[] = [];
  private le = true;
  private readonly path: string;
  private readonly packet: CapturedPacket;
  private readonly counters: FormatCounters;
  private readonly filter: InterfaceFilter | undefined;

  constructor(path: string, packet: CapturedPacket, counters: FormatCounters, filter?: InterfaceFilter) {
    this.path = path;
    this.packet = packet;
    this.counters = counters;
    this.filter = filter;
  }

  needed(view: DataView, pos: number, end: number): number {
    if (end - pos < MIN_BLOCK) return MIN_BLOCK;
    return view.getUint32(pos + 4, this.orderAt(view, pos));
  }

  parse(bytes: Uint8Array, view: DataView, pos: number, end: number, fileOffset: number, visit: PacketVisitor): number {
    const p = this.packet;
    p.bytes = bytes;
    p.view = view;
    while (end - pos >= MIN_BLOCK) {
      const le = this.orderAt(view, pos);
      const type = view.getUint32(pos, le);
      const len = view.getUint32(pos + 4, le);
      if (len < MIN_BLOCK || len % 4 !== 0 || len > MAX_RECORD_BYTES) {
        throw corrupt(this.path, fileOffset + pos, `block type 0x${type.toString(16)} has length ${len}`);
      }
      if (end - pos < len) break;
      if (view.getUint32(pos + len - 4, le) !== len) {
        throw corrupt(this.path, fileOffset + pos, `block type 0x${type.toString(16)}: trailing length differs from ${len}`);
      }
      const bodyEnd = pos + len - 4;
      switch (type) {
        case PCAPNG_SHB:
          this.le = le;
          this.interfaces = [];
          break;
        case IDB:
          this.addInterface(bytes, view, pos, bodyEnd, fileOffset);
          break;
        case EPB:
        case OPB: {
          if (bodyEnd - pos < 28) throw corrupt(this.path, fileOffset + pos, 'packet block too short');
          const id = type === EPB ? view.getUint32(pos + 8, le) : view.getUint16(pos + 8, le);
          const capLen = view.getUint32(pos + 20, le);
          if (capLen > bodyEnd - pos - 28) throw corrupt(this.path, fileOffset + pos, `packet of ${capLen} bytes overruns its block`);
          const iface = this.interfaces[id];
          if (this.accept(iface)) {
            iface!.scale.apply(p, view.getUint32(pos + 12, le), view.getUint32(pos + 16, le));
            this.emit(iface!, id, pos + 28, capLen, view.getUint32(pos + 24, le), visit);
          }
          break;
        }
        case SPB: {
          if (bodyEnd - pos < 12) throw corrupt(this.path, fileOffset + pos, 'simple packet block too short');
          const iface = this.interfaces[0];
          if (this.accept(iface)) {
            const origLen = view.getUint32(pos + 8, le);
            let capLen = Math.min(origLen, bodyEnd - pos - 12);
            if (iface!.snapLen > 0) capLen = Math.min(capLen, iface!.snapLen);
            // No timestamp of its own: the packet keeps the previous packet's time.
            this.emit(iface!, 0, pos + 12, capLen, origLen, visit);
          }
          break;
        }
        default:
          this.counters.blocksSkipped++;
      }
      pos += len;
    }
    return pos;
  }

  /** A Section Header Block says its own byte order; any other block is in the current section's. */
  private orderAt(view: DataView, pos: number): boolean {
    if (view.getUint32(pos, true) !== PCAPNG_SHB) return this.le;
    const bom = view.getUint32(pos + 8, true);
    return bom === BYTE_ORDER_MAGIC ? true : bom === 0x4d3c2b1a ? false : this.le;
  }

  private accept(iface: CaptureInterface | undefined): boolean {
    if (!iface) {
      this.counters.unknownInterface++;
      return false;
    }
    if (!iface.enabled) {
      this.counters.interfaceFiltered++;
      return false;
    }
    return true;
  }

  private emit(iface: CaptureInterface, id: number, offset: number, capLen: number, origLen: number, visit: PacketVisitor): void {
    const p = this.packet;
    p.linkType = iface.linkType;
    p.interfaceId = id;
    p.offset = offset;
    p.capLen = capLen;
    p.origLen = origLen;
    this.counters.records++;
    visit(p);
  }

  private addInterface(bytes: Uint8Array, view: DataView, pos: number, bodyEnd: number, fileOffset: number): void {
    const le = this.le;
    if (bodyEnd - pos < 16) throw corrupt(this.path, fileOffset + pos, 'interface block too short');
    let name: string | undefined;
    let tsresol = 6;
    let offsetSec = 0;
    for (let o = pos + 16; o + 4 <= bodyEnd; ) {
      const code = view.getUint16(o, le);
      const optLen = view.getUint16(o + 2, le);
      if (code === OPT_END) break;
      if (o + 4 + optLen > bodyEnd) throw corrupt(this.path, fileOffset + o, `interface option ${code} overruns its block`);
      if (code === IF_NAME) name = latin1.decode(bytes.subarray(o + 4, o + 4 + optLen)).replace(/\0+$/, '');
      else if (code === IF_TSRESOL && optLen >= 1) tsresol = bytes[o + 4];
      else if (code === IF_TSOFFSET && optLen >= 8) offsetSec = Number(view.getBigInt64(o + 4, le));
      o += 4 + ((optLen + 3) & ~3);
    }
    if (!TimestampScale.supports(tsresol)) {
      throw corrupt(this.path, fileOffset + pos, `interface timestamp resolution 0x${tsresol.toString(16)} is finer than supported`);
    }
    this.interfaces.push({
      linkType: view.getUint16(pos + 8, le),
      snapLen: view.getUint32(pos + 12, le),
      name,
      enabled: this.filter ? this.filter(name) : true,
      scale: new TimestampScale(tsresol, offsetSec),
    });
  }
}
