// A process inside a real podman container, seen from the host: cleartap's process context gives its container
// id (from /proc/PID/cgroup) and runtime, the container resolver reads podman's state for its name, image and
// labels, and the TLS library the process maps is reachable (as the container's own file) through
// /proc/PID/root. Needs root and podman/runc/debootstrap; the base image is built on first use (about a minute,
// test/helpers/container-image.ts) and reused after.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { ContainerResolver, ProcessTable, containerFromCgroup, readProcessContext, runtimeFromCgroupPath } from '../../src/context/index.ts';
import { run, waitUntil } from '../helpers/children.ts';
import { ensureBaseImage, podmanEnv, podmanSkipReason, runContainer, stopAllContainers, stopContainer, type RunningContainer } from '../helpers/container-image.ts';

const skip = await podmanSkipReason();
const LIBSSL = '/usr/lib/x86_64-linux-gnu/libssl.so.3';
const LABEL = `cleartap-ctx-${randomBytes(3).toString('hex')}`;

let image = '';
let container: RunningContainer | undefined;

before(async () => {
  if (skip !== false) return;
  const started = Date.now();
  image = await ensureBaseImage();
  process.stderr.write(`# ensureBaseImage() → ${image} in ${Date.now() - started} ms\n`);
}, { timeout: 20 * 60_000 });

after(async () => {
  if (skip === false) await stopAllContainers();
});

test('a podman container\'s process gets its container id, name, image and its own TLS library', { skip, timeout: 120_000 }, async () => {
  const started = Date.now();
  // python3 with ssl imported: a long-lived process that maps the container's libssl, as a TLS client would.
  container = await runContainer([
    '--name', `cleartap-ctx-test-${randomBytes(4).toString('hex')}`,
    '--network=host',
    '--label', `org.cleartap.test=${LABEL}`,
    image,
    'python3', '-c', 'import ssl, signal; signal.pause()',
  ]);
  const { id, name, pid } = container;
  try {
    await waitUntil(() => (readFileSync(`/proc/${pid}/maps`, 'utf8').includes(LIBSSL) ? true : undefined), 'python3 to map libssl');

    // Process context, through src/context's public surface.
    const ctx = readProcessContext(pid);
    assert.ok(ctx !== undefined);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(ctx.containerId, id);
    assert.equal(ctx.cgroupPath, `/libpod_parent/libpod-${id}`); // cgroupfs manager, kernel-notes.md
    assert.match(ctx.exe, /^\/usr\/bin\/python3/);
    assert.deepEqual(ctx.cmdline.slice(0, 2), ['python3', '-c']);
    const cgroup = containerFromCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    assert.equal(cgroup.runtime, 'podman');
    assert.equal(cgroup.containerId, id);
    assert.equal(runtimeFromCgroupPath(ctx.cgroupPath), 'podman');
    assert.equal(new ProcessTable().get(pid)?.containerId, id);

    // Runtime metadata from podman's state on disk.
    const resolver = new ContainerResolver();
    assert.equal(resolver.peekFor(ctx), undefined); // first sighting: lookup starts in the background
    await resolver.settled();
    const meta = resolver.peekFor(ctx);
    assert.ok(meta !== undefined, `not resolved; last error: ${JSON.stringify(resolver.lastError)}`);
    const imageId = (await run('podman', ['image', 'inspect', '--format', '{{.Id}}', image], { env: podmanEnv() })).stdout.trim();
    assert.deepEqual(
      { id: meta.id, name: meta.name, image: meta.image, imageId: meta.imageId, runtime: meta.runtime, source: meta.source },
      { id, name, image, imageId, runtime: 'podman', source: 'podman' },
    );
    assert.equal(meta.labels?.['org.cleartap.test'], LABEL); // from libpod's state DB
    assert.equal(meta.labels?.['org.cleartap.test-base'], 'bookworm'); // the image's label, inherited
    const c = resolver.counters;
    assert.deepEqual([c.lookups, c.misses, c.hits, c.found.podman], [1, 1, 1, 1]);
    assert.deepEqual(Object.values(c.errors), [0, 0, 0, 0, 0]);

    // The TLS library as the process sees it: the container's own file, not the host's.
    const inContainer = `/proc/${pid}/root${LIBSSL}`;
    assert.ok(existsSync(inContainer), `${inContainer} is missing`);
    if (existsSync(LIBSSL)) {
      const mine = statSync(inContainer);
      const host = statSync(LIBSSL);
      assert.notDeepEqual([mine.dev, mine.ino], [host.dev, host.ino], 'the container\'s libssl is the host\'s file');
    }
  } finally {
    await stopContainer(id);
  }
  // Removed: podman's state no longer knows it.
  assert.equal(await new ContainerResolver().resolve(id, 'podman'), undefined);
  const ps = await run('podman', ['container', 'exists', id], { env: podmanEnv() });
  assert.notEqual(ps.code, 0);
  process.stderr.write(`# container test body: ${Date.now() - started} ms\n`);
});
