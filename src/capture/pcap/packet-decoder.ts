// A captured frame → a TCP segment (link layer, IPv4 or IPv6 with extension headers, TCP). Everything that is
// not a TCP segment we can use is counted by why, never dropped silently. Checksums are not verified: captures
// taken on the sending host carry the offloaded (not yet computed) ones.
import type { CapturedPacket } from './captured-packet.ts';
import { EtherType, LinkResult, locateNetworkLayer } from './link-layer.ts';
import type { PortSet } from './port-set.ts';
import type { TcpSegment } from './tcp-segment.ts';

export interface DecodeCounters {
  packets: number;
  /** Frames of a link type we do not decode. */
  unknownLinkType: number;
  /** Frames whose headers the snap length (or the file) cut short. */
  truncatedPackets: number;
  /** Segments whose payload the snap length cut: the missing bytes reach the stream as a gap. */
  snappedPayloads: number;
  /** Frames carrying something other than IPv4/IPv6 (ARP, LLDP, …). */
  notIp: number;
  /** IP packets that are not TCP (UDP, ICMP, ESP, …). */
  notTcp: number;
  /** IP fragments: not reassembled (TCP stacks avoid fragmentation), counted and skipped. */
  ipFragments: number;
  /** Headers that contradict themselves (bad version, header length, data offset). */
  malformed: number;
  /** Segments on ports outside the port list. */
  portFiltered: number;
}

export function newDecodeCounters(): DecodeCounters {
  return { packets: 0, unknownLinkType: 0, truncatedPackets: 0, snappedPayloads: 0, notIp: 0, notTcp: 0, ipFragments: 0, malformed: 0, portFiltered: 0 };
}

const PROTO_TCP = 6;
const PROTO_NONE = 59;
const MAX_IPV6_EXTENSIONS = 8;

export class PacketDecoder {
  readonly counters: DecodeCounters = newDecodeCounters();
  private readonly ports: PortSet | undefined;
  private readonly link = { etherType: 0 };

  constructor(ports?: PortSet) {
    this.ports = ports;
  }

  /** Fills `out` (all but tsNs) and returns true when the packet is a TCP segment to follow. */
  decode(p: CapturedPacket, out: TcpSegment): boolean {
    const c = this.counters;
    c.packets++;
    const { bytes, view } = p;
    const ip = locateNetworkLayer(p.linkType, bytes, view, p.offset, p.capLen, this.link);
    if (ip < 0) {
      if (ip === LinkResult.unknownLinkType) c.unknownLinkType++;
      else if (ip === LinkResult.truncated) c.truncatedPackets++;
      else c.notIp++;
      return false;
    }
    const capEnd = p.offset + p.capLen;
    let l4: number;
    let wireEnd: number;
    if (this.link.etherType === EtherType.ipv4) {
      if (capEnd - ip < 20) return this.truncated();
      const vihl = bytes[ip];
      const ihl = (vihl & 0x0f) * 4;
      if (vihl >> 4 !== 4 || ihl < 20) return this.malformed();
      if (capEnd - ip < ihl) return this.truncated();
      const total = view.getUint16(ip + 2);
      // 0 is what segmentation offload (and BIG TCP) leaves in locally captured super-packets.
      if (total === 0) wireEnd = capEnd;
      else if (total < ihl) return this.malformed();
      else wireEnd = ip + total;
      if ((view.getUint16(ip + 6) & 0x3fff) !== 0) {
        c.ipFragments++;
        return false;
      }
      if (bytes[ip + 9] !== PROTO_TCP) {
        c.notTcp++;
        return false;
      }
      out.family = 4;
      out.src0 = out.dst0 = out.src1 = out.dst1 = 0;
      out.src2 = out.dst2 = 0xffff;
      out.src3 = view.getUint32(ip + 12);
      out.dst3 = view.getUint32(ip + 16);
      l4 = ip + ihl;
    } else {
      if (capEnd - ip < 40) return this.truncated();
      if (bytes[ip] >> 4 !== 6) return this.malformed();
      const payloadLen = view.getUint16(ip + 4);
      wireEnd = payloadLen === 0 ? capEnd : ip + 40 + payloadLen;
      l4 = this.skipExtensions(bytes, view, ip, capEnd, Math.min(wireEnd, capEnd));
      if (l4 < 0) return false;
      out.family = 6;
      out.src0 = view.getUint32(ip + 8);
      out.src1 = view.getUint32(ip + 12);
      out.src2 = view.getUint32(ip + 16);
      out.src3 = view.getUint32(ip + 20);
      out.dst0 = view.getUint32(ip + 24);
      out.dst1 = view.getUint32(ip + 28);
      out.dst2 = view.getUint32(ip + 32);
      out.dst3 = view.getUint32(ip + 36);
    }
    // An IP length past the end of an unsnapped frame is a lie, not lost bytes.
    if (wireEnd > p.offset + Math.max(p.origLen, p.capLen)) return this.malformed();
    const segEnd = Math.min(wireEnd, capEnd);
    if (segEnd - l4 < 20) return wireEnd - l4 < 20 ? this.malformed() : this.truncated();
    const dataOffset = (bytes[l4 + 12] >> 4) * 4;
    if (dataOffset < 20 || wireEnd - l4 < dataOffset) return this.malformed();
    if (segEnd - l4 < dataOffset) return this.truncated();
    out.srcPort = view.getUint16(l4);
    out.dstPort = view.getUint16(l4 + 2);
    if (this.ports && !this.ports.has(out.srcPort) && !this.ports.has(out.dstPort)) {
      c.portFiltered++;
      return false;
    }
    out.seq = view.getUint32(l4 + 4);
    out.ack = view.getUint32(l4 + 8);
    out.flags = bytes[l4 + 13];
    out.bytes = bytes;
    out.payloadOffset = l4 + dataOffset;
    out.payloadLength = wireEnd - out.payloadOffset;
    out.payloadCaptured = segEnd - out.payloadOffset;
    if (out.payloadCaptured < out.payloadLength) c.snappedPayloads++;
    out.interfaceId = p.interfaceId;
    return true;
  }

  /** Steps over IPv6 extension headers to TCP; a negative value when the packet is not a whole TCP segment. */
  private skipExtensions(bytes: Uint8Array, view: DataView, ip: number, capEnd: number, end: number): number {
    let next = bytes[ip + 6];
    let at = ip + 40;
    for (let n = 0; n <= MAX_IPV6_EXTENSIONS; n++) {
      switch (next) {
        case PROTO_TCP:
          return at;
        case 0: // hop-by-hop options
        case 43: // routing
        case 60: // destination options
        case 135: // mobility
          if (end - at < 8) return this.truncatedAt(end, capEnd);
          next = bytes[at];
          at += (bytes[at + 1] + 1) * 8;
          break;
        case 44: {
          if (end - at < 8) return this.truncatedAt(end, capEnd);
          // Offset or more-fragments set: a real fragment. Neither: an atomic fragment, read on.
          if ((view.getUint16(at + 2) & 0xfff9) !== 0) {
            this.counters.ipFragments++;
            return -1;
          }
          next = bytes[at];
          at += 8;
          break;
        }
        case 51: // authentication header (its length is in 4-byte units)
          if (end - at < 8) return this.truncatedAt(end, capEnd);
          next = bytes[at];
          at += (bytes[at + 1] + 2) * 4;
          break;
        case PROTO_NONE:
        default:
          this.counters.notTcp++;
          return -1;
      }
    }
    this.counters.malformed++;
    return -1;
  }

  private truncatedAt(end: number, capEnd: number): number {
    if (end < capEnd) this.counters.malformed++;
    else this.counters.truncatedPackets++;
    return -1;
  }

  private truncated(): false {
    this.counters.truncatedPackets++;
    return false;
  }

  private malformed(): false {
    this.counters.malformed++;
    return false;
  }
}
