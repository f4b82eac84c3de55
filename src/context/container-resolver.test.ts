import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerMetadata, ContainerMetadataSource } from './container-metadata.ts';
import { ContainerResolver, runtimeFromCgroupPath } from './container-resolver.ts';
import type { SourceResult } from './container-sources.ts';
import { IDS, writeRuntimeState } from './container-state-fixture.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

/** Scripted sources: per source, a map id → answer (absent when unlisted); every call is recorded. */
class FakeSources {
  answers = new Map<ContainerMetadataSource, Map<string, SourceResult>>();
  calls: Array<[ContainerMetadataSource, string]> = [];
  gate: Promise<void> | undefined;
  active = 0;
  maxActive = 0;

  set(source: ContainerMetadataSource, id: string, answer: SourceResult | Partial<ContainerMetadata>): void {
    const result: SourceResult = 'kind' in answer ? (answer as SourceResult) : { kind: 'found', metadata: { id, runtime: 'docker', source, ...answer } };
    if (!this.answers.has(source)) this.answers.set(source, new Map());
    this.answers.get(source)?.set(id, result);
  }

  async lookup(source: ContainerMetadataSource, id: string): Promise<SourceResult> {
    this.calls.push([source, id]);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await this.gate;
      await Promise.resolve();
      return this.answers.get(source)?.get(id) ?? { kind: 'absent' };
    } finally {
      this.active--;
    }
  }
}

function setup(options: { maxEntries?: number; maxConcurrentLookups?: number } = {}) {
  const clock = { now: 1_000 };
  const sources = new FakeSources();
  const resolver = new ContainerResolver({ sources, now: () => clock.now, positiveTtlMs: 300_000, negativeTtlMs: 10_000, ...options });
  return { clock, sources, resolver };
}

describe('ContainerResolver cache', () => {
  test('peek: a miss starts a background lookup; the next peek is a hit without another lookup', async () => {
    const { sources, resolver } = setup();
    sources.set('docker-file', A, { name: 'web' });
    assert.equal(resolver.peek(A, 'docker'), undefined);
    await resolver.settled();
    assert.equal(resolver.peek(A, 'docker')?.name, 'web');
    assert.equal(resolver.peek(A, 'docker')?.name, 'web');
    assert.deepEqual(sources.calls, [['docker-file', A]]);
    const c = resolver.counters;
    assert.deepEqual([c.misses, c.hits, c.lookups, c.found['docker-file']], [1, 2, 1, 1]);
  });

  test('concurrent callers of one id share one lookup', async () => {
    const { sources, resolver } = setup();
    sources.set('podman', A, { name: 'p' });
    const all = await Promise.all([resolver.resolve(A, 'podman'), resolver.resolve(A, 'podman'), Promise.resolve(resolver.peek(A, 'podman'))]);
    assert.deepEqual(all.map((m) => m?.name), ['p', 'p', undefined]);
    assert.equal(resolver.counters.lookups, 1);
    assert.deepEqual(sources.calls, [['podman', A]]);
  });

  test('negative entries last negativeTtlMs, so a container whose state appears late is found', async () => {
    const { clock, sources, resolver } = setup();
    assert.equal(await resolver.resolve(A, 'podman'), undefined);
    assert.equal(sources.calls.length, 5); // every source asked
    sources.set('podman', A, { name: 'late' });
    clock.now += 9_999;
    assert.equal(resolver.peek(A, 'podman'), undefined);
    assert.equal(resolver.counters.negativeHits, 1);
    assert.equal(sources.calls.length, 5);
    clock.now += 1;
    assert.equal(resolver.peek(A, 'podman'), undefined); // expired: starts a lookup
    await resolver.settled();
    assert.equal(resolver.peek(A, 'podman')?.name, 'late');
    assert.equal(resolver.counters.notFound, 1);
  });

  test('expired descriptions are served while the refresh runs, then replaced', async () => {
    const { clock, sources, resolver } = setup();
    sources.set('docker-file', A, { name: 'old' });
    await resolver.resolve(A, 'docker');
    sources.set('docker-file', A, { name: 'renamed' });
    clock.now += 300_000;
    assert.equal(resolver.peek(A, 'docker')?.name, 'old');
    assert.equal(resolver.counters.staleHits, 1);
    await resolver.settled();
    assert.equal(resolver.peek(A, 'docker')?.name, 'renamed');
    // resolve() does not serve stale: it waits for the refresh.
    clock.now += 300_000;
    sources.set('docker-file', A, { name: 'again' });
    assert.equal((await resolver.resolve(A, 'docker'))?.name, 'again');
  });

  test('a refresh that fails keeps the old description and retries after negativeTtlMs; errors are counted per source', async () => {
    const { clock, sources, resolver } = setup();
    sources.set('docker-file', A, { name: 'web' });
    await resolver.resolve(A, 'docker');
    sources.set('docker-file', A, { kind: 'error', error: 'EACCES' });
    sources.set('docker-api', A, { kind: 'error', error: 'no answer in 1000 ms' });
    clock.now += 300_000;
    assert.equal((await resolver.resolve(A, 'docker'))?.name, 'web');
    const c = resolver.counters;
    assert.equal(c.errors['docker-file'], 1);
    assert.equal(c.errors['docker-api'], 1);
    assert.deepEqual(resolver.lastError?.source, 'docker-api');
    clock.now += 9_000;
    assert.equal(resolver.peek(A, 'docker')?.name, 'web');
    assert.equal(resolver.counters.hits, 1);
    clock.now += 1_000;
    resolver.peek(A, 'docker');
    assert.equal(resolver.counters.staleHits, 1);
    await resolver.settled();
  });

  test('an unreadable source then a good one: found, and the error still counted', async () => {
    const { sources, resolver } = setup();
    sources.set('docker-file', A, { kind: 'error', error: 'bad JSON' });
    sources.set('docker-api', A, { name: 'via-api' });
    assert.equal((await resolver.resolve(A, 'docker'))?.name, 'via-api');
    assert.deepEqual([resolver.counters.errors['docker-file'], resolver.counters.found['docker-api']], [1, 1]);
  });

  test('a source that throws is counted as an error and the walk goes on', async () => {
    const sources = {
      async lookup(source: ContainerMetadataSource, id: string): Promise<SourceResult> {
        if (source === 'containerd') throw new Error('bug');
        return source === 'cri-o' ? { kind: 'found', metadata: { id, runtime: 'cri-o', source } } : { kind: 'absent' };
      },
    };
    const resolver = new ContainerResolver({ sources });
    assert.equal((await resolver.resolve(A, 'kubernetes'))?.runtime, 'cri-o');
    assert.equal(resolver.counters.errors.containerd, 1);
  });

  test('the LRU keeps maxEntries, dropping the least recently used', async () => {
    const { sources, resolver } = setup({ maxEntries: 2 });
    for (const id of [A, B, C]) sources.set('podman', id, { name: id[0] });
    await resolver.resolve(A, 'podman');
    await resolver.resolve(B, 'podman');
    resolver.peek(A, 'podman'); // A is now the most recent
    await resolver.resolve(C, 'podman');
    assert.equal(resolver.size, 2);
    assert.equal(resolver.counters.evictions, 1);
    const before = resolver.counters.lookups;
    assert.equal(resolver.peek(A, 'podman')?.name, 'a');
    assert.equal(resolver.peek(B, 'podman'), undefined); // evicted: a new lookup
    await resolver.settled();
    assert.equal(resolver.counters.lookups, before + 1);
  });

  test('at most maxConcurrentLookups walks run at once', async () => {
    const { sources, resolver } = setup({ maxConcurrentLookups: 2 });
    let open!: () => void;
    sources.gate = new Promise<void>((resolve) => (open = resolve));
    const ids = Array.from({ length: 6 }, (_, i) => String(i).repeat(64));
    for (const id of ids) resolver.peek(id, 'podman');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sources.active, 2);
    open();
    await resolver.settled();
    assert.equal(sources.maxActive, 2);
    assert.equal(resolver.counters.lookups, 6);
  });

  test('ids that would escape the state directories are refused without a lookup', async () => {
    const { sources, resolver } = setup();
    for (const id of ['../../etc/passwd', '', '.hidden', 'a/b', 'x'.repeat(200)]) {
      assert.equal(resolver.peek(id), undefined);
      assert.equal(await resolver.resolve(id), undefined);
    }
    assert.equal(sources.calls.length, 0);
    assert.equal(resolver.counters.invalidIds, 10);
  });

  test('forget drops an entry; peekFor / resolveFor take the runtime from the cgroup path', async () => {
    const { sources, resolver } = setup();
    sources.set('podman', A, { name: 'p', runtime: 'podman' });
    const ctx = { containerId: A, cgroupPath: `/libpod_parent/libpod-${A}` };
    assert.equal((await resolver.resolveFor(ctx))?.name, 'p');
    assert.deepEqual(sources.calls, [['podman', A]]); // podman asked first
    assert.equal(resolver.peekFor(ctx)?.name, 'p');
    assert.equal(resolver.peekFor({ cgroupPath: '/system.slice/nginx.service' }), undefined);
    assert.equal(await resolver.resolveFor({ cgroupPath: '' }), undefined);
    resolver.forget(A);
    assert.equal(resolver.size, 0);
  });
});

describe('runtimeFromCgroupPath', () => {
  test('every runtime\'s container cgroup path', () => {
    assert.equal(runtimeFromCgroupPath(`/libpod_parent/libpod-${A}`), 'podman');
    assert.equal(runtimeFromCgroupPath(`/system.slice/docker-${A}.scope`), 'docker');
    assert.equal(runtimeFromCgroupPath(`/docker/${A}`), 'docker');
    assert.equal(runtimeFromCgroupPath(`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/cri-containerd-${A}.scope`), 'containerd');
    assert.equal(runtimeFromCgroupPath(`/kubepods.slice/kubepods-pod0f1e2d3c_4b5a_6978_8796_a5b4c3d2e1f0.slice/crio-${A}.scope`), 'cri-o');
    assert.equal(runtimeFromCgroupPath(`/kubepods/besteffort/pod0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/${A}`), 'kubernetes');
    assert.equal(runtimeFromCgroupPath('/system.slice/nginx.service'), undefined);
    assert.equal(runtimeFromCgroupPath(''), undefined);
  });
});

describe('ContainerResolver over runtime state files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ct-ctr-res-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a container whose state is written after its first sighting is resolved once the negative entry expires', async () => {
    const clock = { now: 0 };
    const resolver = new ContainerResolver({ hostRoot: dir, dockerSocket: '', now: () => clock.now });
    const ctx = { containerId: IDS.podman, cgroupPath: `/libpod_parent/libpod-${IDS.podman}` };
    assert.equal(await resolver.resolveFor(ctx), undefined);
    writeRuntimeState(dir);
    assert.equal(resolver.peekFor(ctx), undefined); // still negative
    clock.now += 10_000;
    resolver.peekFor(ctx);
    await resolver.settled();
    const meta = resolver.peekFor(ctx);
    assert.equal(meta?.name, 'ctx-probe');
    assert.equal(meta?.runtime, 'podman');
    assert.equal(meta?.image, 'localhost/cleartap-test-base:bookworm');
    // Every other runtime's fixture resolves through the same resolver, whatever the cgroup guess.
    for (const [id, runtime] of [[IDS.docker, 'docker'], [IDS.containerd, 'containerd'], [IDS.crio, 'cri-o'], [IDS.crioInPodmanStorage, 'cri-o']] as const) {
      assert.equal((await resolver.resolve(id, 'unknown'))?.runtime, runtime, id);
    }
    assert.deepEqual(Object.values(resolver.counters.errors), [0, 0, 0, 0, 0]);
  });
});
