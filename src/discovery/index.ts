// Public surface of API discovery: the incremental model fed by Transactions, OpenAPI 3.1 documents and the
// inventory index built from its snapshots, drift against a given spec, and the offline input readers.

export { DiscoveryModel } from './discovery-model.ts';
export { originOf } from './request-parts.ts';
export type {
  DiscoveryCounters,
  DiscoveryOptions,
  DiscoverySnapshot,
  EndpointSnapshot,
  PathParamSnapshot,
  ServerSnapshot,
} from './discovery-model.ts';
export { hintMatchesServer, parseHint } from './hints.ts';
export type { PathHint } from './hints.ts';
export { openApiDocument, renderDocument, serverFileStem } from './openapi-document.ts';
export type { DocumentFormat, DocumentOptions } from './openapi-document.ts';
export type { OpenApiObject } from './operation-writer.ts';
export { formatInventory, inventoryIndex } from './inventory.ts';
export type { InventoryEndpoint, InventoryIndex, InventoryServer } from './inventory.ts';
export { loadSpec, parseSpec } from './spec-loader.ts';
export type { LoadedSpec, SpecDocument } from './spec-loader.ts';
export { compilePath, matchScore, serverBasePaths, specOperations, specPathHints, templateSegments } from './spec-operations.ts';
export type { SpecContent, SpecOperation, SpecParameter } from './spec-operations.ts';
export { deref, schemaFields, typeAllowed } from './spec-schema.ts';
export type { FieldTypes, Json } from './spec-schema.ts';
export { driftReport } from './drift.ts';
export type { DriftReport } from './drift.ts';
export { formatDrift } from './drift-format.ts';
export { harEntryToTransaction, readHar } from './har-input.ts';
export { qtapRecordToTransaction, readQtapJsonl } from './qtap-jsonl-input.ts';
export { inputKindOf } from './input-kind.ts';
export type { InputKind } from './input-kind.ts';
export { countInvalid, newInputCounters } from './input-reader.ts';
export type { InputCounters, TransactionReader } from './input-reader.ts';
export { SENSITIVE_TAGS } from './sensitive-tags.ts';
export type { SensitiveTag } from './sensitive-tags.ts';
