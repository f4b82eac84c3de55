// Reading container runtimes' on-disk state (and docker's API socket) to describe one container id.
// Every read is asynchronous and bounded (file size caps, a socket timeout), and nothing here contacts a network
// or an image registry. Every path is read below a host root, so an agent running in a container with the host's
// filesystem mounted at /host (CLEARTAP_HOST_ROOT=/host) reads the host's runtimes, not its own.
//
// A source answers found / absent (this runtime does not know the id: the normal case for every runtime but
// one) / error (it may know it but we could not read it: permissions, a torn file, a daemon that does not answer).

import { request } from 'node:http';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerRuntime } from './cgroup-container.ts';
import { boltGet } from './container-boltdb.ts';
import {
  containerdMetadata,
  crioMetadata,
  dockerMetadata,
  indexStorageContainers,
  indexStorageImages,
  isCrioSpec,
  ociAnnotations,
  parseLibpodConfig,
  podFromKubeLabels,
  podmanMetadata,
  type ContainerMetadata,
  type ContainerMetadataSource,
  type StorageContainer,
} from './container-metadata.ts';

export interface ContainerSourceOptions {
  /** Prefix of every path below: where the host's root filesystem is. Default CLEARTAP_HOST_ROOT, else ''. */
  hostRoot?: string;
  /** containers-storage graph roots that podman uses. Default ['/var/lib/containers/storage']. */
  podmanStorageRoots?: readonly string[];
  /** Docker's data root. Default '/var/lib/docker'. */
  dockerRoot?: string;
  /** Docker Engine API socket, asked when config.v2.json cannot be read; '' disables. Default '/var/run/docker.sock'. */
  dockerSocket?: string;
  dockerApiTimeoutMs?: number;
  /** containerd's runtime-v2 task state: <root>/<namespace>/<id>/config.json. */
  containerdTaskRoot?: string;
  /** cri-o's containers-storage run root: <root>/overlay-containers/<id>/userdata/config.json. */
  crioRunRoot?: string;
  /** Larger files are refused (a runtime state file this big is not one we understand). */
  maxFileBytes?: number;
}

export const CONTAINER_SOURCE_DEFAULTS = {
  podmanStorageRoots: ['/var/lib/containers/storage'],
  dockerRoot: '/var/lib/docker',
  dockerSocket: '/var/run/docker.sock',
  dockerApiTimeoutMs: 1000,
  containerdTaskRoot: '/run/containerd/io.containerd.runtime.v2.task',
  crioRunRoot: '/run/containers/storage',
  maxFileBytes: 64 * 1024 * 1024,
} as const;

export type SourceResult =
  | { kind: 'found'; metadata: ContainerMetadata }
  | { kind: 'absent' }
  | { kind: 'error'; error: string };

const ABSENT: SourceResult = { kind: 'absent' };

/**
 * Which sources to ask, most likely first, given the cgroup path's guess. All are asked in the end (an id is
 * unique across runtimes, so a later match is still right), but the guess decides who answers fastest.
 */
export function sourceOrder(guess: ContainerRuntime | undefined): readonly ContainerMetadataSource[] {
  switch (guess) {
    case 'podman':
      return ['podman', 'cri-o', 'containerd', 'docker-file', 'docker-api'];
    case 'docker':
      return ['docker-file', 'docker-api', 'containerd', 'podman', 'cri-o'];
    case 'containerd':
      return ['containerd', 'cri-o', 'docker-file', 'docker-api', 'podman'];
    case 'cri-o':
      return ['cri-o', 'podman', 'containerd', 'docker-file', 'docker-api'];
    default:
      return ['containerd', 'cri-o', 'docker-file', 'docker-api', 'podman'];
  }
}

type FileRead = { ok: true; bytes: Buffer } | { ok: false; result: SourceResult };

function errnoOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'UNKNOWN';
}

function isAbsentErrno(errno: string): boolean {
  return errno === 'ENOENT' || errno === 'ENOTDIR';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface ParsedFile<T> {
  dev: number;
  ino: number;
  mtimeMs: number;
  size: number;
  value: T;
}

export class ContainerSources {
  readonly #hostRoot: string;
  readonly #podmanRoots: readonly string[];
  readonly #dockerRoot: string;
  readonly #dockerSocket: string;
  readonly #dockerTimeoutMs: number;
  readonly #containerdRoot: string;
  readonly #crioRunRoot: string;
  readonly #maxFileBytes: number;
  // containers.json / images.json hold every container / image: parse each once per change, not per lookup.
  readonly #parsed = new Map<string, ParsedFile<unknown>>();

  constructor(options: ContainerSourceOptions = {}) {
    this.#hostRoot = options.hostRoot ?? process.env.CLEARTAP_HOST_ROOT ?? '';
    this.#podmanRoots = options.podmanStorageRoots ?? CONTAINER_SOURCE_DEFAULTS.podmanStorageRoots;
    this.#dockerRoot = options.dockerRoot ?? CONTAINER_SOURCE_DEFAULTS.dockerRoot;
    this.#dockerSocket = options.dockerSocket ?? CONTAINER_SOURCE_DEFAULTS.dockerSocket;
    this.#dockerTimeoutMs = options.dockerApiTimeoutMs ?? CONTAINER_SOURCE_DEFAULTS.dockerApiTimeoutMs;
    this.#containerdRoot = options.containerdTaskRoot ?? CONTAINER_SOURCE_DEFAULTS.containerdTaskRoot;
    this.#crioRunRoot = options.crioRunRoot ?? CONTAINER_SOURCE_DEFAULTS.crioRunRoot;
    this.#maxFileBytes = options.maxFileBytes ?? CONTAINER_SOURCE_DEFAULTS.maxFileBytes;
  }

  /** A host path as this process sees it. */
  hostPath(path: string): string {
    return this.#hostRoot === '' ? path : join(this.#hostRoot, path);
  }

  lookup(source: ContainerMetadataSource, id: string): Promise<SourceResult> {
    switch (source) {
      case 'podman':
        return this.#podman(id);
      case 'docker-file':
        return this.#dockerFile(id);
      case 'docker-api':
        return this.#dockerApi(id);
      case 'containerd':
        return this.#containerd(id);
      case 'cri-o':
        return this.#crio(id);
    }
  }

  async #readFile(path: string): Promise<FileRead> {
    try {
      const st = await stat(path);
      if (st.size > this.#maxFileBytes) {
        return { ok: false, result: { kind: 'error', error: `${path} is ${st.size} bytes, over the ${this.#maxFileBytes}-byte cap` } };
      }
      return { ok: true, bytes: await readFile(path) };
    } catch (err) {
      const errno = errnoOf(err);
      return { ok: false, result: isAbsentErrno(errno) ? ABSENT : { kind: 'error', error: `${path}: ${errno}` } };
    }
  }

  async #readJson(path: string): Promise<{ ok: true; json: unknown } | { ok: false; result: SourceResult }> {
    const file = await this.#readFile(path);
    if (!file.ok) return file;
    try {
      return { ok: true, json: JSON.parse(file.bytes.toString('utf8')) };
    } catch (err) {
      return { ok: false, result: { kind: 'error', error: `${path}: ${messageOf(err)}` } };
    }
  }

  // Parsed once per version of the file: runtimes replace these files by rename, so the inode changes too.
  async #readIndexed<T>(path: string, index: (json: unknown) => T): Promise<{ ok: true; value: T } | { ok: false; result: SourceResult }> {
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      const errno = errnoOf(err);
      return { ok: false, result: isAbsentErrno(errno) ? ABSENT : { kind: 'error', error: `${path}: ${errno}` } };
    }
    const cached = this.#parsed.get(path);
    if (cached !== undefined && cached.dev === st.dev && cached.ino === st.ino && cached.mtimeMs === st.mtimeMs && cached.size === st.size) {
      return { ok: true, value: cached.value as T };
    }
    const read = await this.#readJson(path);
    if (!read.ok) return read;
    const value = index(read.json);
    this.#parsed.set(path, { dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, value });
    return { ok: true, value };
  }

  async #podman(id: string): Promise<SourceResult> {
    let error: string | undefined;
    for (const root of this.#podmanRoots) {
      const graph = this.hostPath(root);
      const containers = await this.#readIndexed(join(graph, 'overlay-containers', 'containers.json'), indexStorageContainers);
      if (!containers.ok && containers.result.kind === 'error') error ??= containers.result.error;
      const storage: StorageContainer | undefined = containers.ok ? containers.value.get(id) : undefined;
      // The OCI spec podman handed the runtime; it is also there for cri-o's containers (same storage library).
      const spec = await this.#readJson(join(graph, 'overlay-containers', id, 'userdata', 'config.json'));
      const annotations = spec.ok ? ociAnnotations(spec.json) : undefined;
      if (isCrioSpec(annotations)) return ABSENT;
      if (storage === undefined && !spec.ok) continue;
      const images = storage?.imageId !== undefined && storage.imageName === undefined
        ? await this.#readIndexed(join(graph, 'overlay-images', 'images.json'), indexStorageImages)
        : undefined;
      const state = await this.#libpodState(graph, id);
      const metadata = podmanMetadata(id, {
        storage,
        imageNames: images?.ok === true ? images.value : undefined,
        libpod: state.libpod,
        podName: state.podName,
      });
      if (metadata === undefined) continue;
      // Pods from `podman kube play` carry kubelet-style keys in the spec's annotations.
      if (metadata.pod === undefined) {
        const pod = podFromKubeLabels(annotations);
        if (pod !== undefined) metadata.pod = pod;
      }
      return { kind: 'found', metadata };
    }
    return error !== undefined ? { kind: 'error', error } : ABSENT;
  }

  // Labels and pod live only in libpod's state database (BoltDB in podman 4; podman 5's SQLite is not read).
  async #libpodState(graph: string, id: string): Promise<{ libpod?: ReturnType<typeof parseLibpodConfig>; podName?: string }> {
    const db = await this.#readFile(join(graph, 'libpod', 'bolt_state.db'));
    if (!db.ok) return {};
    const libpod = parseLibpodConfig(jsonOf(boltGet(db.bytes, ['ctr', id], 'config')));
    let podName: string | undefined;
    if (libpod?.podId !== undefined) {
      const pod = jsonOf(boltGet(db.bytes, ['pod', libpod.podId], 'config'));
      if (typeof pod === 'object' && pod !== null && 'name' in pod && typeof pod.name === 'string') podName = pod.name;
    }
    return podName === undefined ? { libpod } : { libpod, podName };
  }

  async #dockerFile(id: string): Promise<SourceResult> {
    const read = await this.#readJson(this.hostPath(join(this.#dockerRoot, 'containers', id, 'config.v2.json')));
    if (!read.ok) return read.result;
    const metadata = dockerMetadata(read.json, 'docker-file');
    return metadata !== undefined && metadata.id === id ? { kind: 'found', metadata } : { kind: 'error', error: `config.v2.json of ${id} names another container` };
  }

  #dockerApi(id: string): Promise<SourceResult> {
    if (this.#dockerSocket === '') return Promise.resolve(ABSENT);
    const socketPath = this.hostPath(this.#dockerSocket);
    const maxBytes = this.#maxFileBytes;
    return new Promise<SourceResult>((resolve) => {
      let settled = false;
      const done = (r: SourceResult) => {
        if (!settled) {
          settled = true;
          resolve(r);
        }
      };
      const req = request({ socketPath, path: `/containers/${encodeURIComponent(id)}/json`, method: 'GET', timeout: this.#dockerTimeoutMs });
      req.on('timeout', () => {
        req.destroy();
        done({ kind: 'error', error: `${socketPath}: no answer in ${this.#dockerTimeoutMs} ms` });
      });
      req.on('error', (err) => {
        const errno = errnoOf(err);
        // No socket: docker is not installed here, which is not an error.
        done(isAbsentErrno(errno) ? ABSENT : { kind: 'error', error: `${socketPath}: ${errno}` });
      });
      req.on('response', (res) => {
        if (res.statusCode === 404) {
          res.resume();
          done(ABSENT);
          return;
        }
        if (res.statusCode !== 200) {
          res.resume();
          done({ kind: 'error', error: `${socketPath}: GET /containers/${id}/json answered ${res.statusCode}` });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy();
            done({ kind: 'error', error: `${socketPath}: answer over ${maxBytes} bytes` });
          } else {
            chunks.push(chunk);
          }
        });
        res.on('error', (err) => done({ kind: 'error', error: `${socketPath}: ${messageOf(err)}` }));
        res.on('end', () => {
          try {
            const metadata = dockerMetadata(JSON.parse(Buffer.concat(chunks).toString('utf8')), 'docker-api');
            done(metadata !== undefined ? { kind: 'found', metadata } : { kind: 'error', error: `${socketPath}: answer has no container id` });
          } catch (err) {
            done({ kind: 'error', error: `${socketPath}: ${messageOf(err)}` });
          }
        });
      });
      req.end();
    });
  }

  async #containerd(id: string): Promise<SourceResult> {
    const root = this.hostPath(this.#containerdRoot);
    let namespaces: string[];
    try {
      namespaces = await readdir(root);
    } catch (err) {
      const errno = errnoOf(err);
      return isAbsentErrno(errno) ? ABSENT : { kind: 'error', error: `${root}: ${errno}` };
    }
    // Kubernetes' namespace first: that is where nearly all containerd containers on a node live.
    namespaces.sort((a, b) => Number(b === 'k8s.io') - Number(a === 'k8s.io'));
    let error: string | undefined;
    for (const ns of namespaces) {
      const read = await this.#readJson(join(root, ns, id, 'config.json'));
      if (!read.ok) {
        if (read.result.kind === 'error') error ??= read.result.error;
        continue;
      }
      const metadata = containerdMetadata(id, ociAnnotations(read.json));
      // Docker keeps its containers in containerd's "moby" namespace; the spec there says nothing about names.
      if (ns === 'moby') metadata.runtime = 'docker';
      return { kind: 'found', metadata };
    }
    return error !== undefined ? { kind: 'error', error } : ABSENT;
  }

  async #crio(id: string): Promise<SourceResult> {
    const read = await this.#readJson(this.hostPath(join(this.#crioRunRoot, 'overlay-containers', id, 'userdata', 'config.json')));
    if (!read.ok) return read.result;
    const annotations = ociAnnotations(read.json);
    // podman shares this run root (without a config.json today); only a spec cri-o wrote is cri-o's.
    if (annotations === undefined || !isCrioSpec(annotations)) return ABSENT;
    return { kind: 'found', metadata: crioMetadata(id, annotations) };
  }
}

function jsonOf(bytes: Buffer | undefined): unknown {
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
