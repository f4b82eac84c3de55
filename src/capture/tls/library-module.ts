// The one interface every TLS library module implements (ecapture's per-library modules, without the
// "not implemented" base class: every member is required). A module says which files are its candidates,
// which functions it needs, and how to read the library's version; the scanner does all the I/O.

import type { TlsLibrary } from '../../core/transaction.ts';
import type { DynamicInfo, ElfCache, ElfSymbol } from '../elf/index.ts';
import type { TlsTargetKind } from './tls-target.ts';

/** Where a module's binaries turn up: as a mapped shared library, or as a process's main executable. */
export type ModuleScope = 'shared-library' | 'executable';

/** What the scanner learned about one candidate file, handed to the module that may claim it. */
export interface BinaryFacts {
  /** Openable path of the file. */
  path: string;
  /** Defined functions found, for the union of every candidate module's symbol lists. */
  symbols: ReadonlyMap<string, ElfSymbol>;
  dynamic: DynamicInfo;
  /** An openable path for a library this one needs (the process's own mapping first, else a sibling file). */
  resolveLibrary(soname: string): string | undefined;
  elf: ElfCache;
}

export interface LibraryVersion {
  /** "3.0.19" */
  version: string;
  /** "OpenSSL 3.0.19 27 Jan 2026" */
  text: string;
}

export interface TlsLibraryModule {
  /** Unique registry name; also reported on each target. */
  readonly name: string;
  readonly kind: TlsTargetKind;
  readonly library: TlsLibrary;
  readonly scope: ModuleScope;
  /** Cheap test on a shared library's file name before any ELF is opened (not used for executables). */
  matchesFileName(baseName: string): boolean;
  /** All must be defined, or the file is skipped with "no X symbol". */
  readonly requiredSymbols: readonly string[];
  /** Reported (and probe-able) when defined. */
  readonly optionalSymbols: readonly string[];
  /** At least one must be defined for the file to be this module's (empty = no such test). */
  readonly markerSymbols: readonly string[];
  detectVersion(facts: BinaryFacts): LibraryVersion | undefined;
}
