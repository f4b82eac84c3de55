// What the TLS scan produces: the files to attach uprobes to (targets) and why other candidates were passed over.

import type { TlsLibrary } from '../../core/transaction.ts';
import type { ProbePoint } from './go.ts';

/** libssl: a shared TLS library (OpenSSL, GnuTLS); static-openssl: an executable with OpenSSL linked in (node
 *  and others); go: a Go program (crypto/tls). */
export type TlsTargetKind = 'libssl' | 'static-openssl' | 'go';

/** How `path` reaches the file: directly, through the process's root (another mount namespace), or through
 *  /proc/PID/map_files (the file was deleted or replaced after the process mapped it). */
export type TargetPathVia = 'host' | 'proc-root' | 'map-files';

export interface TlsTarget {
  /** `${dev}:${ino}`: uprobes attach per inode, so this is the unit of attachment and deduplication. */
  key: string;
  /** A path the agent can open now (uprobe attach and ELF parsing use it). */
  path: string;
  /** The path as the process sees it (maps / exe link), for logs and `status`. */
  displayPath: string;
  pathVia: TargetPathVia;
  dev: number;
  ino: number;
  kind: TlsTargetKind;
  library: TlsLibrary;
  /** Name of the registry module that recognised the file ('openssl', 'node', 'static-openssl'). */
  module: string;
  /** "3.0.19", from the library's own version text when found. */
  version?: string;
  /** The full text, e.g. "OpenSSL 3.0.19 27 Jan 2026". */
  versionText?: string;
  /** Probe-able functions this file defines (required ones first), e.g. ['SSL_read', 'SSL_write', 'SSL_read_ex', …]. */
  symbols: string[];
  /** File offset of each function in `symbols`: what attaching by offset (or uprobe_multi) needs. */
  offsets: Record<string, number>;
  /** Probes placed by offset rather than by function name (Go: entries and every RET). */
  points?: ProbePoint[];
}

export const SKIP_CODES = {
  /** The file is the right kind of candidate but lacks a function we must probe. */
  missingSymbol: 'missing-symbol',
  /** Not an ELF64 file we can parse. */
  notElf: 'not-elf',
  /** It could not be opened (gone, permission). */
  unreadable: 'unreadable',
  /** An executable without any TLS library we know linked in (the common case: sleep, bash…). */
  noTls: 'no-tls',
  /** A TLS library we know, in a form we cannot probe (a Go version before the register ABI, another CPU). */
  unsupported: 'unsupported',
} as const;

export type SkipCode = (typeof SKIP_CODES)[keyof typeof SKIP_CODES];

export interface TlsSkip {
  displayPath: string;
  path: string;
  key?: string;
  code: SkipCode;
  /** Human-readable, e.g. "no SSL_read symbol". */
  reason: string;
  /** The registry module that came closest, when one did. */
  module?: string;
}

export type ScanFailure = 'gone' | 'denied' | 'failed';

export interface ScanError {
  code: 'CT_ERR_TLS_SCAN';
  /** gone: the process exited (normal); denied: /proc refused us; failed: anything else. */
  reason: ScanFailure;
  message: string;
}

export type ProcessScan =
  | { ok: true; pid: number; exe?: string; targets: TlsTarget[]; skips: TlsSkip[] }
  | { ok: false; pid: number; error: ScanError };

export interface SystemScan {
  /** Every distinct target found, deduplicated by key. */
  targets: TlsTarget[];
  /** target key → pids using it (for `status`). */
  pidsByTarget: Map<string, number[]>;
  /** Distinct skipped files (by key or path) with the pids that had them. */
  skips: Array<TlsSkip & { pids: number[] }>;
  /** Processes scanned, and how many could not be (exited meanwhile, denied). */
  processes: number;
  failed: { gone: number; denied: number; failed: number };
  durationMs: number;
}
