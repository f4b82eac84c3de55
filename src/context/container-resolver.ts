// Container id → runtime metadata (name, image, labels, pod), cached.
//
// The hot path calls peek(): synchronous, answers from the cache, and when the id is unknown or its entry is old
// starts a lookup in the background, so the next transaction of that container is described. resolve() is the
// awaiting form. Lookups walk the runtime sources (container-sources.ts) in the order the cgroup path's runtime
// guess suggests and stop at the first that knows the id.
//
// Lifetimes: found metadata is kept positiveTtlMs (a docker rename shows after at most that long; peek() keeps
// serving the old value while the refresh runs); "nobody knows this id" only negativeTtlMs, because a process is
// often seen before its runtime has finished writing the container's state. The cache is an LRU bounded by
// maxEntries, and at most maxConcurrentLookups lookups run at once, so a burst of new containers cannot pile up
// reads of the same state files.

import { containerFromCgroup, type ContainerRuntime } from './cgroup-container.ts';
import type { ContainerFacts } from '../core/transaction.ts';
import type { ContainerMetadata, ContainerMetadataSource } from './container-metadata.ts';
import { ContainerSources, sourceOrder, type ContainerSourceOptions, type SourceResult } from './container-sources.ts';

export interface ContainerResolverOptions extends ContainerSourceOptions {
  maxEntries?: number;
  positiveTtlMs?: number;
  negativeTtlMs?: number;
  maxConcurrentLookups?: number;
  /** Monotonic milliseconds; tests pass a fake clock. */
  now?: () => number;
  /** Replaces the runtime readers (tests). */
  sources?: { lookup(source: ContainerMetadataSource, id: string): Promise<SourceResult> };
}

export const CONTAINER_RESOLVER_DEFAULTS = {
  maxEntries: 4096,
  positiveTtlMs: 5 * 60_000,
  negativeTtlMs: 10_000,
  maxConcurrentLookups: 4,
} as const;

type PerSource = Record<ContainerMetadataSource, number>;

export interface ContainerResolverCounters {
  /** Source walks started. */
  lookups: number;
  /** Answered from a fresh cached description. */
  hits: number;
  /** Answered "unknown" from a fresh negative entry (no walk). */
  negativeHits: number;
  /** An expired description served by peek() while its refresh runs. */
  staleHits: number;
  /** Nothing usable cached: a walk was started or joined. */
  misses: number;
  /** Walks that no source knew the id in. */
  notFound: number;
  /** Ids refused without a lookup (not a plausible container id: they would become file paths). */
  invalidIds: number;
  evictions: number;
  /** Descriptions found, by the source that had them. */
  found: PerSource;
  /** Sources that could not be read during a walk (permissions, torn files, an unresponsive docker). */
  errors: PerSource;
}

/** The last error a source reported, for status pages and --debug summaries. */
export interface ContainerSourceError {
  source: ContainerMetadataSource;
  id: string;
  error: string;
}

interface Entry {
  metadata?: ContainerMetadata;
  expiresAt: number;
}

// Runtimes name containers with 64 hex digits; anything with a '/' or a leading '.' would escape the state dirs.
const PLAUSIBLE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function perSource(): PerSource {
  return { podman: 0, 'docker-file': 0, 'docker-api': 0, containerd: 0, 'cri-o': 0 };
}

/** The runtime guess for a ProcessContext's cgroupPath (the path containerFromCgroup reported). */
export function runtimeFromCgroupPath(cgroupPath: string): ContainerRuntime | undefined {
  return cgroupPath === '' ? undefined : containerFromCgroup(`0::${cgroupPath}`).runtime;
}

export class ContainerResolver {
  readonly #sources: { lookup(source: ContainerMetadataSource, id: string): Promise<SourceResult> };
  readonly #maxEntries: number;
  readonly #positiveTtlMs: number;
  readonly #negativeTtlMs: number;
  readonly #maxConcurrent: number;
  readonly #now: () => number;
  // Insertion order is recency order: re-inserting on use makes the first key the least recently used.
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<ContainerMetadata | undefined>>();
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  #lastError: ContainerSourceError | undefined;
  readonly #counters: ContainerResolverCounters = {
    lookups: 0,
    hits: 0,
    negativeHits: 0,
    staleHits: 0,
    misses: 0,
    notFound: 0,
    invalidIds: 0,
    evictions: 0,
    found: perSource(),
    errors: perSource(),
  };

  constructor(options: ContainerResolverOptions = {}) {
    this.#sources = options.sources ?? new ContainerSources(options);
    this.#maxEntries = Math.max(1, options.maxEntries ?? CONTAINER_RESOLVER_DEFAULTS.maxEntries);
    this.#positiveTtlMs = options.positiveTtlMs ?? CONTAINER_RESOLVER_DEFAULTS.positiveTtlMs;
    this.#negativeTtlMs = options.negativeTtlMs ?? CONTAINER_RESOLVER_DEFAULTS.negativeTtlMs;
    this.#maxConcurrent = Math.max(1, options.maxConcurrentLookups ?? CONTAINER_RESOLVER_DEFAULTS.maxConcurrentLookups);
    this.#now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.#entries.size;
  }

  get counters(): Readonly<ContainerResolverCounters> {
    return { ...this.#counters, found: { ...this.#counters.found }, errors: { ...this.#counters.errors } };
  }

  get lastError(): ContainerSourceError | undefined {
    return this.#lastError;
  }

  /**
   * What is cached for the id, without waiting: a fresh description, or an expired one while a refresh runs.
   * Unknown ids start a background lookup and return undefined; so does an id recently found unknown, until its
   * negative entry expires.
   */
  peek(id: string, runtime?: ContainerRuntime): ContainerMetadata | undefined {
    if (!this.#plausible(id)) return undefined;
    const entry = this.#entries.get(id);
    const now = this.#now();
    if (entry !== undefined) {
      this.#touch(id, entry);
      if (now < entry.expiresAt) {
        if (entry.metadata !== undefined) this.#counters.hits++;
        else this.#counters.negativeHits++;
        return entry.metadata;
      }
      if (entry.metadata !== undefined) {
        this.#counters.staleHits++;
        this.#start(id, runtime);
        return entry.metadata;
      }
    }
    this.#counters.misses++;
    this.#start(id, runtime);
    return undefined;
  }

  /** The description, looking it up (or joining the running lookup) when nothing fresh is cached. */
  async resolve(id: string, runtime?: ContainerRuntime): Promise<ContainerMetadata | undefined> {
    if (!this.#plausible(id)) return undefined;
    const entry = this.#entries.get(id);
    if (entry !== undefined && this.#now() < entry.expiresAt) {
      this.#touch(id, entry);
      if (entry.metadata !== undefined) this.#counters.hits++;
      else this.#counters.negativeHits++;
      return entry.metadata;
    }
    this.#counters.misses++;
    return this.#start(id, runtime);
  }

  /** peek() for a process context: its container id, with the runtime guessed from its cgroup path. */
  peekFor(ctx: { containerId?: string; cgroupPath: string }): ContainerMetadata | undefined {
    return ctx.containerId === undefined ? undefined : this.peek(ctx.containerId, runtimeFromCgroupPath(ctx.cgroupPath));
  }

  resolveFor(ctx: { containerId?: string; cgroupPath: string }): Promise<ContainerMetadata | undefined> {
    return ctx.containerId === undefined ? Promise.resolve(undefined) : this.resolve(ctx.containerId, runtimeFromCgroupPath(ctx.cgroupPath));
  }

  /** Drops the id's entry (its container was removed); a running lookup still completes and caches. */
  forget(id: string): void {
    this.#entries.delete(id);
  }

  /** Resolves once no lookup is running or queued (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight.values()]);
  }

  #plausible(id: string): boolean {
    if (PLAUSIBLE_ID.test(id)) return true;
    this.#counters.invalidIds++;
    return false;
  }

  #touch(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
  }

  #start(id: string, runtime: ContainerRuntime | undefined): Promise<ContainerMetadata | undefined> {
    const running = this.#inFlight.get(id);
    if (running !== undefined) return running;
    const lookup = this.#lookup(id, runtime).finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, lookup);
    return lookup;
  }

  async #lookup(id: string, runtime: ContainerRuntime | undefined): Promise<ContainerMetadata | undefined> {
    await this.#acquire();
    let found: ContainerMetadata | undefined;
    let failed = false;
    try {
      this.#counters.lookups++;
      for (const source of sourceOrder(runtime)) {
        let result: SourceResult;
        try {
          result = await this.#sources.lookup(source, id);
        } catch (err) {
          // Sources report failures as values; a throw is a bug there, but must not lose the whole walk.
          result = { kind: 'error', error: err instanceof Error ? err.message : String(err) };
        }
        if (result.kind === 'found') {
          found = result.metadata;
          this.#counters.found[source]++;
          break;
        }
        if (result.kind === 'error') {
          failed = true;
          this.#counters.errors[source]++;
          this.#lastError = { source, id, error: result.error };
        }
      }
    } finally {
      this.#release();
    }
    const now = this.#now();
    const previous = this.#entries.get(id)?.metadata;
    if (found !== undefined) {
      this.#store(id, { metadata: found, expiresAt: now + this.#positiveTtlMs });
      return found;
    }
    this.#counters.notFound++;
    // A source we could not read may be the one that knows the id: keep serving what we had, and retry soon.
    if (failed && previous !== undefined) {
      this.#store(id, { metadata: previous, expiresAt: now + this.#negativeTtlMs });
      return previous;
    }
    this.#store(id, { expiresAt: now + this.#negativeTtlMs });
    return undefined;
  }

  #store(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
      this.#counters.evictions++;
    }
  }

  async #acquire(): Promise<void> {
    if (this.#running < this.#maxConcurrent) {
      this.#running++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  // The slot passes straight to the next waiter, so #running stays counted.
  #release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#running--;
  }
}

/** The runtime's metadata as a transaction carries it (what rules and records show). */
export function containerFacts(m: ContainerMetadata): ContainerFacts {
  const facts: ContainerFacts = {};
  if (m.name !== undefined) facts.name = m.name;
  if (m.image !== undefined) facts.image = m.image;
  if (m.labels !== undefined && Object.keys(m.labels).length > 0) facts.labels = m.labels;
  if (m.pod !== undefined) {
    const pod = { ...(m.pod.name === undefined ? {} : { name: m.pod.name }), ...(m.pod.namespace === undefined ? {} : { namespace: m.pod.namespace }), ...(m.pod.uid === undefined ? {} : { uid: m.pod.uid }) };
    if (Object.keys(pod).length > 0) facts.pod = pod;
  }
  return facts;
}
