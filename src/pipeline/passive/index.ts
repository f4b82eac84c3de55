// Public surface of passive mode (the NTA-compatible tap): its settings and its sources of transactions.
export { CaptureFileSource } from './capture-file-source.ts';
export type { CaptureFileSourceOptions, CaptureFileStatus } from './capture-file-source.ts';
export { LiveCapture } from './live-capture.ts';
export type { LiveCaptureOptions, LiveCaptureStatus } from './live-capture.ts';
export { NTA_SETTINGS, resolvePassiveOptions } from './nta-options.ts';
export type { NtaSetting, PassiveOptionInputs, PassiveOptions } from './nta-options.ts';
export type { PassiveStageOptions, PassiveStageStatus } from './passive-stages.ts';
export type { FilterCounters } from './transaction-filter.ts';
