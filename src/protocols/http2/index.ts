// Public surface of the HTTP/2 parser: frames and HPACK → one exchange per stream.
export { HpackDecoder, type HpackResult } from './hpack.ts';
export { huffmanDecode } from './huffman.ts';
export { CLIENT_PREFACE, FRAME_TYPES, Http2Session, http2ErrorName, type Http2SessionOptions } from './session.ts';
export { looksLikeHttp2Frame, looksLikeHttp2Frames, sniffHttp2 } from './sniff.ts';
export { DEFAULT_HTTP2_LIMITS, type Http2Exchange, type Http2Limits, type Http2Message, type Http2Pseudo, type Http2SessionState, type Http2Stats } from './types.ts';
