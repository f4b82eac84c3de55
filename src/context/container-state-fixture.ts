// Test support: real-looking runtime state for one container of each runtime (shapes copied from live podman 4.3,
// docker 24/26, containerd 1.7 CRI and cri-o 1.28 hosts, values invented), and a writer that lays them out under
// a fake host root at the paths the runtimes use. Not part of the folder's public surface.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BoltFileBuilder } from './container-bolt-fixture.ts';

export const IDS = {
  podman: '992bf36de5acf0c2787f51506e8279b364b647ea94d225feffa798eeb429c78c',
  podmanInPod: '5e0c4d2f1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d',
  docker: '4f1c2d3e4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4',
  dockerKube: 'b7e3a1c9d5f2e8b4a6c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a4',
  containerd: 'e2d9c4b1a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1',
  containerdSandbox: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1',
  moby: '0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1c',
  crio: '7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b',
  /** A cri-o container in the containers-storage podman also reads: podman must not claim it. */
  crioInPodmanStorage: '3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b',
} as const;

export const PODMAN_IMAGE_ID = '44730860c8b2cc300edd690fb381238aa95f557b15e5bffde2e7badf26424ba7';
export const DOCKER_IMAGE_ID = 'sha256:a6bd71f48f6839d9faae1f29d3babef831e76bc213107682c5cc80f0cbb30866';
const POD_UID = '2b1e6f0a-7c3d-4e5f-9a8b-1c2d3e4f5a6b';
const CRIO_POD_UID = '8d7c6b5a-4f3e-4d2c-b1a0-9f8e7d6c5b4a';

export function podmanContainersJson(): unknown[] {
  return [
    {
      id: IDS.podman,
      names: ['ctx-probe'],
      image: PODMAN_IMAGE_ID,
      layer: '3d9629b4ab8a71a22806c216f5d53cd65e154cea2f7d4cd2818d4bf6ebbae30f',
      metadata: JSON.stringify({ 'image-name': 'localhost/cleartap-test-base:bookworm', 'image-id': PODMAN_IMAGE_ID, name: 'ctx-probe', 'created-at': 1795476267 }),
      created: '2026-11-23T23:24:27.702315748Z',
      flags: { MountLabel: '', ProcessLabel: '' },
    },
    {
      // Created by an older podman without image-name in its metadata: the image name comes from images.json.
      id: IDS.podmanInPod,
      names: ['web-app'],
      image: PODMAN_IMAGE_ID,
      layer: '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
      metadata: JSON.stringify({ name: 'web-app', 'created-at': 1795476300 }),
      created: '2026-11-23T23:25:00.000000000Z',
    },
    {
      id: IDS.crioInPodmanStorage,
      names: ['k8s_api_api-6b7c9d-2xq4k_shop_8d7c6b5a-4f3e-4d2c-b1a0-9f8e7d6c5b4a_0'],
      image: '9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0',
      metadata: JSON.stringify({ 'pod-name': 'api-6b7c9d-2xq4k', 'pod-id': 'x', 'image-name': 'quay.io/acme/api:2.3.1' }),
    },
  ];
}

export function podmanImagesJson(): unknown[] {
  return [
    {
      id: PODMAN_IMAGE_ID,
      digest: 'sha256:6fba567ca6e7372ee7d213784914014d32b4d029a21e25bcdf8fb447281cba27',
      names: ['localhost/cleartap-test-base:bookworm'],
      'names-history': ['localhost/cleartap-test-base:bookworm'],
      layer: 'caa6b0ca64f86a8f51f33a2c8823d59f84e311a88ad6bf80363cb09c011d33a1',
      metadata: '{"signatures-sizes":{}}',
      created: '2026-11-23T23:24:09.338337471Z',
    },
    { id: 'dangling00000000000000000000000000000000000000000000000000000000', names: [] },
  ];
}

export const LIBPOD_SPEC = {
  ociVersion: '1.0.2-dev',
  process: { args: ['sleep', '300'], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'container=podman'], cwd: '/' },
  root: { path: '/var/lib/containers/storage/overlay/3d9629b4ab8a71a22806c216f5d53cd65e154cea2f7d4cd2818d4bf6ebbae30f/merged' },
  hostname: '992bf36de5ac',
  annotations: {
    'io.container.manager': 'libpod',
    'io.kubernetes.cri-o.Created': '2026-11-23T23:24:27.698959193Z',
    'io.kubernetes.cri-o.TTY': 'false',
    'io.podman.annotations.autoremove': 'FALSE',
    'io.podman.annotations.init': 'FALSE',
    'io.podman.annotations.privileged': 'FALSE',
    'io.podman.annotations.publish-all': 'FALSE',
    'org.opencontainers.image.stopSignal': '15',
  },
  linux: {},
};

export function libpodConfig(id: string, name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    spec: LIBPOD_SPEC,
    id,
    name,
    lockID: 0,
    CreateCommand: ['podman', 'run', '-d', '--name', name, 'localhost/cleartap-test-base:bookworm', 'sleep', '300'],
    RawImageName: 'localhost/cleartap-test-base:bookworm',
    rootfsImageID: PODMAN_IMAGE_ID,
    rootfsImageName: 'localhost/cleartap-test-base:bookworm',
    labels: { app: 'probe', 'org.cleartap.test-base': 'bookworm', tier: 'test' },
    stopSignal: 15,
    cgroupManager: 'cgroupfs',
    cgroupParent: '/libpod_parent',
    runtime: 'runc',
    ...extra,
  });
}

export function libpodBoltDb(): Buffer {
  const b = new BoltFileBuilder();
  const ctr = (id: string, config: string) => ({
    key: id,
    bucket: true,
    value: b.inlineBucket([
      { key: 'config', value: config },
      { key: 'state', value: '{"state":3}' },
    ]),
  });
  const podId = 'de421482121b0f3e9c2a7b6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f';
  return b.build([
    {
      key: 'ctr',
      bucket: true,
      value: b.pagedBucket([
        ctr(IDS.podman, libpodConfig(IDS.podman, 'ctx-probe')),
        ctr(IDS.podmanInPod, libpodConfig(IDS.podmanInPod, 'web-app', { pod: podId, labels: { role: 'frontend' } })),
      ]),
    },
    { key: 'pod', bucket: true, value: b.inlineBucket([{ key: podId, bucket: true, value: b.inlineBucket([{ key: 'config', value: JSON.stringify({ id: podId, name: 'shop' }) }]) }]) },
  ]);
}

export function dockerConfigV2(id: string, name: string, labels: Record<string, string>, image = 'nginx:1.25'): unknown {
  return {
    StreamConfig: {},
    State: { Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 48213, ExitCode: 0, Error: '', StartedAt: '2025-05-02T09:14:11.52Z', FinishedAt: '0001-01-01T00:00:00Z', Health: null },
    ID: id,
    Created: '2025-05-02T09:14:10.9Z',
    Managed: false,
    Path: '/docker-entrypoint.sh',
    Args: ['nginx', '-g', 'daemon off;'],
    Config: {
      Hostname: id.slice(0, 12),
      Domainname: '',
      User: '',
      ExposedPorts: { '80/tcp': {} },
      Tty: false,
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NGINX_VERSION=1.25.5'],
      Cmd: ['nginx', '-g', 'daemon off;'],
      Image: image,
      Volumes: null,
      WorkingDir: '',
      Entrypoint: ['/docker-entrypoint.sh'],
      OnBuild: null,
      Labels: labels,
      StopSignal: 'SIGQUIT',
    },
    Image: DOCKER_IMAGE_ID,
    ImageManifest: null,
    NetworkSettings: { Bridge: '', SandboxID: 'c0ffee', Networks: {} },
    LogPath: `/var/lib/docker/containers/${id}/${id}-json.log`,
    Name: `/${name}`,
    Driver: 'overlay2',
    OS: 'linux',
    RestartCount: 0,
    MountPoints: {},
    AppArmorProfile: 'docker-default',
  };
}

export const COMPOSE_LABELS = {
  'com.docker.compose.project': 'shop',
  'com.docker.compose.service': 'web',
  maintainer: 'NGINX Docker Maintainers <docker-maint@nginx.com>',
};

/** A kubelet-created container under docker (cri-dockerd): the pod lives in its labels. */
export const DOCKER_KUBE_LABELS = {
  'io.kubernetes.container.name': 'api',
  'io.kubernetes.docker.type': 'container',
  'io.kubernetes.pod.name': 'api-7d9f8b6c5-h2kq9',
  'io.kubernetes.pod.namespace': 'default',
  'io.kubernetes.pod.uid': POD_UID,
  'io.kubernetes.sandbox.id': 'ffee',
};

export function ociSpec(annotations: Record<string, string>): unknown {
  return { ociVersion: '1.1.0', process: { args: ['/app'], cwd: '/' }, root: { path: 'rootfs' }, annotations, linux: { namespaces: [] } };
}

export const CONTAINERD_ANNOTATIONS = {
  'io.kubernetes.cri.container-name': 'coredns',
  'io.kubernetes.cri.container-type': 'container',
  'io.kubernetes.cri.image-name': 'registry.k8s.io/coredns/coredns:v1.11.1',
  'io.kubernetes.cri.sandbox-id': IDS.containerdSandbox,
  'io.kubernetes.cri.sandbox-name': 'coredns-5dd5756b68-x7k2p',
  'io.kubernetes.cri.sandbox-namespace': 'kube-system',
  'io.kubernetes.cri.sandbox-uid': POD_UID,
};

export const CONTAINERD_SANDBOX_ANNOTATIONS = {
  'io.kubernetes.cri.container-type': 'sandbox',
  'io.kubernetes.cri.sandbox-id': IDS.containerdSandbox,
  'io.kubernetes.cri.sandbox-log-directory': `/var/log/pods/kube-system_coredns-5dd5756b68-x7k2p_${POD_UID}`,
  'io.kubernetes.cri.sandbox-name': 'coredns-5dd5756b68-x7k2p',
  'io.kubernetes.cri.sandbox-namespace': 'kube-system',
  'io.kubernetes.cri.sandbox-uid': POD_UID,
};

const CRIO_LABELS = {
  'io.kubernetes.container.name': 'api',
  'io.kubernetes.pod.name': 'api-6b7c9d-2xq4k',
  'io.kubernetes.pod.namespace': 'shop',
  'io.kubernetes.pod.uid': CRIO_POD_UID,
};

export function crioAnnotations(id: string): Record<string, string> {
  return {
    'io.container.manager': 'cri-o',
    'io.kubernetes.container.hash': '8a1b4c2d',
    'io.kubernetes.container.name': 'api',
    'io.kubernetes.container.restartCount': '0',
    'io.kubernetes.cri-o.Annotations': JSON.stringify({ 'io.kubernetes.container.hash': '8a1b4c2d', 'io.kubernetes.container.restartCount': '0' }),
    'io.kubernetes.cri-o.ContainerID': id,
    'io.kubernetes.cri-o.ContainerName': `k8s_api_api-6b7c9d-2xq4k_shop_${CRIO_POD_UID}_0`,
    'io.kubernetes.cri-o.ContainerType': 'container',
    'io.kubernetes.cri-o.Created': '2025-05-02T09:14:10.912345678Z',
    'io.kubernetes.cri-o.ImageName': 'quay.io/acme/api:2.3.1',
    'io.kubernetes.cri-o.ImageRef': 'quay.io/acme/api@sha256:5b0d3c2a1f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c',
    'io.kubernetes.cri-o.Labels': JSON.stringify(CRIO_LABELS),
    'io.kubernetes.cri-o.Name': `k8s_api_api-6b7c9d-2xq4k_shop_${CRIO_POD_UID}_0`,
    'io.kubernetes.cri-o.SandboxID': 'cafe',
    'io.kubernetes.pod.name': 'api-6b7c9d-2xq4k',
    'io.kubernetes.pod.namespace': 'shop',
    'io.kubernetes.pod.uid': CRIO_POD_UID,
  };
}

export const POD_UIDS = { kube: POD_UID, crio: CRIO_POD_UID } as const;

function put(root: string, path: string, data: string | Buffer | unknown): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
}

/** Every runtime's state for the containers in IDS, below `hostRoot`, at the runtimes' default paths. */
export function writeRuntimeState(hostRoot: string): void {
  const storage = '/var/lib/containers/storage';
  put(hostRoot, `${storage}/overlay-containers/containers.json`, podmanContainersJson());
  put(hostRoot, `${storage}/overlay-images/images.json`, podmanImagesJson());
  put(hostRoot, `${storage}/overlay-containers/${IDS.podman}/userdata/config.json`, LIBPOD_SPEC);
  put(hostRoot, `${storage}/overlay-containers/${IDS.podmanInPod}/userdata/config.json`, LIBPOD_SPEC);
  put(hostRoot, `${storage}/overlay-containers/${IDS.crioInPodmanStorage}/userdata/config.json`, ociSpec(crioAnnotations(IDS.crioInPodmanStorage)));
  put(hostRoot, `${storage}/libpod/bolt_state.db`, libpodBoltDb());
  put(hostRoot, `/var/lib/docker/containers/${IDS.docker}/config.v2.json`, dockerConfigV2(IDS.docker, 'shop-web-1', COMPOSE_LABELS));
  put(hostRoot, `/var/lib/docker/containers/${IDS.dockerKube}/config.v2.json`, dockerConfigV2(IDS.dockerKube, `k8s_api_api-7d9f8b6c5-h2kq9_default_${POD_UID}_0`, DOCKER_KUBE_LABELS, 'ghcr.io/acme/api@sha256:0f0e'));
  const tasks = '/run/containerd/io.containerd.runtime.v2.task';
  put(hostRoot, `${tasks}/k8s.io/${IDS.containerd}/config.json`, ociSpec(CONTAINERD_ANNOTATIONS));
  put(hostRoot, `${tasks}/k8s.io/${IDS.containerdSandbox}/config.json`, ociSpec(CONTAINERD_SANDBOX_ANNOTATIONS));
  put(hostRoot, `${tasks}/moby/${IDS.moby}/config.json`, ociSpec({}));
  put(hostRoot, `/run/containers/storage/overlay-containers/${IDS.crio}/userdata/config.json`, ociSpec(crioAnnotations(IDS.crio)));
  put(hostRoot, `/run/containers/storage/overlay-containers/${IDS.crioInPodmanStorage}/userdata/config.json`, ociSpec(crioAnnotations(IDS.crioInPodmanStorage)));
}
