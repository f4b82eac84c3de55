// The eBPF capture source: preflight → open/load → attach tracepoints → attach TLS uprobes per
// binary → stream ring-buffer batches to a handler → detach everything on close (libbpf's
// straight-line lifecycle, in reverse on the way out).
import { release as osRelease } from 'node:os';
import type { TlsLibrary } from '../core/transaction.ts';
import { CleartapError, errorCode } from '../core/errors.ts';
import { BatchDecoder, type CaptureHandler, type DecodeStats } from './decode.ts';
import { loadAddon, type NativeAddon, type NativeHandle } from './native.ts';
import { preflight } from './preflight.ts';
import { TLS_PROBES } from './probes.ts';
import type { ProbePoint } from './tls/go.ts';
import * as W from './wire.ts';

export interface CaptureOptions {
  /** Payload bytes per ring-buffer record (≤ 16 KiB). */
  maxChunk: number;
  /** Records per call before the rest of the call becomes a counted gap. */
  maxChunks: number;
  ringBytes: number;
  wakeupBytes: number;
  /** Capture payloads of plaintext (non-TLS) sockets too. */
  plaintextSockets: boolean;
}

export const DEFAULT_CAPTURE_OPTIONS: CaptureOptions = {
  maxChunk: 16384,
  maxChunks: 8,
  // Mapped twice by the kernel (for wrap-around reads): 16 MiB of ring costs 32 MiB of RSS.
  ringBytes: 16 << 20,
  wakeupBytes: 256 << 10,
  plaintextSockets: true,
};

/** A binary (library or executable) whose exported OpenSSL functions get uprobes. */
export interface TlsBinary {
  /** A path the agent can open (for other mount namespaces: /proc/PID/root/...). */
  path: string;
  library: TlsLibrary;
  /** The probe-able functions it exports. */
  functions: readonly string[];
  /** File offset of each function (what an uprobe_multi link needs). */
  offsets?: Readonly<Record<string, number>>;
  /** Probes placed by file offset instead (Go: each function's entry and RETs). */
  points?: readonly ProbePoint[];
}

export interface AttachedBinary extends TlsBinary {
  cookie: number;
  attached: string[];
  failed: Array<{ func: string; error: string }>;
}

export interface KernelCounters {
  ringbufFull: number;
  callsTruncated: number;
  truncatedBytes: number;
  payloadReadFailed: number;
  returnWithoutEntry: number;
  tlsSocketsBound: number;
  socketsTracked: number;
  records: number;
  /** DNS messages beyond the first two of one sendmmsg/recvmmsg call. */
  dnsMessagesSkipped: number;
  batchesDropped: number;
}

/** A tracepoint the BPF object has a program for that this kernel lacks: the program is left unattached. */
export interface SkippedTracepoint {
  /** category/name, e.g. syscalls/sys_enter_recvfrom. */
  tracepoint: string;
  prog: string;
  reason: string;
}

/**
 * Tracepoints to treat as missing from the kernel, for tests of that path: CLEARTAP_FAKE_ABSENT_TRACEPOINTS
 * (comma-separated category/name). Every syscall tracepoint the programs use exists on x86_64 and on arm64
 * (whose generic syscall table has no open, send, recv or poll, which the programs do not use), so without
 * this a kernel built without one (or a future one) would be the only way to get there.
 */
export function fakeAbsentTracepoints(env = process.env): string[] {
  return (env.CLEARTAP_FAKE_ABSENT_TRACEPOINTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** What a missing tracepoint costs, for logs, `cleartap status` and the doctor. */
export function missingTracepointReason(tracepoint: string): string {
  const call = /^syscalls\/sys_(enter|exit)_(\w+)$/.exec(tracepoint);
  const what = call ? `${call[2]}() ${call[1] === 'enter' ? 'calls' : 'results'} are not seen` : 'its events are not seen';
  return `not in this kernel (no events/${tracepoint} in tracefs): skipped, ${what}`;
}

/** uprobe_multi links arrived in Linux 6.6. */
export function uprobeMultiSupported(release = osRelease(), env = process.env): boolean {
  if (env.CLEARTAP_UPROBE_MULTI === '0') return false;
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m !== null && (Number(m[1]) > 6 || (Number(m[1]) === 6 && Number(m[2]) >= 6));
}

export class BpfCapture {
  private readonly addon: NativeAddon;
  private handle: NativeHandle | undefined;
  private readonly decoder: BatchDecoder;
  private readonly binaries: AttachedBinary[] = [];
  private started = false;
  private skipped: SkippedTracepoint[] = [];
  private readonly afterBatch: () => void;
  /** Uprobes go in uprobe_multi links (Linux 6.6+; CLEARTAP_UPROBE_MULTI=0 turns it off). */
  readonly uprobeMulti = uprobeMultiSupported();

  /** `afterBatch` runs once per ring-buffer batch, after all its records reached the handler. */
  constructor(handler: CaptureHandler, afterBatch: () => void = () => {}) {
    this.addon = loadAddon();
    this.decoder = new BatchDecoder(handler);
    this.afterBatch = afterBatch;
  }

  get decodeStats(): DecodeStats {
    return this.decoder.stats;
  }

  /** Tracepoints left unattached at open because this kernel does not have them. */
  get skippedTracepoints(): readonly SkippedTracepoint[] {
    return this.skipped;
  }

  get attachedBinaries(): readonly AttachedBinary[] {
    return this.binaries;
  }

  open(opts: CaptureOptions = DEFAULT_CAPTURE_OPTIONS): void {
    preflight();
    if (opts.maxChunk < 64 || opts.maxChunk > W.CT_MAX_CHUNK) {
      throw new CleartapError('CT_ERR_USAGE', `the payload chunk size must be between 64 and ${W.CT_MAX_CHUNK} bytes, not ${opts.maxChunk}`);
    }
    if (opts.ringBytes & (opts.ringBytes - 1)) {
      throw new CleartapError('CT_ERR_USAGE', `the ring buffer size must be a power of two, not ${opts.ringBytes}`);
    }
    try {
      this.handle = this.addon.open({
        selfTgid: process.pid,
        maxChunk: opts.maxChunk,
        maxChunks: Math.min(Math.max(opts.maxChunks, 1), W.CT_MAX_CHUNKS_PER_CALL),
        ringBytes: opts.ringBytes,
        wakeupBytes: opts.wakeupBytes,
        plaintextSockets: opts.plaintextSockets ? 1 : 0,
        uprobeMulti: this.uprobeMulti ? 1 : 0,
      });
      this.skipped = this.addon
        .attachTracepoints(this.handle, fakeAbsentTracepoints())
        .map((t) => ({ tracepoint: t.tracepoint, prog: t.prog, reason: missingTracepointReason(t.tracepoint) }));
    } catch (err) {
      this.close();
      throw nativeError(err, 'loading the eBPF programs failed');
    }
  }

  /** Changes how much of each call the kernel copies, while running (a config reload that adds or
   * removes body capture). Same bounds as at open. */
  setCallLimits(maxChunk: number, maxChunks: number): void {
    if (!this.handle) return;
    const chunk = Math.min(Math.max(maxChunk, 64), W.CT_MAX_CHUNK);
    this.addon.setCallLimits(this.handle, chunk, Math.min(Math.max(maxChunks, 1), W.CT_MAX_CHUNKS_PER_CALL));
  }

  /** Attaches the TLS probes to one binary. Functions it lacks are skipped, not errors. */
  attachTls(binary: TlsBinary): AttachedBinary {
    const handle = this.requireHandle();
    const cookie = this.binaries.length + 1;
    const result: AttachedBinary = { ...binary, cookie, attached: [], failed: [] };
    const probes = TLS_PROBES.filter((p) => binary.functions.includes(p.func)).map((p) => ({
      prog: p.prog,
      ret: p.retprobe,
      label: `${p.func}${p.retprobe ? ' (return)' : ''}`,
      func: p.func,
      fileOffset: binary.offsets?.[p.func],
    }));
    for (const point of binary.points ?? []) probes.push({ prog: point.prog, ret: false, label: point.label, func: '', fileOffset: point.fileOffset });
    if (this.uprobeMulti) {
      // One link per program: detaching pays one grace period for all its places, not one each.
      const byProg = new Map<string, typeof probes>();
      for (const p of probes) {
        if (p.fileOffset === undefined) {
          result.failed.push({ func: p.label, error: 'its file offset is unknown' });
          continue;
        }
        const key = `${p.prog}:${p.ret}`;
        byProg.set(key, [...(byProg.get(key) ?? []), p]);
      }
      for (const group of byProg.values()) {
        const { prog, ret } = group[0];
        try {
          this.addon.attachUprobeMulti(handle, prog, binary.path, group.map((p) => p.fileOffset!), ret, cookie);
          result.attached.push(...group.map((p) => p.label));
        } catch (err) {
          const error = (err as Error).message.split('\n')[0];
          result.failed.push(...group.map((p) => ({ func: p.label, error })));
        }
      }
    } else {
      for (const p of probes) {
        try {
          this.addon.attachUprobe(handle, p.prog, binary.path, p.func, p.ret, -1, cookie, p.fileOffset ?? 0);
          result.attached.push(p.label);
        } catch (err) {
          result.failed.push({ func: p.label, error: (err as Error).message.split('\n')[0] });
        }
      }
    }
    this.binaries.push(result);
    return result;
  }

  /** The binary a TLS record came from (its attach cookie). */
  binaryForCookie(cookie: number): AttachedBinary | undefined {
    return this.binaries[cookie - 1];
  }

  start(): void {
    const handle = this.requireHandle();
    this.addon.start(handle, (batch) => {
      this.decoder.decode(batch);
      this.afterBatch();
    });
    this.started = true;
  }

  /** Deletes the kernel's entry for a socket of a process that exited (or exec'd) without closing it,
   * unless the fd already names a newer socket. */
  forgetSocket(pid: number, fd: number, connId: number): void {
    if (this.handle) this.addon.forgetConn(this.handle, pid, fd, connId);
  }

  /** Tells the kernel what to leave out for an ignored process (CT_SKIP_* bits; 0 = trace it again). */
  setProcessSkip(pid: number, bits: number): void {
    if (this.handle) this.addon.setProcessSkip(this.handle, pid, bits);
  }

  monotonicNs(): number {
    return this.addon.monotonicNs();
  }

  counters(): KernelCounters {
    const c = this.handle ? this.addon.counters(this.handle) : new Float64Array(W.CT_CNT_MAX + 1);
    return {
      ringbufFull: c[W.CT_CNT_RB_FAIL],
      callsTruncated: c[W.CT_CNT_CALL_TRUNCATED],
      truncatedBytes: c[W.CT_CNT_TRUNC_BYTES],
      payloadReadFailed: c[W.CT_CNT_READ_FAIL],
      returnWithoutEntry: c[W.CT_CNT_STASH_MISS],
      tlsSocketsBound: c[W.CT_CNT_TLS_BIND],
      socketsTracked: c[W.CT_CNT_CONN_TRACKED],
      records: c[W.CT_CNT_EVENTS],
      dnsMessagesSkipped: c[W.CT_CNT_MMSG_SKIPPED],
      batchesDropped: c[W.CT_CNT_MAX],
    };
  }

  /** Stops the ring-buffer thread after draining it; batches already queued still arrive. */
  stop(): void {
    if (this.handle && this.started) this.addon.stop(this.handle);
    this.started = false;
  }

  /** Detaches every probe and unloads the programs. */
  close(): void {
    if (!this.handle) return;
    this.addon.close(this.handle);
    this.handle = undefined;
    this.started = false;
  }

  private requireHandle(): NativeHandle {
    if (!this.handle) throw new CleartapError('CT_ERR_USAGE', 'the capture is not open');
    return this.handle;
  }
}

function nativeError(err: unknown, what: string): CleartapError {
  if (err instanceof CleartapError) return err;
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const known = code === 'CT_ERR_BPF_LOAD' || code === 'CT_ERR_BPF_OPEN' || code === 'CT_ERR_ATTACH' ? code : 'CT_ERR_NATIVE';
  const hint =
    /Operation not permitted/.test(message)
      ? 'the kernel refused: check root/capabilities, lockdown (only "integrity" allows BPF tracing), and that no program type is unsupported here'
      : undefined;
  return new CleartapError(known, `${what}: ${message}`, hint, { cause: err });
}
