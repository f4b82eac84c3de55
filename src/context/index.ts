// Public surface of src/context: pid → process and container context. Other folders import only from here.

export { containerFromCgroup, type CgroupContainer, type ContainerRuntime } from './cgroup-container.ts';
export {
  CONTAINER_RESOLVER_DEFAULTS,
  ContainerResolver,
  containerFacts,
  runtimeFromCgroupPath,
  type ContainerResolverCounters,
  type ContainerResolverOptions,
  type ContainerSourceError,
} from './container-resolver.ts';
export type { ContainerMetadata, ContainerMetadataSource, PodInfo } from './container-metadata.ts';
export { CONTAINER_SOURCE_DEFAULTS, type ContainerSourceOptions } from './container-sources.ts';
export { hostUserNames, parsePasswd, PasswdUserNames, type UserNameLookup } from './passwd-users.ts';
export { readExe, readProcessContext, type ProcessDetails, type ReadContextOptions } from './process-context.ts';
export {
  PROCESS_TABLE_DEFAULTS,
  ProcessTable,
  type ExecInfo,
  type ProcessTableCounters,
  type ProcessTableOptions,
  type SweepResult,
} from './process-table.ts';
