// Public surface of tap/: the `tap` section's decisions — which processes are ignored (filters),
// which transactions pass (direction, loopback) and which stack handles them (endpoints).
export { FILTER_GROUP_NAMES, FILTER_GROUPS } from './filter-groups.ts';
export type { ExeStrategy, FilterGroup } from './filter-groups.ts';
export { dropsTransaction, kernelSkipBits, ProcessFilter, SKIP_NOTHING } from './process-filter.ts';
export type { CustomFilter, FilterSettings, ProcessSkip, SkipKind } from './process-filter.ts';
export { EndpointRouter } from './endpoint-router.ts';
export type { EndpointRoute, StackChoice } from './endpoint-router.ts';
export { TAP_DIRECTIONS, TrafficFilter } from './traffic-filter.ts';
export type { TapDirection, TrafficSettings, TrafficVerdict } from './traffic-filter.ts';
