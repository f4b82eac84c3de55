// Public surface of the stdout sink: Qtap http_capture records (JSON and text), the values they are built from
// (shared with the plugins so every output agrees), and the batching stdout writer.

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
export { formatText, printable } from './text-format.ts';
export { authorityOf, durationMs, firstHeader, headerObject, transactionTime } from './transaction-fields.ts';
export { createStreamWriter } from './stream-writer.ts';
export type { StreamWriter, StreamWriterCounters } from './stream-writer.ts';
export { createStdoutSink } from './sink.ts';
export type { StdoutFormat, StdoutSink, StdoutSinkCounters, StdoutSinkOptions } from './sink.ts';
