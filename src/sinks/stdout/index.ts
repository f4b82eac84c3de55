// Public surface of the stdout sink: Qtap http_capture records (JSON and text) and the batching stdout writer.

export { CAPTURE_LEVELS, isCaptureLevel, normalizeLevel } from './level.ts';
export type { CaptureLevel, CaptureLevelInput } from './level.ts';
export { toQtapRecord, UNKNOWN_STATUS } from './qtap-record.ts';
export type {
  CleartapExtension,
  QtapHttpTransaction,
  QtapMetadata,
  QtapRequest,
  QtapResponse,
} from './qtap-record.ts';
export { formatText } from './text-format.ts';
export { createStdoutSink } from './sink.ts';
export type { StdoutFormat, StdoutSink, StdoutSinkCounters, StdoutSinkOptions } from './sink.ts';
