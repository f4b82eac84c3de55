// Public surface of the plugin runtime: the plugin contract (for users and the pipeline), stacks, masking, the
// store interfaces with their stdout implementations, and the built-ins.

export { definePlugin } from './plugin.ts';
export type {
  CompileRule,
  ConnectionDirection,
  Plugin,
  PluginInstance,
  PluginMetrics,
  PluginServices,
  PluginView,
  RuleOutcome,
  RulePredicate,
  TransactionView,
} from './plugin.ts';
export { loadStack } from './stack.ts';
export type { PluginSpec, Stack, StackOptions } from './stack.ts';
export { BUILTIN_PLUGINS, UNSUPPORTED_QTAP_PLUGINS } from './builtins.ts';
export type { PluginRegistry } from './builtins.ts';
export { createRedactor, DEFAULT_MASKED_HEADERS, MASK } from './redaction.ts';
export type { RedactionConfig, Redactor } from './redaction.ts';
export { createArtifact } from './object-store.ts';
export type { Artifact, ArtifactMeta, ArtifactType, ObjectStore } from './object-store.ts';
export type { ArtifactRecordEvent, DnsEvent, EventMeta, EventStore, IssueEvent, RequestEvent, StoreEvent } from './event-store.ts';
export { createStdoutObjectStore } from './stdout-object-store.ts';
export type { StdoutObjectStore, StdoutObjectStoreCounters, StdoutObjectStoreOptions } from './stdout-object-store.ts';
export { createStdoutEventStore } from './stdout-event-store.ts';
export type { StdoutEventStore } from './stdout-event-store.ts';
