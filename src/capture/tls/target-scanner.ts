// Finding TLS targets: in one process's mappings, in every process at start-up, and at well-known paths.
// The scanner does the I/O and the bookkeeping; which file is which library is the registry modules' call.

import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ElfCache, type DynamicInfo } from '../elf/index.ts';
import { goTlsProbes } from './go.ts';
import type { BinaryFacts, ModuleScope, TlsLibraryModule } from './library-module.ts';
import { builtinRegistry, type TlsLibraryRegistry } from './library-registry.ts';
import { parseMaps, type MappedFile } from './proc-maps.ts';
import { readProcFile, readProcLink } from './proc-read.ts';
import { SKIP_CODES, type ProcessScan, type SystemScan, type TargetPathVia, type TlsSkip, type TlsTarget } from './tls-target.ts';
import { defaultExecutables, defaultLibDirs, type WellKnownOptions } from './well-known-paths.ts';

export interface TlsScannerOptions {
  registry?: TlsLibraryRegistry;
  elf?: ElfCache;
  procRoot?: string;
}

export interface ScanAllOptions {
  /** Pids not to scan (the agent's own, when asked). */
  excludePid?: number | readonly number[];
}

interface Candidate {
  path: string;
  displayPath: string;
  pathVia: TargetPathVia;
  dev: number;
  ino: number;
  resolveLibrary(soname: string): string | undefined;
}

type Verdict = { target: TlsTarget } | { skip: TlsSkip };

/** Per-scan memo: one verdict per (scope, file), however many processes map the file. */
type ScanMemo = Map<string, Verdict | undefined>;

const DELETED = ' (deleted)';

function keyOf(dev: number, ino: number): string {
  return `${dev}:${ino}`;
}

function plural(names: readonly string[]): string {
  return names.length === 1 ? `no ${names[0]} symbol` : `no ${names.join(', ')} symbols`;
}

function statFile(path: string): { dev: number; ino: number } | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? { dev: st.dev, ino: st.ino } : undefined;
  } catch {
    return undefined;
  }
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export class TlsScanner {
  readonly registry: TlsLibraryRegistry;
  readonly elf: ElfCache;
  readonly procRoot: string;
  #selfMntNs: string | undefined;

  constructor(options: TlsScannerOptions = {}) {
    this.registry = options.registry ?? builtinRegistry();
    this.elf = options.elf ?? new ElfCache();
    this.procRoot = options.procRoot ?? '/proc';
  }

  /** TLS targets in one process: mapped libssl files and an executable with OpenSSL linked in. */
  scanProcess(pid: number): ProcessScan {
    return this.#scanProcess(pid, new Map());
  }

  #scanProcess(pid: number, memo: ScanMemo): ProcessScan {
    const base = `${this.procRoot}/${pid}`;
    const maps = readProcFile(`${base}/maps`);
    if (!maps.ok) {
      return { ok: false, pid, error: { code: 'CT_ERR_TLS_SCAN', reason: maps.failure, message: `${base}/maps: ${maps.errno}` } };
    }
    const files = parseMaps(maps.value);
    const exeLink = readProcLink(`${base}/exe`);
    // Kernel threads have no exe (ENOENT) and empty maps; PID 1 here refuses readlink (EACCES). Neither is fatal.
    const exe = exeLink.ok ? (exeLink.value.endsWith(DELETED) ? exeLink.value.slice(0, -DELETED.length) : exeLink.value) : undefined;
    const sameNs = this.#sameMountNamespace(pid);
    const targets: TlsTarget[] = [];
    const skips: TlsSkip[] = [];
    const record = (v: Verdict | undefined): void => {
      if (v === undefined) return;
      if ('target' in v) {
        if (!targets.some((t) => t.key === v.target.key)) targets.push(v.target);
      } else skips.push(v.skip);
    };
    const resolveLibrary = (from: Candidate) => (soname: string): string | undefined => {
      const mapped = files.find((f) => basename(f.path) === soname);
      if (mapped !== undefined) return this.#openable(pid, mapped, sameNs)?.path;
      const sibling = `${dirname(from.path)}/${soname}`;
      return exists(sibling) ? sibling : undefined;
    };
    const candidateOf = (f: MappedFile): Candidate | undefined => {
      const where = this.#openable(pid, f, sameNs);
      if (where === undefined) return undefined;
      const c: Candidate = { ...where, displayPath: f.path, resolveLibrary: () => undefined };
      c.resolveLibrary = resolveLibrary(c);
      return c;
    };

    let exeSeen = false;
    for (const f of files) {
      if (!f.executable) continue;
      const isExe = exe !== undefined && f.path === exe;
      exeSeen ||= isExe;
      const scope: ModuleScope = isExe ? 'executable' : 'shared-library';
      if (!isExe && this.registry.candidatesFor('shared-library', basename(f.path)).length === 0) continue;
      const memoKey = `${scope}:${keyOf(f.dev, f.ino)}`;
      let verdict = memo.get(memoKey);
      if (verdict === undefined && !memo.has(memoKey)) {
        const c = candidateOf(f);
        verdict = c === undefined ? undefined : this.#examine(c, scope);
        memo.set(memoKey, verdict);
      }
      record(verdict);
    }
    if (exe !== undefined && !exeSeen) record(this.#examineUnmappedExe(pid, exe, sameNs));
    const result: ProcessScan = { ok: true, pid, targets, skips };
    if (exe !== undefined) result.exe = exe;
    return result;
  }

  /** Every process at start-up, deduplicated by file, with which pids use each target. */
  scanAllProcesses(options: ScanAllOptions = {}): SystemScan {
    const started = performance.now();
    const excluded = new Set(typeof options.excludePid === 'number' ? [options.excludePid] : (options.excludePid ?? []));
    let names: string[] = [];
    try {
      names = readdirSync(this.procRoot);
    } catch {
      // No /proc at all: an empty scan, reported as such by the zero process count.
    }
    const memo: ScanMemo = new Map();
    const targets = new Map<string, TlsTarget>();
    const pidsByTarget = new Map<string, number[]>();
    const skips = new Map<string, TlsSkip & { pids: number[] }>();
    const failed = { gone: 0, denied: 0, failed: 0 };
    let processes = 0;
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      if (excluded.has(pid)) continue;
      processes++;
      const scan = this.#scanProcess(pid, memo);
      if (!scan.ok) {
        failed[scan.error.reason]++;
        continue;
      }
      for (const t of scan.targets) {
        const known = targets.get(t.key);
        if (known === undefined || (known.pathVia !== 'host' && t.pathVia === 'host')) targets.set(t.key, t);
        const pids = pidsByTarget.get(t.key);
        if (pids === undefined) pidsByTarget.set(t.key, [pid]);
        else pids.push(pid);
      }
      for (const s of scan.skips) {
        const k = s.key ?? s.path;
        const known = skips.get(k);
        if (known === undefined) skips.set(k, { ...s, pids: [pid] });
        else known.pids.push(pid);
      }
    }
    return {
      targets: [...targets.values()],
      pidsByTarget,
      skips: [...skips.values()],
      processes,
      failed,
      durationMs: performance.now() - started,
    };
  }

  /** libssl.so.* in the standard library directories and node binaries, whether or not a process uses them. */
  scanWellKnown(options: WellKnownOptions = {}): { targets: TlsTarget[]; skips: TlsSkip[] } {
    const root = options.root ?? '';
    const targets = new Map<string, TlsTarget>();
    const skips: TlsSkip[] = [];
    const consider = (listed: string, scope: ModuleScope): void => {
      const full = `${root}${listed}`;
      let st;
      try {
        st = statSync(full);
      } catch {
        return;
      }
      if (!st.isFile()) return;
      const key = keyOf(st.dev, st.ino);
      if (targets.has(key)) return;
      // Attach through the real file name (libssl.so.3, not the libssl.so dev symlink) when we can resolve it
      // safely; under a foreign root an absolute symlink would resolve against our own root, so keep it as is.
      let path = full;
      if (root === '') {
        try {
          path = realpathSync(full);
        } catch {
          return;
        }
      }
      const c: Candidate = {
        path,
        displayPath: listed,
        pathVia: root === '' ? 'host' : 'proc-root',
        dev: st.dev,
        ino: st.ino,
        resolveLibrary: (soname) => {
          const sibling = `${dirname(path)}/${soname}`;
          return exists(sibling) ? sibling : undefined;
        },
      };
      const v = this.#examine(c, scope);
      if (v === undefined) return;
      if ('target' in v) targets.set(key, v.target);
      else skips.push(v.skip);
    };
    for (const dir of options.libDirs ?? defaultLibDirs()) {
      let entries: string[];
      try {
        entries = readdirSync(`${root}${dir}`);
      } catch {
        continue;
      }
      // Regular files before symlinks, so a target is named by its real file when both are listed.
      const ordered = entries
        .filter((n) => this.registry.candidatesFor('shared-library', n).length > 0)
        .sort((a, b) => Number(isSymlink(`${root}${dir}/${a}`)) - Number(isSymlink(`${root}${dir}/${b}`)) || a.localeCompare(b));
      for (const n of ordered) consider(`${dir}/${n}`, 'shared-library');
    }
    for (const exe of options.executables ?? defaultExecutables()) consider(exe, 'executable');
    return { targets: [...targets.values()], skips };
  }

  #examineUnmappedExe(pid: number, exe: string, sameNs: boolean): Verdict | undefined {
    // The executable should be in maps; if it is not (odd, but cheap to handle), identify it through the exe link.
    let st;
    try {
      st = statSync(`${this.procRoot}/${pid}/exe`);
    } catch {
      return undefined;
    }
    const hostOk = sameNs && statFile(exe)?.ino === st.ino;
    const c: Candidate = {
      path: hostOk ? exe : `${this.procRoot}/${pid}/root${exe}`,
      displayPath: exe,
      pathVia: hostOk ? 'host' : 'proc-root',
      dev: st.dev,
      ino: st.ino,
      resolveLibrary: () => undefined,
    };
    return this.#examine(c, 'executable');
  }

  /** Which module (if any) claims the file, and with which functions and version. */
  #examine(c: Candidate, scope: ModuleScope): Verdict | undefined {
    const modules = this.registry.candidatesFor(scope, basename(c.displayPath));
    if (modules.length === 0) return undefined;
    const key = keyOf(c.dev, c.ino);
    const skip = (code: TlsSkip['code'], reason: string, module?: TlsLibraryModule): Verdict => {
      const s: TlsSkip = { displayPath: c.displayPath, path: c.path, key, code, reason };
      if (module !== undefined) s.module = module.name;
      return { skip: s };
    };
    if (scope === 'executable') {
      const go = this.#examineGo(c, key, skip);
      if (go !== undefined) return go;
    }
    const names = [...new Set(modules.flatMap((m) => [...m.requiredSymbols, ...m.optionalSymbols, ...m.markerSymbols]))];
    const syms = this.elf.symbols(c.path, names);
    if (!syms.ok) {
      return syms.error.code === 'CT_ERR_ELF_IO'
        ? skip(SKIP_CODES.unreadable, syms.error.message)
        : skip(SKIP_CODES.notElf, syms.error.message);
    }
    const has = (n: string): boolean => syms.value.has(n);
    const dyn = this.elf.dynamic(c.path);
    const dynamic: DynamicInfo = dyn.ok ? dyn.value : { needed: [] };
    let closest: { module: TlsLibraryModule; missing: string[] } | undefined;
    for (const m of modules) {
      if (m.markerSymbols.length > 0 && !m.markerSymbols.some(has)) continue;
      const missing = m.requiredSymbols.filter((n) => !has(n));
      if (missing.length > 0) {
        closest ??= { module: m, missing };
        continue;
      }
      const symbols = [...m.requiredSymbols, ...m.optionalSymbols].filter(has);
      const offsets: Record<string, number> = {};
      for (const n of symbols) {
        const off = syms.value.get(n)?.fileOffset;
        if (off !== undefined) offsets[n] = off;
      }
      const facts: BinaryFacts = { path: c.path, symbols: syms.value, dynamic, resolveLibrary: c.resolveLibrary, elf: this.elf };
      const target: TlsTarget = {
        key,
        path: c.path,
        displayPath: c.displayPath,
        pathVia: c.pathVia,
        dev: c.dev,
        ino: c.ino,
        kind: m.kind,
        library: m.library,
        module: m.name,
        symbols,
        offsets,
      };
      const version = m.detectVersion(facts);
      if (version !== undefined) {
        target.version = version.version;
        target.versionText = version.text;
      }
      return { target };
    }
    if (closest === undefined) return skip(SKIP_CODES.noTls, 'no module recognises it');
    const none = closest.missing.length === closest.module.requiredSymbols.length;
    return skip(none ? SKIP_CODES.noTls : SKIP_CODES.missingSymbol, plural(closest.missing), closest.module);
  }

  /** A Go program: its crypto/tls probe points, or why it gets none; undefined when it is not Go. */
  #examineGo(c: Candidate, key: string, skip: (code: TlsSkip['code'], reason: string) => Verdict): Verdict | undefined {
    const r = this.elf.query(c.path, 'go-tls', goTlsProbes);
    if (!r.ok || !r.value.go) return undefined;
    const v = r.value;
    if ('unsupported' in v) return skip(v.noTls === true ? SKIP_CODES.noTls : SKIP_CODES.unsupported, `Go ${v.version ?? '(version unknown)'}: ${v.unsupported}`);
    const target: TlsTarget = {
      key,
      path: c.path,
      displayPath: c.displayPath,
      pathVia: c.pathVia,
      dev: c.dev,
      ino: c.ino,
      kind: 'go',
      library: 'go',
      module: 'go',
      symbols: [...new Set(v.points.map((p) => p.label.split(' ')[0]))],
      offsets: {},
      points: v.points,
    };
    if (v.version !== undefined) {
      target.version = v.version;
      target.versionText = v.version;
    }
    return { target };
  }

  /**
   * An openable path for a mapped file — the host path, the process's root, or its map_files entry — and the
   * (dev, ino) that names it. Host-visible files are keyed by stat(), like wellKnownTargets(), because maps
   * and stat() disagree on dev for btrfs subvolumes; files seen only through another mount namespace keep the
   * maps identity, which for overlayfs is the real (lower/upper) inode that a uprobe attaches to.
   */
  #openable(pid: number, f: MappedFile, sameNs: boolean): { path: string; pathVia: TargetPathVia; dev: number; ino: number } | undefined {
    const base = `${this.procRoot}/${pid}`;
    if (!f.deleted) {
      if (sameNs) {
        const st = statFile(f.path);
        if (st !== undefined && st.ino === f.ino) return { path: f.path, pathVia: 'host', dev: st.dev, ino: st.ino };
      }
      const viaRoot = `${base}/root${f.path}`;
      if (exists(viaRoot)) return { path: viaRoot, pathVia: 'proc-root', dev: f.dev, ino: f.ino };
    }
    // Deleted or replaced since it was mapped (a library upgrade): only map_files still reaches that inode.
    const viaMapFiles = `${base}/map_files/${f.range}`;
    return exists(viaMapFiles) ? { path: viaMapFiles, pathVia: 'map-files', dev: f.dev, ino: f.ino } : undefined;
  }

  #sameMountNamespace(pid: number): boolean {
    this.#selfMntNs ??= readNs('/proc/self/ns/mnt') ?? '';
    const theirs = readNs(`${this.procRoot}/${pid}/ns/mnt`);
    return theirs !== undefined && theirs === this.#selfMntNs;
  }
}

function readNs(path: string): string | undefined {
  const r = readProcLink(path);
  return r.ok ? r.value : undefined;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
