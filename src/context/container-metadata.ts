// What a container runtime's own state says about a container: name, image, labels, Kubernetes pod.
// Pure: each function turns one runtime file's parsed JSON into metadata, so every runtime's format is pinned by
// tests with real-looking documents. Reading the files (and the docker socket) is container-sources.ts.
//
// Field names, by runtime:
// - podman / containers-storage: overlay-containers/containers.json [{id, names, image, metadata: "<JSON text>
//   {image-name, image-id, name}"}], overlay-images/images.json [{id, names}], and libpod's own container config
//   (JSON in its BoltDB: {id, name, pod, labels, rootfsImageID, rootfsImageName, RawImageName}).
// - docker: /var/lib/docker/containers/<id>/config.v2.json {ID, Name: "/web", Image: "sha256:…", Config: {Image,
//   Labels}}; the Engine API's GET /containers/<id>/json has the same shape with "Id".
// - containerd CRI and cri-o: the OCI runtime spec (config.json) annotations, named in CRI_* and CRIO_* below.

import type { ContainerRuntime } from './cgroup-container.ts';

/** Where a ContainerMetadata came from (counters are kept per source). */
export type ContainerMetadataSource = 'podman' | 'docker-file' | 'docker-api' | 'containerd' | 'cri-o';

export interface PodInfo {
  uid?: string;
  name?: string;
  namespace?: string;
  /** The container's name inside its pod spec (Kubernetes), which is what people call the container. */
  containerName?: string;
}

export interface ContainerMetadata {
  /** Full 64-hex id. */
  id: string;
  /** Without docker's leading "/". */
  name?: string;
  /** Image reference as the container was created from it (e.g. "docker.io/library/nginx:1.25"). */
  image?: string;
  /** Image id (hex, or "sha256:…" where the runtime spells it so). */
  imageId?: string;
  labels?: Record<string, string>;
  /** The runtime whose state described the container (a fact, unlike the cgroup path's guess). */
  runtime: ContainerRuntime;
  /** Kubernetes pod (CRI runtimes, docker with kubelet labels) or podman pod (name only). */
  pod?: PodInfo;
  source: ContainerMetadataSource;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Only string values survive: labels and annotations are string maps, anything else is corruption. */
export function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string') {
      out[k] = val;
      n++;
    }
  }
  return n > 0 ? out : undefined;
}

function parseJsonText(v: unknown): unknown {
  if (typeof v !== 'string' || v === '') return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

function firstName(v: unknown): string | undefined {
  return Array.isArray(v) ? v.map(str).find((s) => s !== undefined) : undefined;
}

// Assign only defined values, so results compare cleanly with deepEqual and print without `undefined` noise.
function withDefined<T extends object>(target: T, fields: Partial<T>): T {
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  }
  return target;
}

function podOf(fields: PodInfo): PodInfo | undefined {
  const pod = withDefined<PodInfo>({}, fields);
  return Object.keys(pod).length > 0 ? pod : undefined;
}

// ---- Kubernetes labels (docker via dockershim/cri-dockerd, cri-o's label copy) ----

const KUBE_CONTAINER_NAME = 'io.kubernetes.container.name';
const KUBE_POD_NAME = 'io.kubernetes.pod.name';
const KUBE_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
const KUBE_POD_UID = 'io.kubernetes.pod.uid';

/** The pod fields kubelet stamps on every container it creates (as labels or annotations). */
export function podFromKubeLabels(labels: Record<string, string> | undefined): PodInfo | undefined {
  if (labels === undefined) return undefined;
  return podOf({
    uid: str(labels[KUBE_POD_UID]),
    name: str(labels[KUBE_POD_NAME]),
    namespace: str(labels[KUBE_POD_NAMESPACE]),
    containerName: str(labels[KUBE_CONTAINER_NAME]),
  });
}

// ---- containers-storage (podman, cri-o) ----

export interface StorageContainer {
  names: string[];
  imageId?: string;
  /** From the metadata text podman writes: the reference the container was created from. */
  imageName?: string;
}

/** overlay-containers/containers.json → id → entry. */
export function indexStorageContainers(json: unknown): Map<string, StorageContainer> {
  const index = new Map<string, StorageContainer>();
  if (!Array.isArray(json)) return index;
  for (const entry of json) {
    if (!isObject(entry)) continue;
    const id = str(entry.id);
    if (id === undefined) continue;
    const names = Array.isArray(entry.names) ? entry.names.filter((n): n is string => typeof n === 'string') : [];
    const meta = parseJsonText(entry.metadata);
    const imageName = isObject(meta) ? str(meta['image-name']) : undefined;
    index.set(id, withDefined<StorageContainer>({ names }, { imageId: str(entry.image), imageName }));
  }
  return index;
}

/** overlay-images/images.json → image id → its first name (images without a name map to nothing). */
export function indexStorageImages(json: unknown): Map<string, string> {
  const index = new Map<string, string>();
  if (!Array.isArray(json)) return index;
  for (const entry of json) {
    if (!isObject(entry)) continue;
    const id = str(entry.id);
    const name = firstName(entry.names);
    if (id !== undefined && name !== undefined) index.set(id, name);
  }
  return index;
}

export interface LibpodConfig {
  name?: string;
  labels?: Record<string, string>;
  podId?: string;
  imageId?: string;
  imageName?: string;
}

/** libpod's container config (BoltDB ctr/<id>/config). */
export function parseLibpodConfig(json: unknown): LibpodConfig | undefined {
  if (!isObject(json)) return undefined;
  return withDefined<LibpodConfig>({}, {
    name: str(json.name),
    labels: stringMap(json.labels),
    podId: str(json.pod),
    imageId: str(json.rootfsImageID),
    imageName: str(json.rootfsImageName) ?? str(json.RawImageName),
  });
}

/** Merges what podman's files say; any part may be missing (a container the state DB has not recorded yet). */
export function podmanMetadata(
  id: string,
  parts: { storage?: StorageContainer; imageNames?: Map<string, string>; libpod?: LibpodConfig; podName?: string },
): ContainerMetadata | undefined {
  const { storage, libpod } = parts;
  if (storage === undefined && libpod === undefined) return undefined;
  const imageId = storage?.imageId ?? libpod?.imageId;
  const image = storage?.imageName ?? libpod?.imageName ?? (imageId !== undefined ? parts.imageNames?.get(imageId) : undefined);
  return withDefined<ContainerMetadata>({ id, runtime: 'podman', source: 'podman' }, {
    // containers-storage is updated by `podman rename`, so it wins over the config written at creation.
    name: storage?.names[0] ?? libpod?.name,
    image,
    imageId,
    labels: libpod?.labels,
    pod: parts.podName !== undefined ? { name: parts.podName } : undefined,
  });
}

// ---- docker ----

/** config.v2.json or the Engine API's container JSON. */
export function dockerMetadata(json: unknown, source: 'docker-file' | 'docker-api'): ContainerMetadata | undefined {
  if (!isObject(json)) return undefined;
  const id = str(json.ID) ?? str(json.Id);
  if (id === undefined) return undefined;
  const config = isObject(json.Config) ? json.Config : {};
  const labels = stringMap(config.Labels);
  const rawName = str(json.Name);
  return withDefined<ContainerMetadata>({ id, runtime: 'docker', source }, {
    name: rawName?.startsWith('/') ? rawName.slice(1) || undefined : rawName,
    image: str(config.Image),
    imageId: str(json.Image),
    labels,
    pod: podFromKubeLabels(labels),
  });
}

// ---- OCI runtime spec annotations (containerd CRI, cri-o) ----

export const CRI_ANNOTATIONS = {
  containerType: 'io.kubernetes.cri.container-type',
  containerName: 'io.kubernetes.cri.container-name',
  sandboxName: 'io.kubernetes.cri.sandbox-name',
  sandboxNamespace: 'io.kubernetes.cri.sandbox-namespace',
  sandboxUid: 'io.kubernetes.cri.sandbox-uid',
  imageName: 'io.kubernetes.cri.image-name',
} as const;

export const CRIO_ANNOTATIONS = {
  containerType: 'io.kubernetes.cri-o.ContainerType',
  containerName: 'io.kubernetes.cri-o.ContainerName',
  name: 'io.kubernetes.cri-o.Name',
  imageName: 'io.kubernetes.cri-o.ImageName',
  imageRef: 'io.kubernetes.cri-o.ImageRef',
  labels: 'io.kubernetes.cri-o.Labels',
} as const;

/** The annotations of an OCI runtime spec (config.json), or undefined when it has none. */
export function ociAnnotations(json: unknown): Record<string, string> | undefined {
  return isObject(json) ? stringMap(json.annotations) : undefined;
}

/** containerd's CRI plugin: a Kubernetes container (or, type "sandbox", the pod's pause container). */
export function containerdMetadata(id: string, annotations: Record<string, string> | undefined): ContainerMetadata {
  const meta: ContainerMetadata = { id, runtime: 'containerd', source: 'containerd' };
  if (annotations === undefined) return meta;
  const a = annotations;
  const sandbox = a[CRI_ANNOTATIONS.containerType] === 'sandbox';
  const containerName = sandbox ? undefined : str(a[CRI_ANNOTATIONS.containerName]);
  return withDefined(meta, {
    name: containerName ?? str(a[CRI_ANNOTATIONS.sandboxName]),
    image: str(a[CRI_ANNOTATIONS.imageName]),
    pod: podOf({
      uid: str(a[CRI_ANNOTATIONS.sandboxUid]),
      name: str(a[CRI_ANNOTATIONS.sandboxName]),
      namespace: str(a[CRI_ANNOTATIONS.sandboxNamespace]),
      containerName,
    }),
  });
}

/** Whether annotations were written by cri-o (libpod writes a few io.kubernetes.cri-o.* keys too). */
export function isCrioSpec(annotations: Record<string, string> | undefined): boolean {
  return annotations !== undefined && annotations['io.container.manager'] !== 'libpod' && CRIO_ANNOTATIONS.containerType in annotations;
}

/** cri-o: kubelet's labels are kept as JSON text in one annotation, and also copied to top-level annotations. */
export function crioMetadata(id: string, annotations: Record<string, string>): ContainerMetadata {
  const a = annotations;
  const labels = stringMap(parseJsonText(a[CRIO_ANNOTATIONS.labels]));
  const fromLabels = podFromKubeLabels(labels) ?? {};
  const fromAnnotations = podFromKubeLabels(a) ?? {};
  const sandbox = a[CRIO_ANNOTATIONS.containerType] === 'sandbox';
  const pod = podOf({ ...fromLabels, ...fromAnnotations });
  if (sandbox && pod !== undefined) delete pod.containerName;
  return withDefined<ContainerMetadata>({ id, runtime: 'cri-o', source: 'cri-o' }, {
    name: (sandbox ? pod?.name : pod?.containerName) ?? str(a[CRIO_ANNOTATIONS.name]) ?? str(a[CRIO_ANNOTATIONS.containerName]),
    image: str(a[CRIO_ANNOTATIONS.imageName]),
    imageId: str(a[CRIO_ANNOTATIONS.imageRef]),
    labels,
    pod,
  });
}
