// The shapes the HTTP/1.x parser hands to the connection tracker. Heads are plain data (strings decoded as
// latin1, as RFC 9110 §5.5 says field values are octets); bodies are the decoded (de-chunked) bytes.
import type { HeaderList } from '../../core/transaction.ts';

export type HttpVersion = 'HTTP/1.0' | 'HTTP/1.1';

export interface RequestHead {
  method: string;
  /** The request-target exactly as sent (origin, absolute, authority or asterisk form). */
  target: string;
  version: HttpVersion;
  /** Original case, wire order; obs-folded lines are joined with one space. */
  headers: HeaderList;
  /** Bytes of the head on the wire: leading empty lines, start line, fields and the empty line. */
  headerBytes: number;
}

export interface ResponseHead {
  version: HttpVersion;
  status: number;
  /** '' when the status line has none. */
  reason: string;
  headers: HeaderList;
  headerBytes: number;
}

export interface Http1Limits {
  /** A head (or a trailer section) longer than this is invalid. */
  maxHeaderBytes: number;
  /** Bytes of each decoded body kept; the rest is counted in bodySize and dropped. */
  maxBodyBytes: number;
  /**
   * Requests waiting for their responses (pipelining, or a direction the capture misses) before the oldest is
   * emitted without one; its response, if it comes later, is then skipped as an orphan.
   */
  maxPendingExchanges: number;
}

export const DEFAULT_HTTP1_LIMITS: Readonly<Http1Limits> = Object.freeze({
  maxHeaderBytes: 64 * 1024,
  maxBodyBytes: 1024 * 1024,
  maxPendingExchanges: 128,
});

/** The head parsers only need the header limit. */
export type HeadLimits = Pick<Http1Limits, 'maxHeaderBytes'>;

export interface Http1Message<H> {
  head: H;
  /** The first maxBodyBytes of the decoded body (after de-chunking); empty when there is none. */
  body: Uint8Array;
  /** Decoded body size, including bytes not kept and bytes lost to capture gaps. */
  bodySize: number;
  /** Some decoded body bytes are not in `body` (over maxBodyBytes, or lost to a gap). */
  bodyTruncated: boolean;
  /** Chunked trailer fields, when the trailer section had any. */
  trailers?: HeaderList;
  /** Head + framed body bytes as on the wire (chunk framing included), gap bytes included. */
  wireBytes: number;
  /** tsNs of the push that carried the message's first byte. */
  firstByteNs: number;
  /** tsNs of the push that carried the last byte seen of the message. */
  lastByteNs: number;
  /** Bytes of this message the capture lost (reported through gap()). */
  gapBytes: number;
  /** The framing reached the message's end; false when the stream ended, lost sync or was flushed first. */
  complete: boolean;
}

export interface Http1Exchange {
  request: Http1Message<RequestHead>;
  /** Absent when no final response was seen (connection ended, response lost to a gap, or flushed). */
  response?: Http1Message<ResponseHead>;
  /** 1xx heads (other than 101) that preceded the final response, in order. */
  informational?: ResponseHead[];
  /** The exchange switched protocols (101, or 2xx to CONNECT); nothing after it is parsed. */
  upgraded?: boolean;
}

export type Http1SessionState = 'active' | 'upgraded' | 'failed';

/** Every byte or message the session could not turn into an exchange is counted here (style convention 7). */
export interface Http1Stats {
  /** Heads parsed: requests, final and 1xx responses, orphans. */
  messages: number;
  /** Invalid heads, invalid framing (Content-Length, chunk syntax) and oversized heads. */
  invalid: number;
  /** Bytes reported lost through gap(). */
  gapBytes: number;
  /** Times a stream found a new message start after losing sync. */
  resyncs: number;
  /** Responses for which no request was seen; parsed to stay in sync, never emitted. */
  orphanResponses: number;
  /** Partial heads thrown away (gap, EOF, invalid) before they became messages. */
  droppedMessages: number;
  /** Bytes not parsed: skipped while resyncing, after an upgrade or failure, or pushed after end(). */
  skippedBytes: number;
  /** Exchanges emitted without a response. */
  unansweredRequests: number;
}
