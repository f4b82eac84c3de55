// Link-layer headers → where the IP header starts and which protocol it is (as an EtherType). VLAN tags
// (802.1Q, 802.1ad QinQ, the old 0x9100) are stepped over at any depth a frame can hold.
import { LinkType } from './captured-packet.ts';

export const EtherType = { ipv4: 0x0800, ipv6: 0x86dd } as const;

const MAX_VLAN_TAGS = 8;

/** BSD loopback (NULL/LOOP) address families that mean IPv6: Linux, then the BSDs and Darwin. */
const NULL_AF_INET = 2;
const NULL_AF_INET6 = new Set([10, 24, 28, 30]);

/** Why a frame yields no network-layer offset; values are negative so they cannot be confused with one. */
export const LinkResult = { unknownLinkType: -1, truncated: -2, notIp: -3 } as const;

/**
 * The network layer of a frame. On success `out.etherType` is IPv4 or IPv6 and the return value is the
 * offset of the IP header within bytes; otherwise a LinkResult.
 */
export function locateNetworkLayer(linkType: number, bytes: Uint8Array, view: DataView, start: number, capLen: number, out: { etherType: number }): number {
  const end = start + capLen;
  let off: number;
  let type: number;
  switch (linkType) {
    case LinkType.ethernet:
      if (capLen < 14) return LinkResult.truncated;
      type = view.getUint16(start + 12);
      off = start + 14;
      break;
    case LinkType.linuxSll:
      if (capLen < 16) return LinkResult.truncated;
      type = view.getUint16(start + 14);
      off = start + 16;
      break;
    case LinkType.linuxSll2:
      if (capLen < 20) return LinkResult.truncated;
      type = view.getUint16(start);
      off = start + 20;
      break;
    case LinkType.raw:
    case LinkType.rawBsd12:
    case LinkType.rawBsd14:
    case LinkType.ipv4:
    case LinkType.ipv6:
      if (capLen < 1) return LinkResult.truncated;
      type = versionType(bytes[start]);
      off = start;
      break;
    case LinkType.null:
    case LinkType.loop: {
      if (capLen < 4) return LinkResult.truncated;
      // NULL stores the family in the capturing host's byte order, LOOP in network order.
      let af = view.getUint32(start, linkType === LinkType.null);
      if (linkType === LinkType.null && af > 0xffff) af = view.getUint32(start, false);
      type = af === NULL_AF_INET ? EtherType.ipv4 : NULL_AF_INET6.has(af) ? EtherType.ipv6 : 0;
      off = start + 4;
      break;
    }
    default:
      return LinkResult.unknownLinkType;
  }
  for (let tags = 0; type === 0x8100 || type === 0x88a8 || type === 0x9100; tags++) {
    if (tags === MAX_VLAN_TAGS) return LinkResult.notIp;
    if (end - off < 4) return LinkResult.truncated;
    type = view.getUint16(off + 2);
    off += 4;
  }
  if (type !== EtherType.ipv4 && type !== EtherType.ipv6) return LinkResult.notIp;
  out.etherType = type;
  return off;
}

function versionType(firstByte: number): number {
  const version = firstByte >> 4;
  return version === 4 ? EtherType.ipv4 : version === 6 ? EtherType.ipv6 : 0;
}
