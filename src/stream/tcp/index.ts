// Public surface of TCP reassembly (passive capture): one direction at a time, counters and limits.
export { HalfStream } from './half-stream.ts';
export type { HalfStreamSink } from './half-stream.ts';
export { DEFAULT_REASSEMBLY_LIMITS, newReassemblyCounters } from './reassembly-counters.ts';
export type { QueueBudget, ReassemblyCounters, ReassemblyLimits } from './reassembly-counters.ts';
