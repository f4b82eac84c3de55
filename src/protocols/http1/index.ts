// Public surface of the HTTP/1.x parser: other folders import from here only.
export { sniffHttp1 } from './sniff.ts';
export { parseRequestHead } from './request-head.ts';
export { parseResponseHead } from './response-head.ts';
export { Http1Session } from './session.ts';
export { DEFAULT_HTTP1_LIMITS } from './types.ts';
export type {
  HeadLimits, Http1Exchange, Http1Limits, Http1Message, Http1SessionState, Http1Stats, HttpVersion, RequestHead,
  ResponseHead,
} from './types.ts';
