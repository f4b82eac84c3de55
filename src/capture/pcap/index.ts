// Public surface of passive capture's packet layer: capture files, frames → TCP segments, port lists.
export { CaptureFile } from './capture-file.ts';
export type { CaptureFileCounters, CaptureFileKind, CaptureFileOptions } from './capture-file.ts';
export { LinkType, newCapturedPacket } from './captured-packet.ts';
export type { CapturedPacket, PacketVisitor } from './captured-packet.ts';
export type { InterfaceFilter } from './pcapng-format.ts';
export { PacketDecoder } from './packet-decoder.ts';
export type { DecodeCounters } from './packet-decoder.ts';
export { PacketClock } from './packet-clock.ts';
export { interfaceIndex, loopbackIndexes, PacketRing, PACKET_ADDON_PATH } from './packet-ring.ts';
export type { PacketRingOptions, PacketRingStats } from './packet-ring.ts';
export { buildPortFilter, encodeFilter } from './port-filter.ts';
export { parsePortList, PortSet } from './port-set.ts';
export type { PortRange } from './port-set.ts';
export { newTcpSegment, TcpFlag } from './tcp-segment.ts';
export type { TcpSegment } from './tcp-segment.ts';
