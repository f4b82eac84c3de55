// One decoded TCP segment, as the decoder fills it for the stream layer. The object is reused for every packet
// (no allocation per packet): addresses are four 32-bit words each, IPv4 in its IPv4-mapped IPv6 form
// (0, 0, 0xffff, addr) so both families hash and compare the same way; the payload stays a range of `bytes`.

export const TcpFlag = { fin: 0x01, syn: 0x02, rst: 0x04, psh: 0x08, ack: 0x10 } as const;

export interface TcpSegment {
  family: 4 | 6;
  src0: number;
  src1: number;
  src2: number;
  src3: number;
  dst0: number;
  dst1: number;
  dst2: number;
  dst3: number;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  /** The buffer the payload lies in (the packet's). */
  bytes: Uint8Array;
  payloadOffset: number;
  /** Payload bytes present in `bytes`. */
  payloadCaptured: number;
  /** Payload bytes the segment carried on the wire (more than captured when the snap length cut it). */
  payloadLength: number;
  /** Nanoseconds since the source's time origin (see PacketClock). */
  tsNs: number;
  interfaceId: number;
}

export function newTcpSegment(): TcpSegment {
  return {
    family: 4, src0: 0, src1: 0, src2: 0, src3: 0, dst0: 0, dst1: 0, dst2: 0, dst3: 0, srcPort: 0, dstPort: 0,
    seq: 0, ack: 0, flags: 0, bytes: new Uint8Array(0), payloadOffset: 0, payloadCaptured: 0, payloadLength: 0, tsNs: 0,
    interfaceId: 0,
  };
}
