// /proc/PID/cgroup → which container (and Kubernetes pod) a process runs in.
// Pure: no I/O, so every runtime's layout is pinned by table-driven tests with real-looking lines.
//
// Hosts differ in layout: cgroup v2 has one "0::/path" line; v1 and hybrid hosts (this project's VMs are hybrid,
// kernel-notes.md "Containers") have one "N:controllers:/path" line per hierarchy, and on hybrid hosts the "0::"
// line is often just "/" because only a minor controller lives on the v2 side. So every line is examined.

/** The runtime whose naming convention matched; a guess from the path, not a fact from the runtime. */
export type ContainerRuntime = 'docker' | 'containerd' | 'cri-o' | 'podman' | 'kubernetes' | 'unknown';

export interface CgroupContainer {
  /**
   * The cgroup path that names the container. When no container is named: the process's own cgroup from the v2
   * line or the name=systemd line (e.g. "/system.slice/nginx.service") when that is not the root, else ''.
   */
  cgroupPath: string;
  /** Full 64-hex container id. */
  containerId?: string;
  /** Kubernetes pod UID in its canonical dashed form (the systemd driver spells it with underscores). */
  podUid?: string;
  /** The pod's QoS class: its cgroup sits under kubepods/burstable, kubepods/besteffort, or kubepods itself. */
  podQos?: PodQos;
  runtime?: ContainerRuntime;
}

export type PodQos = 'guaranteed' | 'burstable' | 'besteffort';

interface CgroupLine {
  hierarchy: string;
  controllers: string;
  path: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

// `<prefix>-<64hex>` with an optional `.scope`: docker-…scope (systemd driver), cri-containerd-…scope,
// crio-…scope, libpod-…scope, and podman's cgroupfs form `libpod-<id>` without a suffix.
const PREFIXED_ID = /^([a-z][a-z0-9_-]*?)-([0-9a-f]{64})(?:\.scope)?$/;

// Dashed (cgroupfs driver), underscored (systemd driver) or 32-hex (static/mirror pods, whose UID is a hash).
const POD_UID = '([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12}|[0-9a-f]{32})';
const POD_CGROUPFS = new RegExp(`^pod${POD_UID}$`);
const POD_SYSTEMD = new RegExp(`^kubepods(?:-[a-z]+)?-pod${POD_UID}\\.slice$`);

const RUNTIME_BY_PREFIX: Readonly<Record<string, ContainerRuntime>> = {
  docker: 'docker',
  'cri-containerd': 'containerd',
  nerdctl: 'containerd',
  crio: 'cri-o',
  libpod: 'podman',
};

function parseLines(text: string): CgroupLine[] {
  const lines: CgroupLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // The path itself may contain ':' (nothing forbids it in a cgroup name), so split on the first two only.
    const first = line.indexOf(':');
    if (first < 0) continue;
    const second = line.indexOf(':', first + 1);
    if (second < 0) continue;
    const path = line.slice(second + 1);
    if (!path.startsWith('/')) continue;
    lines.push({ hierarchy: line.slice(0, first), controllers: line.slice(first + 1, second), path });
  }
  return lines;
}

interface PathMatch {
  containerId?: string;
  /** The path cut just after the segment that named the container (drops e.g. podman's "/container" leaf). */
  containerPath?: string;
  podUid?: string;
  podQos?: PodQos;
  runtime?: ContainerRuntime;
}

/** "burstable" / "kubepods-burstable.slice" → burstable; a pod directly under kubepods is guaranteed. */
function qosOf(segments: readonly string[], podIndex: number): PodQos {
  const parent = segments[podIndex - 1] ?? '';
  if (/(?:^|-)burstable(?:\.slice)?$/.test(parent)) return 'burstable';
  if (/(?:^|-)besteffort(?:\.slice)?$/.test(parent)) return 'besteffort';
  return 'guaranteed';
}

function matchPath(path: string): PathMatch {
  const segments = path.split('/');
  const inKubepods = segments.some((s) => s === 'kubepods' || s.startsWith('kubepods.') || s.startsWith('kubepods-'));
  const match: PathMatch = {};
  let afterDocker = false;
  // The innermost id wins (docker-in-docker nests one container cgroup inside another).
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] ?? '';
    if (inKubepods && match.podUid === undefined) {
      const pod = POD_CGROUPFS.exec(seg) ?? POD_SYSTEMD.exec(seg);
      if (pod?.[1] !== undefined) {
        match.podUid = pod[1].replaceAll('_', '-');
        match.podQos = qosOf(segments, i);
      }
    }
    let id: string | undefined;
    let runtime: ContainerRuntime | undefined;
    if (HEX64.test(seg)) {
      id = seg;
      runtime = afterDocker ? 'docker' : inKubepods ? 'kubernetes' : 'unknown';
    } else {
      const prefixed = PREFIXED_ID.exec(seg);
      // conmon is podman's/cri-o's monitor process, a sibling of the container, not the container itself.
      if (prefixed?.[1] !== undefined && prefixed[2] !== undefined && !prefixed[1].endsWith('conmon')) {
        id = prefixed[2];
        runtime = RUNTIME_BY_PREFIX[prefixed[1]] ?? 'unknown';
      }
    }
    if (id !== undefined) {
      match.containerId = id;
      match.runtime = runtime;
      match.containerPath = segments.slice(0, i + 1).join('/');
    }
    afterDocker = seg === 'docker';
  }
  return match;
}

// Which line's path to report when several name the same container: the unified (v2) line first, then the
// systemd named hierarchy, then the rest in file order; they normally agree.
function linePreference(line: CgroupLine): number {
  if (line.hierarchy === '0' && line.controllers === '') return 0;
  if (line.controllers === 'name=systemd') return 1;
  return 2;
}

export function containerFromCgroup(text: string): CgroupContainer {
  const lines = parseLines(text).sort((a, b) => linePreference(a) - linePreference(b));
  let podUid: string | undefined;
  let podQos: PodQos | undefined;
  for (const line of lines) {
    const m = matchPath(line.path);
    podUid ??= m.podUid;
    podQos ??= m.podQos;
    if (m.containerId !== undefined && m.containerPath !== undefined) {
      const result: CgroupContainer = { cgroupPath: m.containerPath, containerId: m.containerId };
      const pod = m.podUid ?? podUid;
      if (pod !== undefined) result.podUid = pod;
      const qos = m.podQos ?? podQos;
      if (qos !== undefined) result.podQos = qos;
      result.runtime = m.runtime === 'unknown' && pod !== undefined ? 'kubernetes' : m.runtime;
      return result;
    }
  }
  // No container: still report the process's own cgroup (a systemd service, a pod's pause sandbox…).
  const own = lines.find((l) => linePreference(l) < 2 && l.path !== '/');
  const result: CgroupContainer = { cgroupPath: own?.path ?? '' };
  if (podUid !== undefined) result.podUid = podUid;
  if (podQos !== undefined) result.podQos = podQos;
  return result;
}
