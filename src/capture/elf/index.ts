// Public surface of src/capture/elf: a minimal, bounded ELF64 reader (symbols, dependencies, version text).

export { ElfCache, identityKey, statIdentity, type ElfCacheCounters, type ElfCacheOptions } from './elf-cache.ts';
export { readDynamic, readNeeded, type DynamicInfo } from './elf-dynamic.ts';
export { closeElf, openElf, readAt, withElf } from './elf-file.ts';
export { isGoBinary, readGoBinary, type GoBinaryInfo, type GoFunction } from './go-binary.ts';
export { definesFunction, findSymbols, type ElfSymbol, type FindSymbolsOptions, type SymbolBinding } from './elf-symbols.ts';
export {
  ELF_ERROR_CODES,
  type ElfError,
  type ElfErrorCode,
  type ElfErrorReason,
  type ElfFile,
  type ElfResult,
  type ElfSection,
  type FileIdentity,
} from './elf-types.ts';
export { findVersionString, findVersionStringIn, type VersionStringOptions } from './elf-version-string.ts';
