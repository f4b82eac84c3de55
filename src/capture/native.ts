// The native addon (native/cleartap.c), loaded once. Everything that touches libbpf goes through here.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { CleartapError } from '../core/errors.ts';
import { buildArtifactPath } from './build-artifacts.ts';

export interface OpenOptions {
  selfTgid: number;
  maxChunk: number;
  maxChunks: number;
  ringBytes: number;
  wakeupBytes: number;
  plaintextSockets: boolean;
  /** Programs not to load (e.g. ones this kernel refuses). */
  disable?: string[];
  /** Load the uprobe programs for uprobe_multi links (Linux 6.6+): then only attachUprobeMulti attaches them. */
  uprobeMulti?: boolean;
}

/** An opaque handle to one loaded BPF object. */
export type NativeHandle = { readonly __brand: 'cleartap-native' };

export interface NativeAddon {
  open(opts: Omit<OpenOptions, 'plaintextSockets' | 'uprobeMulti'> & { plaintextSockets: number; uprobeMulti: number }): NativeHandle;
  /** Attaches every tracepoint program; those whose tracepoint this kernel lacks come back, not attached.
   * `fakeAbsent` (tests): tracepoints to attach under a name no kernel has. */
  attachTracepoints(h: NativeHandle, fakeAbsent: string[]): Array<{ prog: string; tracepoint: string; errno: number }>;
  /** With func '' the probe goes at fileOffset (an instruction inside a function). */
  attachUprobe(h: NativeHandle, prog: string, path: string, func: string, ret: boolean, pid: number, cookie: number, fileOffset: number): number;
  /** One uprobe_multi link: `prog` at every file offset, each with `cookie`. */
  attachUprobeMulti(h: NativeHandle, prog: string, path: string, fileOffsets: number[], ret: boolean, cookie: number): number;
  detach(h: NativeHandle, linkId: number): void;
  start(h: NativeHandle, onBatch: (batch: ArrayBuffer, records: number) => void): void;
  stop(h: NativeHandle): void;
  close(h: NativeHandle): void;
  counters(h: NativeHandle): Float64Array;
  forgetConn(h: NativeHandle, pid: number, fd: number, connId: number): void;
  /** CT_SKIP_* bits for an ignored process; 0 forgets it. */
  setProcessSkip(h: NativeHandle, pid: number, bits: number): void;
  /** How much of each call is copied from now on (takes effect without reloading). */
  setCallLimits(h: NativeHandle, maxChunk: number, maxChunks: number): void;
  monotonicNs(): number;
}

export const ADDON_PATH = buildArtifactPath('cleartap.node');

let addon: NativeAddon | undefined;

export function loadAddon(): NativeAddon {
  if (addon) return addon;
  if (!existsSync(ADDON_PATH)) {
    throw new CleartapError('CT_ERR_NOT_BUILT', `the native addon is missing at ${ADDON_PATH}`, 'run `make build` (or `make run`) first');
  }
  addon = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
  return addon;
}
