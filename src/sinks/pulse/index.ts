// Public surface of the pulse event store: events to a `cleartap serve` gateway.
export { batchIdOf, createPulseBackend } from './pulse-backend.ts';
export type { PulseBackend, PulseCounters } from './pulse-backend.ts';
export { readPulseSettings } from './pulse-config.ts';
export type { PulseSettings } from './pulse-config.ts';
