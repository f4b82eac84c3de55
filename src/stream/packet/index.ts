// Public surface of passive mode's stream layer: TCP segments → reassembled connections → HTTP/1 transactions.
export { DEFAULT_PACKET_TRACKER_OPTIONS, PacketTracker } from './packet-tracker.ts';
export type { PacketTrackerOptions, PacketTrackerStatus } from './packet-tracker.ts';
export type { ConnectionCounters } from './connection-counters.ts';
