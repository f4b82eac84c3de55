// The executables behind each `tap.filters.groups` name (seed 000 "Predefined Process Groups"). When a
// group is listed, traffic from these processes is ignored. Qtap does not publish its lists; these are
// the daemons each platform runs on a node, matched on the executable's path.
//
// | group      | what it covers                                                                   |
// |------------|----------------------------------------------------------------------------------|
// | kubernetes | kubelet, kube-proxy, control-plane daemons, etcd, CoreDNS, pause, CNI agents     |
// | container  | container engines, shims and runtimes: containerd, dockerd, podman, CRI-O, runc  |
// | gke        | Google's node agents (everything under /home/kubernetes/bin, metadata, logging)  |
// | eks        | AWS node agents: VPC CNI, SSM agent, EBS/EFS CSI drivers                         |
// | qpoint     | the agents themselves: cleartap and qtap (cleartap's own pid is always ignored)  |

export type ExeStrategy = 'exact' | 'prefix' | 'suffix' | 'contains' | 'regex';

export interface ExeMatcherSpec {
  exe: string;
  strategy: ExeStrategy;
}

const names = (...bins: string[]): ExeMatcherSpec[] => bins.map((b) => ({ exe: `/${b}`, strategy: 'suffix' }));

export const FILTER_GROUPS = {
  kubernetes: [
    ...names('kubelet', 'kube-proxy', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd', 'coredns', 'pause'),
    ...names('flanneld', 'calico-node', 'cilium-agent', 'cilium-operator', 'kindnetd', 'kube-router', 'metrics-server'),
  ],
  container: [
    ...names('containerd', 'dockerd', 'docker', 'docker-proxy', 'podman', 'buildah', 'conmon', 'crio', 'runc', 'crun', 'skopeo'),
    { exe: '/containerd-shim', strategy: 'contains' },
  ],
  gke: [
    { exe: '/home/kubernetes/bin/', strategy: 'prefix' },
    ...names('gke-metadata-server', 'netd', 'konnectivity-agent', 'fluent-bit', 'gcsfuse', 'node-problem-detector'),
  ],
  eks: [...names('aws-k8s-agent', 'aws-node', 'amazon-ssm-agent', 'ssm-agent-worker', 'aws-ebs-csi-driver', 'aws-efs-csi-driver', 'eks-pod-identity-agent')],
  qpoint: [...names('qtap', 'cleartap')],
} as const satisfies Record<string, readonly ExeMatcherSpec[]>;

export type FilterGroup = keyof typeof FILTER_GROUPS;

export const FILTER_GROUP_NAMES = Object.keys(FILTER_GROUPS) as FilterGroup[];
