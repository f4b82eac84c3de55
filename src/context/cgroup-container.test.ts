import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerFromCgroup, type CgroupContainer } from './cgroup-container.ts';

const ID = '3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f';
const ID2 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const POD = '4a7c1e0f-2b3d-4c5e-8f90-a1b2c3d4e5f6';
const POD_SYSTEMD = POD.replaceAll('-', '_');

// v1 layout: one line per hierarchy, all naming the same cgroup (as docker's cgroupfs driver writes them).
function v1(path: string, unified = '/'): string {
  return [
    `12:hugetlb:${path}`,
    `11:pids:${path}`,
    `10:memory:${path}`,
    `9:cpu,cpuacct:${path}`,
    `8:devices:${path}`,
    `7:net_cls,net_prio:${path}`,
    `6:blkio:${path}`,
    `5:freezer:${path}`,
    `4:cpuset:${path}`,
    `3:perf_event:${path}`,
    `1:name=systemd:${path}`,
    `0::${unified}`,
    '',
  ].join('\n');
}

const v2 = (path: string): string => `0::${path}\n`;

interface Case {
  name: string;
  text: string;
  want: CgroupContainer;
}

const cases: Case[] = [
  {
    name: 'docker, v1 cgroupfs driver',
    text: v1(`/docker/${ID}`),
    want: { cgroupPath: `/docker/${ID}`, containerId: ID, runtime: 'docker' },
  },
  {
    name: 'docker, v2 systemd driver',
    text: v2(`/system.slice/docker-${ID}.scope`),
    want: { cgroupPath: `/system.slice/docker-${ID}.scope`, containerId: ID, runtime: 'docker' },
  },
  {
    name: 'docker, v1 systemd driver',
    text: v1(`/system.slice/docker-${ID}.scope`),
    want: { cgroupPath: `/system.slice/docker-${ID}.scope`, containerId: ID, runtime: 'docker' },
  },
  {
    name: 'docker in docker: the innermost container',
    text: v1(`/docker/${ID2}/docker/${ID}`),
    want: { cgroupPath: `/docker/${ID2}/docker/${ID}`, containerId: ID, runtime: 'docker' },
  },
  {
    name: 'kubernetes burstable pod, v1 cgroupfs driver',
    text: v1(`/kubepods/burstable/pod${POD}/${ID}`),
    want: { cgroupPath: `/kubepods/burstable/pod${POD}/${ID}`, containerId: ID, podUid: POD, podQos: 'burstable', runtime: 'kubernetes' },
  },
  {
    name: 'kubernetes guaranteed pod (no QoS level), v1 cgroupfs driver',
    text: v1(`/kubepods/pod${POD}/${ID}`),
    want: { cgroupPath: `/kubepods/pod${POD}/${ID}`, containerId: ID, podUid: POD, podQos: 'guaranteed', runtime: 'kubernetes' },
  },
  {
    name: 'containerd CRI, v2 systemd driver (pod uid with underscores)',
    text: v2(
      `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_SYSTEMD}.slice/cri-containerd-${ID}.scope`,
    ),
    want: {
      cgroupPath: `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${POD_SYSTEMD}.slice/cri-containerd-${ID}.scope`,
      containerId: ID,
      podUid: POD,
      podQos: 'besteffort',
      runtime: 'containerd',
    },
  },
  {
    name: 'guaranteed pod, v2 systemd driver',
    text: v2(`/kubepods.slice/kubepods-pod${POD_SYSTEMD}.slice/cri-containerd-${ID}.scope`),
    want: {
      cgroupPath: `/kubepods.slice/kubepods-pod${POD_SYSTEMD}.slice/cri-containerd-${ID}.scope`,
      containerId: ID,
      podUid: POD,
      podQos: 'guaranteed',
      runtime: 'containerd',
    },
  },
  {
    name: 'cri-o, v2 systemd driver',
    text: v2(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_SYSTEMD}.slice/crio-${ID}.scope`),
    want: {
      cgroupPath: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_SYSTEMD}.slice/crio-${ID}.scope`,
      containerId: ID,
      podUid: POD,
      podQos: 'burstable',
      runtime: 'cri-o',
    },
  },
  {
    name: 'cri-o conmon is not the container, but the pod is known',
    text: v2(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_SYSTEMD}.slice/crio-conmon-${ID}.scope`),
    want: {
      cgroupPath: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD_SYSTEMD}.slice/crio-conmon-${ID}.scope`,
      podUid: POD,
      podQos: 'burstable',
    },
  },
  {
    name: 'static pod (32-hex uid) with a docker shim container',
    text: v2(
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0123456789abcdef0123456789abcdef.slice/docker-${ID}.scope`,
    ),
    want: {
      cgroupPath: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0123456789abcdef0123456789abcdef.slice/docker-${ID}.scope`,
      containerId: ID,
      podUid: '0123456789abcdef0123456789abcdef',
      podQos: 'burstable',
      runtime: 'docker',
    },
  },
  {
    name: 'podman on this hybrid host: /libpod_parent/libpod-<id> on every line, no .scope',
    text: v1(`/libpod_parent/libpod-${ID}`, `/libpod_parent/libpod-${ID}`),
    want: { cgroupPath: `/libpod_parent/libpod-${ID}`, containerId: ID, runtime: 'podman' },
  },
  {
    name: 'podman, v2 systemd driver with the "container" leaf cgroup',
    text: v2(`/machine.slice/libpod-${ID}.scope/container`),
    want: { cgroupPath: `/machine.slice/libpod-${ID}.scope`, containerId: ID, runtime: 'podman' },
  },
  {
    name: 'podman rootless, v2',
    text: v2(`/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`),
    want: {
      cgroupPath: `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`,
      containerId: ID,
      runtime: 'podman',
    },
  },
  {
    name: 'podman pod member',
    text: v2(`/machine.slice/machine-libpod_pod_${ID2}.slice/libpod-${ID}.scope`),
    want: {
      cgroupPath: `/machine.slice/machine-libpod_pod_${ID2}.slice/libpod-${ID}.scope`,
      containerId: ID,
      runtime: 'podman',
    },
  },
  {
    name: 'podman conmon is not the container',
    text: v2(`/machine.slice/libpod-conmon-${ID}.scope`),
    want: { cgroupPath: `/machine.slice/libpod-conmon-${ID}.scope` },
  },
  {
    name: 'this VM: host process in a 32-hex memory cgroup is not a container',
    text: [
      '9:name=systemd:/',
      '8:pids:/',
      '4:memory:/process_api/a2b56e13672c5eadb70c9166e268f011',
      '1:cpu:/',
      '0::/',
    ].join('\n'),
    want: { cgroupPath: '' },
  },
  {
    name: 'systemd service, v2: its own cgroup, no container',
    text: v2('/system.slice/nginx.service'),
    want: { cgroupPath: '/system.slice/nginx.service' },
  },
  {
    name: 'systemd service, v1: name=systemd line',
    text: v1('/system.slice/nginx.service'),
    want: { cgroupPath: '/system.slice/nginx.service' },
  },
  {
    name: 'a colon inside the path',
    text: v2(`/odd:name/docker-${ID}.scope`),
    want: { cgroupPath: `/odd:name/docker-${ID}.scope`, containerId: ID, runtime: 'docker' },
  },
  {
    name: 'unknown runtime with a bare 64-hex leaf (ECS-style)',
    text: v1(`/ecs/5d8e2f1a9b3c4d7e/${ID}`),
    want: { cgroupPath: `/ecs/5d8e2f1a9b3c4d7e/${ID}`, containerId: ID, runtime: 'unknown' },
  },
  { name: 'empty input', text: '', want: { cgroupPath: '' } },
  { name: 'root only, v2', text: '0::/\n', want: { cgroupPath: '' } },
  { name: 'garbage', text: 'not a cgroup file\n\u0000\u0001\u00ff\n:::\n', want: { cgroupPath: '' } },
  { name: 'relative path is ignored', text: `1:cpu:docker/${ID}\n`, want: { cgroupPath: '' } },
  { name: '63 hex digits are not an id', text: v2(`/docker/${ID.slice(1)}`), want: { cgroupPath: `/docker/${ID.slice(1)}` } },
  {
    name: 'upper-case hex is not an id (runtimes write lower case)',
    text: v2(`/docker/${ID.toUpperCase()}`),
    want: { cgroupPath: `/docker/${ID.toUpperCase()}` },
  },
  {
    name: 'a pod-looking segment outside kubepods is not a pod',
    text: v2(`/user.slice/pod${POD}/docker-${ID}.scope`),
    want: { cgroupPath: `/user.slice/pod${POD}/docker-${ID}.scope`, containerId: ID, runtime: 'docker' },
  },
  {
    name: 'CRLF line endings and surrounding spaces',
    text: `0::/system.slice/docker-${ID}.scope\r\n`,
    want: { cgroupPath: `/system.slice/docker-${ID}.scope`, containerId: ID, runtime: 'docker' },
  },
];

for (const c of cases) {
  test(`containerFromCgroup: ${c.name}`, () => {
    assert.deepEqual(containerFromCgroup(c.text), c.want);
  });
}

test('containerFromCgroup: never throws on arbitrary bytes', () => {
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const alphabet = `0123456789abcdef:/-_.\n pod docker- libpod- .scope kubepods ${ID}`;
  for (let i = 0; i < 2000; i++) {
    let text = '';
    const len = next() % 300;
    for (let j = 0; j < len; j++) text += alphabet[next() % alphabet.length];
    const r = containerFromCgroup(text);
    assert.equal(typeof r.cgroupPath, 'string');
    if (r.containerId !== undefined) assert.match(r.containerId, /^[0-9a-f]{64}$/);
  }
});
