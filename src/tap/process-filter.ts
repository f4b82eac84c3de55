// tap.filters → which processes are ignored and for what (qtap-reference.md §1.6). A custom entry's
// `only` names what to skip for that exe (data, dns, tls, http); without `only`, everything is skipped.
// Matching is compiled once per config; evaluating an exe is a few string comparisons.
import { CT_SKIP_DATA, CT_SKIP_TLS } from '../capture/wire.ts';
import { FILTER_GROUPS, type ExeMatcherSpec, type ExeStrategy, type FilterGroup } from './filter-groups.ts';

export type SkipKind = 'data' | 'dns' | 'tls' | 'http';

export interface CustomFilter extends ExeMatcherSpec {
  only?: readonly SkipKind[];
}

export interface FilterSettings {
  groups: readonly FilterGroup[];
  custom: readonly CustomFilter[];
}

/** What is skipped for one process; `none` when it is not ignored at all. */
export interface ProcessSkip {
  readonly data: boolean;
  readonly dns: boolean;
  readonly tls: boolean;
  readonly http: boolean;
}

export const SKIP_NOTHING: ProcessSkip = Object.freeze({ data: false, dns: false, tls: false, http: false });
const SKIP_EVERYTHING: ProcessSkip = Object.freeze({ data: true, dns: true, tls: true, http: true });

type ExeTest = (exe: string) => boolean;

function exeTest(strategy: ExeStrategy, pattern: string): ExeTest {
  switch (strategy) {
    case 'exact':
      return (exe) => exe === pattern;
    case 'prefix':
      return (exe) => exe.startsWith(pattern);
    case 'suffix':
      return (exe) => exe.endsWith(pattern);
    case 'contains':
      return (exe) => exe.includes(pattern);
    case 'regex': {
      const re = new RegExp(pattern);
      return (exe) => re.test(exe);
    }
  }
}

interface CompiledFilter {
  test: ExeTest;
  skip: ProcessSkip;
}

function skipOf(only: readonly SkipKind[] | undefined): ProcessSkip {
  if (!only || only.length === 0) return SKIP_EVERYTHING;
  return Object.freeze({ data: only.includes('data'), dns: only.includes('dns'), tls: only.includes('tls'), http: only.includes('http') });
}

function merge(a: ProcessSkip, b: ProcessSkip): ProcessSkip {
  if (a === SKIP_NOTHING) return b;
  return Object.freeze({ data: a.data || b.data, dns: a.dns || b.dns, tls: a.tls || b.tls, http: a.http || b.http });
}

export class ProcessFilter {
  private readonly filters: CompiledFilter[];

  constructor(settings: FilterSettings) {
    this.filters = [];
    for (const group of settings.groups) {
      for (const spec of FILTER_GROUPS[group] as readonly ExeMatcherSpec[]) this.filters.push({ test: exeTest(spec.strategy, spec.exe), skip: SKIP_EVERYTHING });
    }
    for (const f of settings.custom) this.filters.push({ test: exeTest(f.strategy, f.exe), skip: skipOf(f.only) });
  }

  get empty(): boolean {
    return this.filters.length === 0;
  }

  /** What to skip for a process, from every path it is known by (the exec'd path and /proc/PID/exe). */
  skipFor(...exes: ReadonlyArray<string | undefined>): ProcessSkip {
    let skip = SKIP_NOTHING;
    for (const f of this.filters) {
      if (exes.some((exe) => exe !== undefined && f.test(exe))) skip = merge(skip, f.skip);
    }
    return skip;
  }
}

/**
 * The kernel's share of a skip (CT_SKIP_* bits). TLS plaintext and socket payloads only feed HTTP
 * today, so skipping http skips both; skipping data alone keeps TLS (its plaintext comes from the
 * TLS library, not the socket); dns has no kernel part yet (the DNS parser comes with the protocols work).
 */
export function kernelSkipBits(skip: ProcessSkip): number {
  let bits = 0;
  if (skip.tls || skip.http) bits |= CT_SKIP_TLS;
  if (skip.data || skip.http) bits |= CT_SKIP_DATA;
  return bits;
}

/** True when a transaction of this process must not reach the plugins. */
export function dropsTransaction(skip: ProcessSkip, viaTls: boolean): boolean {
  return skip.http || (viaTls ? skip.tls : skip.data);
}
