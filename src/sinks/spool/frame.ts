// One spool record on disk: a 16-byte header, then the payload.
//   u32 payload length | u32 CRC-32 of (seq + payload) | u32 seq low | u32 seq high | payload
// Little-endian. The CRC covers the sequence number so a frame moved or half-overwritten by a torn write is
// caught; the length is bounded so a corrupt header cannot make a reader allocate gigabytes.

import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 16;
/** Larger payloads are refused at append (counted) and treated as corruption when read. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

const TWO_32 = 2 ** 32;

export interface Frame {
  seq: number;
  payload: Uint8Array;
}

export function encodeFrame(seq: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength);
  frame.writeUInt32LE(payload.byteLength, 0);
  frame.writeUInt32LE(seq % TWO_32, 8);
  frame.writeUInt32LE(Math.floor(seq / TWO_32), 12);
  frame.set(payload, FRAME_HEADER_BYTES);
  frame.writeUInt32LE(crc32(frame.subarray(8)), 4);
  return frame;
}

export type DecodeResult =
  /** A whole, intact frame; the next one starts at `next`. */
  | { kind: 'frame'; frame: Frame; next: number }
  /** The bytes end inside a frame: read more (or, at the end of a file, a write that never finished). */
  | { kind: 'partial'; need: number }
  /** The header or CRC is wrong: nothing after this point in the file can be trusted. */
  | { kind: 'corrupt' };

/** Decodes the frame at `at` in buf[0, end). Payloads are views over buf, not copies. */
export function decodeFrame(buf: Buffer, at: number, end: number): DecodeResult {
  if (end - at < FRAME_HEADER_BYTES) return { kind: 'partial', need: FRAME_HEADER_BYTES };
  const length = buf.readUInt32LE(at);
  if (length > MAX_PAYLOAD_BYTES) return { kind: 'corrupt' };
  const total = FRAME_HEADER_BYTES + length;
  if (end - at < total) return { kind: 'partial', need: total };
  if (crc32(buf.subarray(at + 8, at + total)) !== buf.readUInt32LE(at + 4)) return { kind: 'corrupt' };
  const seq = buf.readUInt32LE(at + 8) + buf.readUInt32LE(at + 12) * TWO_32;
  return { kind: 'frame', frame: { seq, payload: buf.subarray(at + FRAME_HEADER_BYTES, at + total) }, next: at + total };
}
