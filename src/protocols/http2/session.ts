// One HTTP/2 connection (RFC 9113) as two byte streams — client→server ('request') and server→client
// ('response') — turned into one exchange per stream. Frames other than DATA are held whole (bounded) and
// then read; DATA is consumed as it arrives, so a large body never waits in a buffer. Each direction has its
// own HPACK decoder. Never throws on bad bytes: a connection error stops the parsing (state 'failed', with the
// reason in stats), and what was complete until then is kept.

import type { HeaderList } from '../../core/transaction.ts';
import type { StreamRole } from '../contract.ts';
import { HpackDecoder } from './hpack.ts';
import { DEFAULT_HTTP2_LIMITS, type Http2Exchange, type Http2Limits, type Http2Message, type Http2SessionState, type Http2Stats } from './types.ts';

export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const FRAME_HEADER = 9;

export const FRAME_TYPES = ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY', 'WINDOW_UPDATE', 'CONTINUATION'] as const;
const DATA = 0;
const HEADERS = 1;
const RST_STREAM = 3;
const SETTINGS = 4;
const PUSH_PROMISE = 5;
const GOAWAY = 7;
const CONTINUATION = 9;

const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY_FLAG = 0x20;
const SETTINGS_HEADER_TABLE_SIZE = 1;

const ERROR_NAMES = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'];

export function http2ErrorName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}

interface MessageBuilder {
  msg: Http2Message;
  chunks: Uint8Array[];
  kept: number;
  headersSeen: boolean;
}

interface StreamState {
  id: number;
  request: MessageBuilder;
  response: MessageBuilder;
  informational?: Array<{ status: number; headers: HeaderList }>;
  headersIncomplete?: boolean;
  pushed?: boolean;
}

/** A header block being gathered from HEADERS/PUSH_PROMISE and its CONTINUATION frames. */
interface PendingBlock {
  streamId: number;
  /** The stream the block's fields are for (the promised one for PUSH_PROMISE). */
  target: number;
  endStream: boolean;
  promise: boolean;
  parts: Uint8Array[];
  bytes: number;
  lost: boolean;
}

/** Where one direction's reader is: in the preface, a frame header, or a frame's payload. */
interface Direction {
  role: StreamRole;
  phase: 'preface' | 'header' | 'payload';
  prefaceLeft: number;
  head: Uint8Array;
  headFill: number;
  len: number;
  type: number;
  flags: number;
  streamId: number;
  /** Payload bytes of the current frame not yet seen. */
  left: number;
  /** Non-DATA payload being gathered. */
  payload: Uint8Array;
  payloadFill: number;
  /** DATA: padding length and whether the pad-length byte was read. */
  padLen: number;
  padRead: boolean;
  /** The current frame lost bytes to a gap: it is dropped when it ends. */
  frameLost: boolean;
  decoder: HpackDecoder;
  block: PendingBlock | undefined;
  failed: boolean;
}

function newMessage(): MessageBuilder {
  return {
    msg: { headers: [], pseudo: {}, body: new Uint8Array(0), bodySize: 0, bodyTruncated: false, wireBytes: 0, firstByteNs: 0, lastByteNs: 0, gapBytes: 0, complete: false },
    chunks: [],
    kept: 0,
    headersSeen: false,
  };
}

export interface Http2SessionOptions {
  /** The capture joined an established connection: no preface, and the HPACK tables are unknown. */
  midStream?: boolean;
  /** h2c by Upgrade: stream 1 is this HTTP/1.1 request; its response comes as HTTP/2. */
  upgradedRequest?: Http2Message;
}

export class Http2Session {
  readonly stats: Http2Stats = { frames: 0, framesByType: {}, invalidFrames: 0, hpackErrors: 0, resets: 0, goaways: 0, streamsOverLimit: 0, bytesIgnored: 0, gapBytes: 0 };
  goaway?: { lastStreamId: number; errorCode: number; by: StreamRole };
  readonly #limits: Http2Limits;
  readonly #dirs: Record<StreamRole, Direction>;
  readonly #streams = new Map<number, StreamState>();
  readonly #out: Http2Exchange[] = [];
  #failed = false;

  constructor(limits: Partial<Http2Limits> = {}, options: Http2SessionOptions = {}) {
    this.#limits = { ...DEFAULT_HTTP2_LIMITS, ...limits };
    const mid = options.midStream === true;
    const dir = (role: StreamRole): Direction => ({
      role,
      phase: role === 'request' && !mid ? 'preface' : 'header',
      prefaceLeft: CLIENT_PREFACE.length,
      head: new Uint8Array(FRAME_HEADER),
      headFill: 0,
      len: 0,
      type: 0,
      flags: 0,
      streamId: 0,
      left: 0,
      payload: new Uint8Array(0),
      payloadFill: 0,
      padLen: 0,
      padRead: false,
      frameLost: false,
      decoder: new HpackDecoder({ maxListBytes: this.#limits.maxHeaderListBytes, midStream: mid }),
      block: undefined,
      failed: false,
    });
    this.#dirs = { request: dir('request'), response: dir('response') };
    if (options.upgradedRequest) {
      const s = this.#stream(1, 0);
      if (s) {
        s.request.msg = { ...options.upgradedRequest, complete: true };
        s.request.headersSeen = true;
      }
    }
  }

  get state(): Http2SessionState {
    return this.#failed ? 'failed' : 'active';
  }

  push(role: StreamRole, bytes: Uint8Array, tsNs: number): void {
    const d = this.#dirs[role];
    if (this.#failed || d.failed) {
      this.stats.bytesIgnored += bytes.length;
      return;
    }
    let at = 0;
    while (at < bytes.length && !this.#failed) {
      if (d.phase === 'preface') {
        const n = Math.min(d.prefaceLeft, bytes.length - at);
        const offset = CLIENT_PREFACE.length - d.prefaceLeft;
        for (let i = 0; i < n; i++) {
          if (bytes[at + i] !== CLIENT_PREFACE[offset + i]) return this.#fail('the client preface is not "PRI * HTTP/2.0"');
        }
        d.prefaceLeft -= n;
        at += n;
        if (d.prefaceLeft === 0) d.phase = 'header';
      } else if (d.phase === 'header') {
        const n = Math.min(FRAME_HEADER - d.headFill, bytes.length - at);
        d.head.set(bytes.subarray(at, at + n), d.headFill);
        d.headFill += n;
        at += n;
        if (d.headFill === FRAME_HEADER) this.#startFrame(d, tsNs);
      } else {
        at = this.#payload(d, bytes, at, tsNs);
      }
    }
  }

  /** `bytes` of this direction were lost. Inside a frame's payload the frame is dropped and parsing goes on;
   * anywhere else the frame boundaries are lost with them, and this direction stops. */
  gap(role: StreamRole, bytes: number, tsNs: number): void {
    const d = this.#dirs[role];
    this.stats.gapBytes += bytes;
    if (this.#failed || d.failed) return;
    if (d.phase === 'payload' && bytes <= d.left) {
      d.frameLost = true;
      if (d.type === DATA) {
        const b = this.#builder(d);
        if (b) {
          b.msg.bodySize += bytes;
          b.msg.bodyTruncated = true;
          b.msg.gapBytes += bytes;
          b.msg.lastByteNs = tsNs;
        }
        d.frameLost = false; // DATA goes on: only these bytes of the body are missing
      } else if (d.payload.length > 0) {
        d.payloadFill += bytes; // the hole stays zeros; the frame is dropped at its end
      }
      d.left -= bytes;
      if (d.left === 0) this.#endFrame(d, tsNs);
      return;
    }
    d.failed = true;
    d.decoder.lostBlock();
    this.stats.failure ??= `${role} bytes lost between frames: the rest of that direction cannot be framed`;
  }

  /** The direction ended (connection closed): nothing more will come. */
  end(_role: StreamRole, _tsNs: number): void {}

  /** Exchanges completed since the last call. */
  take(): Http2Exchange[] {
    return this.#out.splice(0, this.#out.length);
  }

  /** Every stream still open, as it stands (incomplete). */
  flush(): Http2Exchange[] {
    for (const s of [...this.#streams.values()]) if (s.request.headersSeen || s.response.headersSeen) this.#finish(s);
    this.#streams.clear();
    return this.take();
  }

  #fail(reason: string): void {
    this.#failed = true;
    this.stats.failure ??= reason;
    this.stats.invalidFrames++;
  }

  #startFrame(d: Direction, tsNs: number): void {
    const h = d.head;
    d.len = (h[0] << 16) | (h[1] << 8) | h[2];
    d.type = h[3];
    d.flags = h[4];
    d.streamId = ((h[5] & 0x7f) << 24) | (h[6] << 16) | (h[7] << 8) | h[8];
    d.headFill = 0;
    d.left = d.len;
    d.frameLost = false;
    d.padLen = 0;
    d.padRead = (d.flags & PADDED) === 0;
    this.stats.frames++;
    const name = FRAME_TYPES[d.type] ?? 'UNKNOWN';
    this.stats.framesByType[name] = (this.stats.framesByType[name] ?? 0) + 1;
    if (d.block && d.type !== CONTINUATION) return this.#fail(`${name} frame inside a header block (CONTINUATION expected)`);
    if (d.type !== DATA && d.len > this.#limits.maxFrameBytes) return this.#fail(`${name} frame of ${d.len} bytes`);
    // A client's HEADERS opens its stream; other frames belong to streams already followed.
    if (d.type === HEADERS && d.role === 'request' && d.streamId !== 0) this.#stream(d.streamId, tsNs);
    const b = d.streamId !== 0 ? this.#builder(d) : undefined;
    if (b) {
      if (b.msg.firstByteNs === 0) b.msg.firstByteNs = tsNs;
      b.msg.lastByteNs = tsNs;
      b.msg.wireBytes += FRAME_HEADER + d.len;
    }
    if (d.type !== DATA) {
      if (d.payload.length < d.len) d.payload = new Uint8Array(Math.max(d.len, 256));
      d.payloadFill = 0;
    }
    d.phase = 'payload';
    if (d.len === 0) this.#endFrame(d, tsNs);
  }

  #payload(d: Direction, bytes: Uint8Array, at: number, tsNs: number): number {
    const n = Math.min(d.left, bytes.length - at);
    if (d.type === DATA) {
      let i = at;
      const end = at + n;
      if (!d.padRead && i < end) {
        d.padLen = bytes[i++];
        d.padRead = true;
      }
      // Padding is the payload's last padLen bytes: body bytes are those before it.
      const bodyLeftBefore = d.left - (i - at) - d.padLen;
      const take = Math.max(0, Math.min(end - i, bodyLeftBefore));
      if (take > 0) this.#body(d, bytes.subarray(i, i + take), tsNs);
    } else {
      d.payload.set(bytes.subarray(at, at + n), d.payloadFill);
      d.payloadFill += n;
    }
    d.left -= n;
    if (d.left === 0) this.#endFrame(d, tsNs);
    return at + n;
  }

  #body(d: Direction, data: Uint8Array, tsNs: number): void {
    const b = this.#builder(d);
    if (!b) {
      this.stats.bytesIgnored += data.length;
      return;
    }
    b.msg.bodySize += data.length;
    b.msg.lastByteNs = tsNs;
    const room = this.#limits.maxBodyBytes - b.kept;
    if (room <= 0) {
      b.msg.bodyTruncated = true;
      return;
    }
    const kept = data.length <= room ? data : data.subarray(0, room);
    if (kept.length < data.length) b.msg.bodyTruncated = true;
    b.chunks.push(kept.slice());
    b.kept += kept.length;
  }

  #endFrame(d: Direction, tsNs: number): void {
    d.phase = 'header';
    if (d.frameLost && d.type !== DATA) {
      if (d.type === HEADERS || d.type === CONTINUATION || d.type === PUSH_PROMISE) {
        d.decoder.lostBlock();
        const s = this.#streams.get(d.streamId);
        if (s) s.headersIncomplete = true;
        d.block = undefined;
      }
      return;
    }
    const p = d.payload.subarray(0, d.payloadFill);
    switch (d.type) {
      case DATA:
        if (d.flags & END_STREAM) this.#endStream(d, d.streamId);
        return;
      case HEADERS:
      case PUSH_PROMISE: {
        let start = 0;
        let end = p.length;
        if (d.flags & PADDED) {
          if (p.length < 1 || p[0] >= p.length) return this.#fail('padding longer than the frame');
          end -= p[0];
          start = 1;
        }
        let target = d.streamId;
        if (d.type === HEADERS && d.flags & PRIORITY_FLAG) start += 5;
        if (d.type === PUSH_PROMISE) {
          if (start + 4 > end) return this.#fail('PUSH_PROMISE too short');
          target = ((p[start] & 0x7f) << 24) | (p[start + 1] << 16) | (p[start + 2] << 8) | p[start + 3];
          start += 4;
        }
        if (start > end) return this.#fail(`${FRAME_TYPES[d.type]} too short`);
        d.block = { streamId: d.streamId, target, endStream: d.type === HEADERS && (d.flags & END_STREAM) !== 0, promise: d.type === PUSH_PROMISE, parts: [p.slice(start, end)], bytes: end - start, lost: false };
        if (d.flags & END_HEADERS) this.#headerBlock(d, tsNs);
        return;
      }
      case CONTINUATION: {
        const blk = d.block;
        if (!blk || blk.streamId !== d.streamId) return this.#fail('CONTINUATION without a header block');
        blk.parts.push(p.slice());
        blk.bytes += p.length;
        if (blk.bytes > this.#limits.maxHeaderListBytes * 2) return this.#fail('header block too large');
        if (d.flags & END_HEADERS) this.#headerBlock(d, tsNs);
        return;
      }
      case RST_STREAM: {
        if (p.length !== 4) return this.#fail('RST_STREAM of the wrong size');
        const code = ((p[0] << 24) >>> 0) + ((p[1] << 16) | (p[2] << 8) | p[3]);
        this.stats.resets++;
        const s = this.#streams.get(d.streamId);
        if (s) {
          const ex = this.#finish(s);
          ex.reset = { errorCode: code, errorName: http2ErrorName(code), by: d.role };
        }
        return;
      }
      case SETTINGS: {
        if (d.flags & 1) return; // ACK
        for (let i = 0; i + 6 <= p.length; i += 6) {
          const id = (p[i] << 8) | p[i + 1];
          const value = ((p[i + 2] << 24) >>> 0) + ((p[i + 3] << 16) | (p[i + 4] << 8) | p[i + 5]);
          // This side's decoder limit binds the other side's encoder.
          if (id === SETTINGS_HEADER_TABLE_SIZE) this.#dirs[d.role === 'request' ? 'response' : 'request'].decoder.setAllowedSize(Math.min(Math.max(value, 4096), this.#limits.maxDynamicTableBytes));
        }
        return;
      }
      case GOAWAY: {
        if (p.length >= 8) {
          this.stats.goaways++;
          const last = ((p[0] & 0x7f) << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
          const code = ((p[4] << 24) >>> 0) + ((p[5] << 16) | (p[6] << 8) | p[7]);
          this.goaway = { lastStreamId: last, errorCode: code, by: d.role };
        }
        return;
      }
      default:
        return; // PRIORITY, PING, WINDOW_UPDATE and unknown types carry nothing for exchanges
    }
  }

  #headerBlock(d: Direction, tsNs: number): void {
    const blk = d.block!;
    d.block = undefined;
    const bytes = blk.parts.length === 1 ? blk.parts[0] : Buffer.concat(blk.parts);
    const r = d.decoder.decode(bytes);
    if (!r.ok) {
      this.stats.hpackErrors++;
      return this.#fail(`HPACK: ${r.error}`);
    }
    const s = this.#stream(blk.target, tsNs);
    if (!s) return;
    if (r.incomplete) s.headersIncomplete = true;
    if (blk.promise) {
      s.pushed = true;
      this.#applyHead(s.request, r.fields);
      s.request.msg.complete = true;
      return;
    }
    const b = d.role === 'request' ? s.request : s.response;
    const status = d.role === 'response' ? statusOf(r.fields) : undefined;
    if (status !== undefined && status >= 100 && status < 200 && !b.headersSeen) {
      (s.informational ??= []).push({ status, headers: r.fields.filter(([n]) => !n.startsWith(':')) });
    } else if (!b.headersSeen) {
      this.#applyHead(b, r.fields);
    } else {
      b.msg.trailers = r.fields;
    }
    if (blk.endStream) this.#endStream(d, blk.target);
  }

  #applyHead(b: MessageBuilder, fields: HeaderList): void {
    b.headersSeen = true;
    const pseudo = b.msg.pseudo;
    for (const [name, value] of fields) {
      if (name.charCodeAt(0) !== 58 /* ':' */) {
        b.msg.headers.push([name, value]);
        continue;
      }
      switch (name) {
        case ':method': pseudo.method = value; break;
        case ':scheme': pseudo.scheme = value; break;
        case ':authority': pseudo.authority = value; break;
        case ':path': pseudo.path = value; break;
        case ':protocol': pseudo.protocol = value; break;
        case ':status': pseudo.status = Number(value); break;
      }
    }
  }

  #endStream(d: Direction, id: number): void {
    const s = this.#streams.get(id);
    if (!s) return;
    (d.role === 'request' ? s.request : s.response).msg.complete = true;
    if (s.request.msg.complete && s.response.msg.complete) this.#finish(s);
  }

  /** The message this direction's current frame belongs to, when its stream is followed. */
  #builder(d: Direction): MessageBuilder | undefined {
    const s = this.#streams.get(d.streamId);
    return s === undefined ? undefined : d.role === 'request' ? s.request : s.response;
  }

  #stream(id: number, tsNs: number): StreamState | undefined {
    let s = this.#streams.get(id);
    if (s) return s;
    if (this.#streams.size >= this.#limits.maxConcurrentStreams) {
      this.stats.streamsOverLimit++;
      return undefined;
    }
    s = { id, request: newMessage(), response: newMessage() };
    s.request.msg.firstByteNs = s.request.msg.lastByteNs = tsNs;
    this.#streams.set(id, s);
    return s;
  }

  #finish(s: StreamState): Http2Exchange {
    this.#streams.delete(s.id);
    const ex: Http2Exchange = { streamId: s.id, request: seal(s.request) };
    if (s.response.headersSeen) ex.response = seal(s.response);
    if (s.informational) ex.informational = s.informational;
    if (s.headersIncomplete) ex.headersIncomplete = true;
    if (s.pushed) ex.pushed = true;
    this.#out.push(ex);
    return ex;
  }
}

function statusOf(fields: HeaderList): number | undefined {
  for (const [n, v] of fields) if (n === ':status') return Number(v);
  return undefined;
}

function seal(b: MessageBuilder): Http2Message {
  const m = b.msg;
  m.body = b.chunks.length === 1 ? b.chunks[0] : b.chunks.length === 0 ? new Uint8Array(0) : Buffer.concat(b.chunks);
  return m;
}
