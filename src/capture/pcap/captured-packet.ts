// What a packet source (a capture file or the live ring) hands to the decoder: the bytes as captured, where they
// sit, and when. One object is reused for every packet, so nothing here may be kept past the callback.

/** The link-layer header types we decode (tcpdump.org/linktypes.html numbers). */
export const LinkType = {
  null: 0,
  ethernet: 1,
  /** DLT_RAW as some BSDs wrote it into files before LINKTYPE_RAW existed. */
  rawBsd12: 12,
  rawBsd14: 14,
  raw: 101,
  loop: 108,
  linuxSll: 113,
  ipv4: 228,
  ipv6: 229,
  linuxSll2: 276,
} as const;

export interface CapturedPacket {
  /** The source's buffer; the packet is bytes[offset, offset + capLen). */
  bytes: Uint8Array;
  /** A DataView over the same buffer (so headers are read without a view per packet). */
  view: DataView;
  offset: number;
  /** Bytes captured (at most the snap length). */
  capLen: number;
  /** Bytes the packet had on the wire. */
  origLen: number;
  linkType: number;
  /** pcapng interface id (0 for pcap files and the live ring). */
  interfaceId: number;
  /** Capture time: whole seconds since the Unix epoch, and nanoseconds within that second. */
  tsSec: number;
  tsNsec: number;
}

export type PacketVisitor = (packet: CapturedPacket) => void;

export function newCapturedPacket(): CapturedPacket {
  const empty = new Uint8Array(0);
  return { bytes: empty, view: new DataView(empty.buffer), offset: 0, capLen: 0, origLen: 0, linkType: 0, interfaceId: 0, tsSec: 0, tsNsec: 0 };
}
