// The real host behind `cleartap doctor`'s probes: files under /proc and /sys, the addons, the TLS library
// scan the agent itself uses, and a load of the BPF programs that is undone before it returns.
import { accessSync, constants, existsSync, readFileSync, readlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, release } from 'node:os';
import { dirname } from 'node:path';
import { buildArtifactPath } from '../capture/build-artifacts.ts';
import { BpfCapture, DEFAULT_CAPTURE_OPTIONS, fakeAbsentTracepoints } from '../capture/bpf-capture.ts';
import { withElf } from '../capture/elf/index.ts';
import { ADDON_PATH, loadAddon } from '../capture/native.ts';
import { PACKET_ADDON_PATH } from '../capture/pcap/index.ts';
import { TlsScanner, type TlsTarget } from '../capture/tls/index.ts';
import { ConfigError, formatProblem, missingSecrets } from '../config/index.ts';
import { dataDir } from '../pipeline/configured-pipeline.ts';
import { loadEffectiveConfig } from './config-command.ts';
import { TRACEFS_DIRS, type Attempt, type BpfSelfTest, type ConfigCheck, type DoctorProbes, type TlsLibraryFound } from './doctor-checks.ts';

/** The BPF object the addon embeds, shipped beside it so that the doctor can read what it attaches to. */
const BPF_OBJECT_PATH = buildArtifactPath('cleartap.bpf.o');

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** Whether the agent could write there: the directory itself, or (not created yet) its nearest existing parent. */
function writableDir(dir: string): boolean {
  let at = dir;
  while (!existsSync(at) && at !== dirname(at)) at = dirname(at);
  try {
    accessSync(at, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function sameMountNamespace(): boolean {
  try {
    return readlinkSync('/proc/self/ns/mnt') === readlinkSync('/proc/1/ns/mnt');
  } catch {
    return true; // cannot tell (no access to pid 1): look at our own root only
  }
}

function summary(t: TlsTarget, shownPath = t.path): TlsLibraryFound {
  return { path: shownPath, library: t.library, kind: t.kind, ...(t.version !== undefined && { version: t.version }) };
}

/**
 * TLS binaries at the well-known paths, as the agent finds them at start. In a container that shares the
 * host's pid namespace (--pid=host, hostPID), the host's files are under /proc/1/root: those are the ones
 * that matter, so they are listed too.
 */
function tlsLibraries(): TlsLibraryFound[] {
  const scanner = new TlsScanner();
  const found = scanner.scanWellKnown().targets.map((t) => summary(t));
  if (!sameMountNamespace()) found.push(...scanner.scanWellKnown({ root: '/proc/1/root' }).targets.map((t) => summary(t)));
  return found;
}

function addon(kind: 'bpf' | 'packet'): Attempt {
  try {
    if (kind === 'bpf') {
      loadAddon();
      return { ok: true, value: ADDON_PATH };
    }
    if (!existsSync(PACKET_ADDON_PATH)) return { ok: false, error: `missing at ${PACKET_ADDON_PATH}` };
    createRequire(import.meta.url)(PACKET_ADDON_PATH);
    return { ok: true, value: PACKET_ADDON_PATH };
  } catch (err) {
    return { ok: false, error: message(err) };
  }
}

function bpfSections(): string[] | undefined {
  if (!existsSync(BPF_OBJECT_PATH)) return undefined;
  const res = withElf(BPF_OBJECT_PATH, (elf) => ({ ok: true, value: elf.sections.map((s) => s.name) }));
  return res.ok ? res.value : undefined;
}

function bpfSelfTest(tls: TlsLibraryFound | undefined, tracepoints: number | undefined): Attempt<BpfSelfTest> {
  const noop = () => {};
  let capture: BpfCapture | undefined;
  try {
    capture = new BpfCapture({ onData: noop, onConn: noop, onClose: noop, onBind: noop, onExec: noop, onExit: noop });
    // A small ring: the test loads and attaches, it does not capture.
    capture.open({ ...DEFAULT_CAPTURE_OPTIONS, ringBytes: 1 << 20, wakeupBytes: 64 << 10 });
    const skipped = capture.skippedTracepoints.map((t) => t.tracepoint);
    const result: BpfSelfTest = tracepoints === undefined ? {} : { tracepoints: tracepoints - skipped.length };
    if (skipped.length) result.tracepointsSkipped = skipped;
    if (tls) {
      const target = new TlsScanner().scanWellKnown({ libDirs: [dirname(tls.path)], executables: [tls.path] }).targets.find((t) => t.path === tls.path);
      if (target) {
        const a = capture.attachTls({ path: target.path, library: target.library, functions: target.symbols, offsets: target.offsets, ...(target.points ? { points: target.points } : {}) });
        result.uprobe = { path: target.path, attached: a.attached, failed: a.failed.map((f) => `${f.func}: ${f.error}`) };
      }
    }
    return { ok: true, value: result };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ok: false, error: `${message(err)}${typeof code === 'string' ? ` [${code}]` : ''}` };
  } finally {
    capture?.close();
  }
}

function config(env: NodeJS.ProcessEnv, file: string | undefined): Attempt<ConfigCheck> {
  try {
    const loaded = loadEffectiveConfig(file, undefined, undefined, { env });
    return {
      ok: true,
      value: { source: loaded.source, errors: [], warnings: loaded.warnings.map(formatProblem), missingSecrets: missingSecrets(loaded.config.services, env) },
    };
  } catch (err) {
    if (err instanceof ConfigError) {
      const source = err.problems[0]?.file ?? file ?? 'config';
      return {
        ok: true,
        value: {
          source,
          errors: err.problems.filter((p) => p.severity === 'error').map(formatProblem),
          warnings: err.problems.filter((p) => p.severity === 'warning').map(formatProblem),
          missingSecrets: [],
        },
      };
    }
    return { ok: false, error: message(err) };
  }
}

/** This host, as the agent would see it. `configFile` is --config (else the usual lookup). */
export function hostProbes(env: NodeJS.ProcessEnv = process.env, configFile?: string): DoctorProbes {
  const sections = bpfSections();
  // The tracepoints a test makes the capture treat as missing are missing from tracefs for the checks too.
  const absent = new Set(fakeAbsentTracepoints(env).flatMap((tp) => TRACEFS_DIRS.map((d) => `${d}/events/${tp}`)));
  return {
    platform: platform(),
    arch: arch(),
    kernelRelease: release(),
    nodeVersion: process.versions.node,
    euid: process.geteuid?.() ?? -1,
    readText,
    exists: (path) => !absent.has(path) && existsSync(path),
    writableDir,
    dataDir: dataDir(env),
    addon,
    bpfSections: () => sections,
    tlsLibraries,
    bpfSelfTest: (tls) => bpfSelfTest(tls, sections?.filter((s) => s.startsWith('tracepoint/') || s.startsWith('tp_btf/')).length),
    config: () => config(env, configFile),
  };
}
