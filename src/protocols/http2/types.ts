// The shapes the HTTP/2 parser hands to the connection tracker: one exchange per stream.
import type { HeaderList } from '../../core/transaction.ts';
import type { StreamRole } from '../contract.ts';

export interface Http2Limits {
  /** A decoded header list larger than this fails the connection's header state. */
  maxHeaderListBytes: number;
  /** Bytes of each body kept; the rest is counted in bodySize. */
  maxBodyBytes: number;
  /** Streams followed at once; more are counted and left out. */
  maxConcurrentStreams: number;
  /** The largest HPACK table a peer may ask for. */
  maxDynamicTableBytes: number;
  /** Frames other than DATA are held whole; a larger one fails the connection. */
  maxFrameBytes: number;
}

export const DEFAULT_HTTP2_LIMITS: Readonly<Http2Limits> = Object.freeze({
  maxHeaderListBytes: 64 * 1024,
  maxBodyBytes: 1024 * 1024,
  maxConcurrentStreams: 1024,
  maxDynamicTableBytes: 64 * 1024,
  maxFrameBytes: 1024 * 1024,
});

export interface Http2Pseudo {
  method?: string;
  scheme?: string;
  authority?: string;
  path?: string;
  protocol?: string;
  status?: number;
}

export interface Http2Message {
  /** Regular fields in wire order (names lowercase, as HTTP/2 requires); no pseudo-headers. */
  headers: HeaderList;
  pseudo: Http2Pseudo;
  trailers?: HeaderList;
  /** The first maxBodyBytes of the DATA payloads (padding removed). */
  body: Uint8Array;
  /** DATA bytes in all, kept or not, lost ones included. */
  bodySize: number;
  bodyTruncated: boolean;
  /** Frame bytes of this stream in this direction, 9-byte frame headers included. */
  wireBytes: number;
  firstByteNs: number;
  lastByteNs: number;
  gapBytes: number;
  /** END_STREAM was seen. */
  complete: boolean;
}

export interface Http2Exchange {
  streamId: number;
  request: Http2Message;
  response?: Http2Message;
  informational?: Array<{ status: number; headers: HeaderList }>;
  reset?: { errorCode: number; errorName: string; by: StreamRole };
  /** Some header fields could not be decoded: the HPACK table was unknown (capture joined mid-connection or lost bytes). */
  headersIncomplete?: boolean;
  /** A server push: the request is the PUSH_PROMISE's. */
  pushed?: boolean;
}

export interface Http2Stats {
  frames: number;
  framesByType: Record<string, number>;
  invalidFrames: number;
  /** Why the connection's parsing stopped, when it did. */
  failure?: string;
  hpackErrors: number;
  resets: number;
  goaways: number;
  streamsOverLimit: number;
  /** Frames of streams not followed (over the limit, or closed), and bytes after a failure. */
  bytesIgnored: number;
  gapBytes: number;
}

export type Http2SessionState = 'active' | 'failed';
