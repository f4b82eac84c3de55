import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  containerdMetadata,
  crioMetadata,
  dockerMetadata,
  indexStorageContainers,
  indexStorageImages,
  isCrioSpec,
  ociAnnotations,
  parseLibpodConfig,
  podmanMetadata,
  stringMap,
} from './container-metadata.ts';
import {
  COMPOSE_LABELS,
  CONTAINERD_ANNOTATIONS,
  CONTAINERD_SANDBOX_ANNOTATIONS,
  crioAnnotations,
  DOCKER_IMAGE_ID,
  DOCKER_KUBE_LABELS,
  dockerConfigV2,
  IDS,
  LIBPOD_SPEC,
  libpodConfig,
  ociSpec,
  PODMAN_IMAGE_ID,
  POD_UIDS,
  podmanContainersJson,
  podmanImagesJson,
} from './container-state-fixture.ts';

describe('podman / containers-storage', () => {
  test('containers.json: names, image id and the image name from the metadata text', () => {
    const index = indexStorageContainers(podmanContainersJson());
    assert.deepEqual(index.get(IDS.podman), { names: ['ctx-probe'], imageId: PODMAN_IMAGE_ID, imageName: 'localhost/cleartap-test-base:bookworm' });
    assert.deepEqual(index.get(IDS.podmanInPod), { names: ['web-app'], imageId: PODMAN_IMAGE_ID });
  });

  test('images.json: first name per image; unnamed images are left out', () => {
    const index = indexStorageImages(podmanImagesJson());
    assert.deepEqual([...index], [[PODMAN_IMAGE_ID, 'localhost/cleartap-test-base:bookworm']]);
  });

  test('junk documents index to nothing', () => {
    for (const junk of [null, 42, 'x', {}, [null, 1, { names: ['no id'] }, { id: 7 }]]) {
      assert.equal(indexStorageContainers(junk).size, 0);
      assert.equal(indexStorageImages(junk).size, 0);
    }
    // A metadata field that is not JSON text loses only the image name.
    assert.deepEqual(indexStorageContainers([{ id: 'a', names: ['n'], metadata: '{oops' }]).get('a'), { names: ['n'] });
  });

  test('libpod config: name, labels, pod and image', () => {
    const cfg = parseLibpodConfig(JSON.parse(libpodConfig(IDS.podman, 'ctx-probe', { pod: 'p0d' })));
    assert.deepEqual(cfg, {
      name: 'ctx-probe',
      labels: { app: 'probe', 'org.cleartap.test-base': 'bookworm', tier: 'test' },
      podId: 'p0d',
      imageId: PODMAN_IMAGE_ID,
      imageName: 'localhost/cleartap-test-base:bookworm',
    });
    assert.equal(parseLibpodConfig('nope'), undefined);
  });

  test('merge: storage names win (podman rename updates them), images.json names an image by id', () => {
    const storage = indexStorageContainers(podmanContainersJson()).get(IDS.podmanInPod);
    const libpod = parseLibpodConfig(JSON.parse(libpodConfig(IDS.podmanInPod, 'old-name', { rootfsImageName: undefined, RawImageName: undefined })));
    assert.deepEqual(podmanMetadata(IDS.podmanInPod, { storage, imageNames: indexStorageImages(podmanImagesJson()), libpod, podName: 'shop' }), {
      id: IDS.podmanInPod,
      runtime: 'podman',
      source: 'podman',
      name: 'web-app',
      image: 'localhost/cleartap-test-base:bookworm',
      imageId: PODMAN_IMAGE_ID,
      labels: { app: 'probe', 'org.cleartap.test-base': 'bookworm', tier: 'test' },
      pod: { name: 'shop' },
    });
    assert.equal(podmanMetadata(IDS.podman, {}), undefined);
  });

  test('a libpod spec is not mistaken for cri-o although it has io.kubernetes.cri-o.* keys', () => {
    assert.equal(isCrioSpec(ociAnnotations(LIBPOD_SPEC)), false);
    assert.equal(isCrioSpec(crioAnnotations(IDS.crio)), true);
    assert.equal(isCrioSpec(undefined), false);
  });
});

describe('docker', () => {
  test('config.v2.json: name without "/", image as given, image id, labels', () => {
    assert.deepEqual(dockerMetadata(dockerConfigV2(IDS.docker, 'shop-web-1', COMPOSE_LABELS), 'docker-file'), {
      id: IDS.docker,
      runtime: 'docker',
      source: 'docker-file',
      name: 'shop-web-1',
      image: 'nginx:1.25',
      imageId: DOCKER_IMAGE_ID,
      labels: COMPOSE_LABELS,
    });
  });

  test('kubelet labels give the pod', () => {
    const meta = dockerMetadata(dockerConfigV2(IDS.dockerKube, 'k8s_api_x', DOCKER_KUBE_LABELS), 'docker-file');
    assert.deepEqual(meta?.pod, { uid: POD_UIDS.kube, name: 'api-7d9f8b6c5-h2kq9', namespace: 'default', containerName: 'api' });
  });

  test('Engine API JSON spells the id "Id"; non-string labels are dropped; junk is undefined', () => {
    const api = { Id: IDS.docker, Name: '/web', Image: DOCKER_IMAGE_ID, Config: { Image: 'nginx', Labels: { a: 'b', n: 1, o: null } } };
    assert.deepEqual(dockerMetadata(api, 'docker-api'), {
      id: IDS.docker,
      runtime: 'docker',
      source: 'docker-api',
      name: 'web',
      image: 'nginx',
      imageId: DOCKER_IMAGE_ID,
      labels: { a: 'b' },
    });
    assert.equal(dockerMetadata({ Name: '/x' }, 'docker-api'), undefined);
    assert.equal(dockerMetadata([], 'docker-file'), undefined);
    assert.deepEqual(dockerMetadata({ ID: 'i', Name: '/', Config: { Labels: null } }, 'docker-file'), { id: 'i', runtime: 'docker', source: 'docker-file' });
  });
});

describe('containerd CRI and cri-o annotations', () => {
  test('containerd: a pod container', () => {
    assert.deepEqual(containerdMetadata(IDS.containerd, ociAnnotations(ociSpec(CONTAINERD_ANNOTATIONS))), {
      id: IDS.containerd,
      runtime: 'containerd',
      source: 'containerd',
      name: 'coredns',
      image: 'registry.k8s.io/coredns/coredns:v1.11.1',
      pod: { uid: POD_UIDS.kube, name: 'coredns-5dd5756b68-x7k2p', namespace: 'kube-system', containerName: 'coredns' },
    });
  });

  test('containerd: the sandbox (pause) container is named after its pod and has no container name', () => {
    const meta = containerdMetadata(IDS.containerdSandbox, CONTAINERD_SANDBOX_ANNOTATIONS);
    assert.equal(meta.name, 'coredns-5dd5756b68-x7k2p');
    assert.deepEqual(meta.pod, { uid: POD_UIDS.kube, name: 'coredns-5dd5756b68-x7k2p', namespace: 'kube-system' });
  });

  test('containerd without CRI annotations (nerdctl, ctr, docker\'s moby namespace): id only', () => {
    assert.deepEqual(containerdMetadata(IDS.moby, undefined), { id: IDS.moby, runtime: 'containerd', source: 'containerd' });
  });

  test('cri-o: pod and labels from the Labels annotation, image and image ref', () => {
    const meta = crioMetadata(IDS.crio, crioAnnotations(IDS.crio));
    assert.equal(meta.name, 'api');
    assert.equal(meta.image, 'quay.io/acme/api:2.3.1');
    assert.match(meta.imageId ?? '', /^quay\.io\/acme\/api@sha256:/);
    assert.deepEqual(meta.pod, { uid: POD_UIDS.crio, name: 'api-6b7c9d-2xq4k', namespace: 'shop', containerName: 'api' });
    assert.equal(meta.labels?.['io.kubernetes.pod.namespace'], 'shop');
  });

  test('cri-o: a broken Labels annotation still leaves the top-level pod keys', () => {
    const a = { ...crioAnnotations(IDS.crio), 'io.kubernetes.cri-o.Labels': '{broken' };
    const meta = crioMetadata(IDS.crio, a);
    assert.equal(meta.labels, undefined);
    assert.equal(meta.pod?.name, 'api-6b7c9d-2xq4k');
  });

  test('stringMap keeps only strings and gives undefined for nothing', () => {
    assert.deepEqual(stringMap({ a: 'x', b: 2 }), { a: 'x' });
    assert.equal(stringMap({ b: 2 }), undefined);
    assert.equal(stringMap(['a']), undefined);
  });
});
