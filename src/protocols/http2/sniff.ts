// Is this HTTP/2? The client's first bytes are the connection preface; the server's, a SETTINGS frame.
import { CLIENT_PREFACE } from './session.ts';

/** 'request' for (a prefix of at least 4 bytes of) the client preface, 'response' for a server's SETTINGS frame. */
export function sniffHttp2(first: Uint8Array): 'request' | 'response' | undefined {
  const n = Math.min(first.length, CLIENT_PREFACE.length);
  if (n >= 4) {
    let same = true;
    for (let i = 0; i < n && same; i++) same = first[i] === CLIENT_PREFACE[i];
    if (same) return 'request';
  }
  // SETTINGS (type 4) on stream 0, flags 0 or ACK, length a multiple of 6.
  if (first.length >= 9 && first[3] === 4 && (first[4] & 0xfe) === 0 && (first[5] | first[6] | first[7] | first[8]) === 0) {
    const len = (first[0] << 16) | (first[1] << 8) | first[2];
    if (len % 6 === 0 && len <= 16384) return 'response';
  }
  return undefined;
}

/** A plausible frame header: a known type, a length within the default maximum, stream rules per type. */
export function looksLikeHttp2Frame(b: Uint8Array): boolean {
  if (b.length < 9) return false;
  const len = (b[0] << 16) | (b[1] << 8) | b[2];
  const type = b[3];
  const stream = ((b[5] & 0x7f) << 24) | (b[6] << 16) | (b[7] << 8) | b[8];
  if (len > 16384 || type > 9 || b[5] & 0x80) return false;
  const connectionLevel = type === 4 || type === 6 || type === 7;
  return connectionLevel ? stream === 0 : type === 8 || stream !== 0;
}

/** A write made only of whole, plausible frames: what a peer of an HTTP/2 connection the capture joined late sends. */
export function looksLikeHttp2Frames(b: Uint8Array): boolean {
  let at = 0;
  while (at < b.length) {
    if (!looksLikeHttp2Frame(b.subarray(at))) return false;
    at += 9 + ((b[at] << 16) | (b[at + 1] << 8) | b[at + 2]);
  }
  return at === b.length && b.length > 0;
}
