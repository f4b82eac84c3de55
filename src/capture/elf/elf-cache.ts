// Memoised ELF facts per file version. The same libssl or node binary is seen through many processes (and
// through /lib and /usr/lib, and /proc/PID/root/… paths), so answers are keyed by what the file is —
// (dev, ino, mtime, size) — not by the path used to reach it. A rewritten file gets a new key.

import { statSync } from 'node:fs';
import { readDynamic, type DynamicInfo } from './elf-dynamic.ts';
import { ioError, openElf, closeElf } from './elf-file.ts';
import { findSymbols, type ElfSymbol, type FindSymbolsOptions } from './elf-symbols.ts';
import type { ElfFile, ElfResult, FileIdentity } from './elf-types.ts';
import { findVersionStringIn, type VersionStringOptions } from './elf-version-string.ts';

export interface ElfCacheCounters {
  hits: number;
  misses: number;
  /** Files opened and parsed (one per miss that got as far as open). */
  opens: number;
  evictions: number;
}

export interface ElfCacheOptions {
  /** Distinct file versions remembered (default 1024); each holds only small answers. */
  maxFiles?: number;
}

export function identityKey(id: FileIdentity): string {
  return `${id.dev}:${id.ino}:${id.mtimeMs}:${id.size}`;
}

export function statIdentity(path: string): ElfResult<FileIdentity> {
  try {
    const st = statSync(path);
    return { ok: true, value: { dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, size: st.size } };
  } catch (err) {
    return ioError(path, err, 'stat');
  }
}

export class ElfCache {
  readonly #maxFiles: number;
  // identity key → (query key → answer). Map order doubles as LRU order.
  readonly #files = new Map<string, Map<string, ElfResult<unknown>>>();
  readonly #counters: ElfCacheCounters = { hits: 0, misses: 0, opens: 0, evictions: 0 };

  constructor(options: ElfCacheOptions = {}) {
    this.#maxFiles = Math.max(1, options.maxFiles ?? 1024);
  }

  get counters(): Readonly<ElfCacheCounters> {
    return { ...this.#counters };
  }

  get size(): number {
    return this.#files.size;
  }

  /**
   * The answer of `compute` for the file at path, computed at most once per file version and query key.
   * Format errors are cached too (a garbage file stays garbage until it changes); I/O errors are not.
   */
  query<T>(path: string, queryKey: string, compute: (elf: ElfFile) => ElfResult<T>): ElfResult<T> {
    const id = statIdentity(path);
    if (!id.ok) return id;
    const key = identityKey(id.value);
    const cached = this.#files.get(key)?.get(queryKey);
    if (cached !== undefined) {
      this.#counters.hits++;
      this.#touch(key);
      return cached as ElfResult<T>;
    }
    this.#counters.misses++;
    const opened = openElf(path);
    if (!opened.ok) {
      if (opened.error.code !== 'CT_ERR_ELF_IO') this.#store(key, queryKey, opened);
      return opened;
    }
    this.#counters.opens++;
    const elf = opened.value;
    let answer: ElfResult<T>;
    try {
      answer = compute(elf);
    } finally {
      closeElf(elf);
    }
    if (answer.ok || answer.error.code !== 'CT_ERR_ELF_IO') {
      // Key by what was actually opened: if the file was replaced between stat and open, that is the version read.
      this.#store(identityKey(elf.identity), queryKey, answer);
    }
    return answer;
  }

  symbols(path: string, names: readonly string[], options: FindSymbolsOptions = {}): ElfResult<ReadonlyMap<string, ElfSymbol>> {
    const key = `symbols:${options.symtab !== false}:${[...names].sort().join(',')}`;
    return this.query(path, key, (elf) => findSymbols(elf, names, options));
  }

  dynamic(path: string): ElfResult<DynamicInfo> {
    return this.query(path, 'dynamic', readDynamic);
  }

  versionString(path: string, prefix: string, options: VersionStringOptions = {}): ElfResult<string | undefined> {
    const key = `version:${prefix}:${options.accept?.source ?? ''}:${(options.sections ?? []).join(',')}`;
    return this.query(path, key, (elf) => findVersionStringIn(elf, prefix, options));
  }

  /** The file's identity and type without any other parsing (cheap, cached). */
  identity(path: string): ElfResult<FileIdentity> {
    return this.query(path, 'identity', (elf) => ({ ok: true, value: elf.identity }));
  }

  clear(): void {
    this.#files.clear();
  }

  #touch(key: string): void {
    const answers = this.#files.get(key);
    if (answers === undefined) return;
    this.#files.delete(key);
    this.#files.set(key, answers);
  }

  #store(key: string, queryKey: string, answer: ElfResult<unknown>): void {
    let answers = this.#files.get(key);
    if (answers === undefined) {
      answers = new Map();
      this.#files.set(key, answers);
      while (this.#files.size > this.#maxFiles) {
        const oldest = this.#files.keys().next();
        if (oldest.done === true) break;
        this.#files.delete(oldest.value);
        this.#counters.evictions++;
      }
    } else {
      this.#touch(key);
    }
    answers.set(queryKey, answer);
  }
}
