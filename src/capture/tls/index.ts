// Public surface of src/capture/tls: which binaries get TLS uprobes (ecapture-style per-library registry).
// The free functions share one scanner (and so one ELF cache) per agent; build a TlsScanner for anything else.

export type { BinaryFacts, LibraryVersion, ModuleScope, TlsLibraryModule } from './library-module.ts';
export { builtinRegistry, TlsLibraryRegistry, type RegisterResult } from './library-registry.ts';
export { gnutlsModule } from './gnutls.ts';
export { nodeModule } from './node.ts';
export { OPENSSL_OPTIONAL_SYMBOLS, OPENSSL_REQUIRED_SYMBOLS, OPENSSL_VERSION_TEXT, versionFromText } from './openssl-family.ts';
export { opensslModule } from './openssl.ts';
export { devFromMajorMinor, parseMaps, type MappedFile } from './proc-maps.ts';
export { staticOpensslModule } from './static-openssl.ts';
export { TlsScanner, type ScanAllOptions, type TlsScannerOptions } from './target-scanner.ts';
export {
  SKIP_CODES,
  type ProcessScan,
  type ScanError,
  type ScanFailure,
  type SkipCode,
  type SystemScan,
  type TargetPathVia,
  type TlsSkip,
  type TlsTarget,
  type TlsTargetKind,
} from './tls-target.ts';
export { defaultExecutables, defaultLibDirs, type WellKnownOptions } from './well-known-paths.ts';

import { TlsScanner, type ScanAllOptions } from './target-scanner.ts';
import type { ProcessScan, SystemScan, TlsTarget } from './tls-target.ts';
import type { WellKnownOptions } from './well-known-paths.ts';

let shared: TlsScanner | undefined;

function scannerFor(procRoot: string | undefined): TlsScanner {
  shared ??= new TlsScanner();
  if (procRoot === undefined || procRoot === shared.procRoot) return shared;
  return new TlsScanner({ procRoot, elf: shared.elf, registry: shared.registry });
}

/** TLS targets in one process (mapped libssl, node or another executable with OpenSSL linked in). */
export function scanProcess(pid: number, procRoot?: string): ProcessScan {
  return scannerFor(procRoot).scanProcess(pid);
}

/** Every process, deduplicated by (dev, ino), with the pids that use each target. */
export function scanAllProcesses(options: ScanAllOptions & { procRoot?: string } = {}): SystemScan {
  return scannerFor(options.procRoot).scanAllProcesses(options);
}

/** libssl.so.* in the standard lib dirs, node binaries and this agent's own node, used or not. */
export function wellKnownTargets(options: WellKnownOptions = {}): TlsTarget[] {
  return scannerFor(undefined).scanWellKnown(options).targets;
}
