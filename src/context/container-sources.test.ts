import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerSources, sourceOrder } from './container-sources.ts';
import {
  COMPOSE_LABELS,
  dockerConfigV2,
  IDS,
  podmanContainersJson,
  POD_UIDS,
  writeRuntimeState,
} from './container-state-fixture.ts';

const API_ONLY_ID = 'aa'.repeat(32);

let dir: string;
let host: string;
let api: Server;
let apiRequests: string[] = [];

async function listen(server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ct-ctr-src-'));
  host = join(dir, 'host');
  writeRuntimeState(host);
  // docker's Engine API, answering like dockerd for the one container it knows.
  mkdirSync(join(host, 'var/run'), { recursive: true });
  api = createServer((req, res) => {
    apiRequests.push(req.url ?? '');
    const id = /^\/containers\/([^/]+)\/json$/.exec(req.url ?? '')?.[1];
    if (id === API_ONLY_ID || id === IDS.docker) {
      const body = dockerConfigV2(id, 'from-api', COMPOSE_LABELS) as Record<string, unknown>;
      body.Id = body.ID;
      delete body.ID;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: `No such container: ${id}` }));
    }
  });
  await listen(api, join(host, 'var/run/docker.sock'));
});

after(async () => {
  await new Promise((resolve) => api.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('runtime state sources under a host root', () => {
  test('podman: containers.json + images.json + libpod state DB', async () => {
    const sources = new ContainerSources({ hostRoot: host });
    const r = await sources.lookup('podman', IDS.podman);
    assert.equal(r.kind, 'found');
    if (r.kind !== 'found') return;
    assert.equal(r.metadata.name, 'ctx-probe');
    assert.equal(r.metadata.image, 'localhost/cleartap-test-base:bookworm');
    assert.deepEqual(r.metadata.labels, { app: 'probe', 'org.cleartap.test-base': 'bookworm', tier: 'test' });
    const inPod = await sources.lookup('podman', IDS.podmanInPod);
    assert.equal(inPod.kind === 'found' && inPod.metadata.pod?.name, 'shop');
    assert.equal(inPod.kind === 'found' && inPod.metadata.image, 'localhost/cleartap-test-base:bookworm');
  });

  test('podman leaves cri-o\'s containers in the shared storage to the cri-o source', async () => {
    const sources = new ContainerSources({ hostRoot: host });
    assert.deepEqual(await sources.lookup('podman', IDS.crioInPodmanStorage), { kind: 'absent' });
    const r = await sources.lookup('cri-o', IDS.crioInPodmanStorage);
    assert.equal(r.kind === 'found' && r.metadata.runtime, 'cri-o');
  });

  test('podman: a rename rewrites containers.json and is seen on the next lookup', async () => {
    const sources = new ContainerSources({ hostRoot: host });
    const path = join(host, 'var/lib/containers/storage/overlay-containers/containers.json');
    const before = await sources.lookup('podman', IDS.podman);
    assert.equal(before.kind === 'found' && before.metadata.name, 'ctx-probe');
    const renamed = podmanContainersJson().map((c) => ((c as { id: string }).id === IDS.podman ? { ...(c as object), names: ['renamed'] } : c));
    // containers-storage writes a temporary file and renames it over the old one.
    writeFileSync(`${path}.tmp`, JSON.stringify(renamed));
    renameSync(`${path}.tmp`, path);
    try {
      const after = await sources.lookup('podman', IDS.podman);
      assert.equal(after.kind === 'found' && after.metadata.name, 'renamed');
    } finally {
      writeFileSync(path, JSON.stringify(podmanContainersJson()));
    }
  });

  test('docker: config.v2.json, with kubelet labels giving the pod', async () => {
    const sources = new ContainerSources({ hostRoot: host });
    const r = await sources.lookup('docker-file', IDS.docker);
    assert.equal(r.kind === 'found' && r.metadata.name, 'shop-web-1');
    const k = await sources.lookup('docker-file', IDS.dockerKube);
    assert.deepEqual(k.kind === 'found' && k.metadata.pod, { uid: POD_UIDS.kube, name: 'api-7d9f8b6c5-h2kq9', namespace: 'default', containerName: 'api' });
    assert.deepEqual(await sources.lookup('docker-file', API_ONLY_ID), { kind: 'absent' });
  });

  test('docker: an unreadable config.v2.json is an error; the Engine API answers over the socket', async () => {
    const broken = join(host, 'var/lib/docker/containers', API_ONLY_ID);
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, 'config.v2.json'), '{"ID": "half-writ');
    const sources = new ContainerSources({ hostRoot: host });
    const file = await sources.lookup('docker-file', API_ONLY_ID);
    assert.equal(file.kind, 'error');
    apiRequests = [];
    const r = await sources.lookup('docker-api', API_ONLY_ID);
    assert.deepEqual(apiRequests, [`/containers/${API_ONLY_ID}/json`]);
    assert.equal(r.kind === 'found' && r.metadata.source, 'docker-api');
    assert.equal(r.kind === 'found' && r.metadata.name, 'from-api');
    assert.deepEqual(await sources.lookup('docker-api', IDS.crio), { kind: 'absent' }); // 404
    rmSync(broken, { recursive: true });
  });

  test('docker API: no socket is "absent", a silent daemon is an error after the timeout', async () => {
    assert.deepEqual(await new ContainerSources({ hostRoot: join(dir, 'nowhere') }).lookup('docker-api', IDS.docker), { kind: 'absent' });
    assert.deepEqual(await new ContainerSources({ hostRoot: host, dockerSocket: '' }).lookup('docker-api', IDS.docker), { kind: 'absent' });
    const silent = createServer(() => {}); // accepts, never answers
    const path = join(dir, 'silent.sock');
    await listen(silent, path);
    try {
      const started = Date.now();
      const r = await new ContainerSources({ dockerSocket: path, dockerApiTimeoutMs: 150 }).lookup('docker-api', IDS.docker);
      assert.equal(r.kind, 'error');
      assert.ok(Date.now() - started < 2000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('containerd: k8s.io task specs, and docker\'s moby namespace reported as docker', async () => {
    const sources = new ContainerSources({ hostRoot: host });
    const r = await sources.lookup('containerd', IDS.containerd);
    assert.equal(r.kind === 'found' && r.metadata.pod?.containerName, 'coredns');
    const moby = await sources.lookup('containerd', IDS.moby);
    assert.deepEqual(moby, { kind: 'found', metadata: { id: IDS.moby, runtime: 'docker', source: 'containerd' } });
    assert.deepEqual(await sources.lookup('containerd', IDS.podman), { kind: 'absent' });
  });

  test('cri-o: run-root spec annotations', async () => {
    const r = await new ContainerSources({ hostRoot: host }).lookup('cri-o', IDS.crio);
    assert.equal(r.kind === 'found' && r.metadata.name, 'api');
    assert.equal(r.kind === 'found' && r.metadata.pod?.namespace, 'shop');
  });

  test('no runtime installed: every source says absent, none errors', async () => {
    const sources = new ContainerSources({ hostRoot: join(dir, 'empty-host') });
    for (const source of sourceOrder(undefined)) assert.deepEqual(await sources.lookup(source, IDS.docker), { kind: 'absent' });
  });

  test('roots are configurable one by one', async () => {
    const sources = new ContainerSources({
      hostRoot: '',
      podmanStorageRoots: [join(host, 'var/lib/containers/storage')],
      dockerRoot: join(host, 'var/lib/docker'),
      containerdTaskRoot: join(host, 'run/containerd/io.containerd.runtime.v2.task'),
      crioRunRoot: join(host, 'run/containers/storage'),
      dockerSocket: '',
    });
    for (const [source, id] of [['podman', IDS.podman], ['docker-file', IDS.docker], ['containerd', IDS.containerd], ['cri-o', IDS.crio]] as const) {
      assert.equal((await sources.lookup(source, id)).kind, 'found', source);
    }
  });

  test('files over the size cap are refused as errors', async () => {
    const r = await new ContainerSources({ hostRoot: host, maxFileBytes: 100 }).lookup('docker-file', IDS.docker);
    assert.equal(r.kind, 'error');
  });

  test('the cgroup guess puts its runtime first and still asks every source', () => {
    for (const guess of ['podman', 'docker', 'containerd', 'cri-o', 'kubernetes', 'unknown', undefined] as const) {
      assert.equal(new Set(sourceOrder(guess)).size, 5, String(guess));
    }
    assert.equal(sourceOrder('podman')[0], 'podman');
    assert.deepEqual(sourceOrder('docker').slice(0, 2), ['docker-file', 'docker-api']);
    assert.equal(sourceOrder('kubernetes')[0], 'containerd');
  });
});
