// The Kubernetes manifests and the Helm chart, checked as an API server would: every object against the
// Kubernetes schemas (kubernetes-models), unknown fields refused, plus the rules the schema cannot say. The
// chart is rendered by scripts/helm-template (Go text/template + Sprig, Helm's engine) with its default
// values and every ci/*.yaml values file, its values checked against values.schema.json, and the Qtap
// config each one carries is loaded by cleartap's own config loader.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parseAllDocuments, stringify } from 'yaml';
import { parseConfig } from '../../src/config/index.ts';
import { run } from '../helpers/children.ts';
import { helmTemplateBinary, helmTemplateSkipReason, manifestProblems, REPO, type Manifest } from './ship-support.ts';

const CHART = join(REPO, 'deploy/helm/cleartap');
const CI_VALUES = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('.yaml')).sort();

function parseManifests(text: string, source: string): Manifest[] {
  return parseAllDocuments(text).map((d, i) => {
    if (d.errors.length) throw new Error(`${source} document ${i}: ${d.errors[0].message}`);
    return d.toJS() as Manifest;
  }).filter((m) => m !== null);
}

type Pod = {
  hostPID?: boolean;
  hostNetwork?: boolean;
  tolerations?: unknown[];
  nodeSelector?: Record<string, string>;
  containers: Array<{
    image: string;
    args?: string[];
    env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
    envFrom?: Array<{ secretRef?: { name: string } }>;
    securityContext?: { privileged?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { add?: string[]; drop?: string[] } };
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    volumeMounts?: Array<{ name: string; mountPath: string }>;
  }>;
  volumes?: Array<{ name: string; configMap?: { name: string }; hostPath?: { path: string } }>;
};

function podOf(docs: Manifest[], name?: string): Pod {
  const ds = docs.find((d) => d.kind === 'DaemonSet' && (name === undefined || d.metadata.name === name));
  assert.ok(ds, 'a DaemonSet');
  return (ds.spec as { template: { spec: Pod } }).template.spec;
}

const envOf = (pod: Pod) => Object.fromEntries((pod.containers[0].env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

/** The Qtap config a ConfigMap carries loads without errors in cleartap's own loader. */
function assertConfigLoads(docs: Manifest[], source: string): void {
  for (const cm of docs.filter((d) => d.kind === 'ConfigMap')) {
    const text = (cm.data as Record<string, string>)['config.yaml'];
    assert.ok(text, `${source}: ConfigMap ${cm.metadata.name} has config.yaml`);
    const loaded = parseConfig(text, `${source}:${cm.metadata.name}`);
    assert.equal(loaded.config.version, 2);
  }
}

describe('deploy/kubernetes manifests', () => {
  for (const file of ['daemonset.yaml', 'daemonset-passive.yaml']) {
    it(`${file}: every object is valid against the Kubernetes schemas`, async () => {
      const docs = parseManifests(readFileSync(join(REPO, 'deploy/kubernetes', file), 'utf8'), file);
      assert.deepEqual(await manifestProblems(docs), []);
      assertConfigLoads(docs, file);
    });
  }

  it('the eBPF DaemonSet runs privileged on every node with the host\'s pids, network, /sys and a data dir', () => {
    const docs = parseManifests(readFileSync(join(REPO, 'deploy/kubernetes/daemonset.yaml'), 'utf8'), 'daemonset.yaml');
    assert.deepEqual(docs.map((d) => d.kind), ['Namespace', 'ServiceAccount', 'ConfigMap', 'DaemonSet']);
    const pod = podOf(docs);
    assert.equal(pod.hostPID, true);
    assert.equal(pod.hostNetwork, true);
    assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
    const c = pod.containers[0];
    assert.equal(c.securityContext?.privileged, true);
    assert.deepEqual(c.envFrom, [{ secretRef: { name: 'cleartap-credentials', optional: true } }]);
    assert.deepEqual(c.volumeMounts?.map((m) => m.mountPath).sort(), ['/etc/cleartap', '/sys', '/sys/kernel/debug', '/var/lib/cleartap']);
    assert.ok(c.resources?.limits?.memory);
  });

  it('the passive DaemonSet needs only NET_RAW and takes the INVICTI_TAP_* variables', () => {
    const pod = podOf(parseManifests(readFileSync(join(REPO, 'deploy/kubernetes/daemonset-passive.yaml'), 'utf8'), 'daemonset-passive.yaml'));
    assert.equal(pod.hostPID, undefined);
    assert.deepEqual(pod.containers[0].securityContext?.capabilities, { drop: ['ALL'], add: ['NET_RAW'] });
    assert.deepEqual(Object.keys(envOf(pod)).sort(), ['INVICTI_TAP_EXCLUDE_TRAFFIC_WITH_HEADERS', 'INVICTI_TAP_HTTP_STATUS_CODES', 'INVICTI_TAP_INTERFACES', 'INVICTI_TAP_PORTS']);
    assert.equal(pod.containers[0].args?.[0], 'passive');
  });

  it('the validation catches what an API server would refuse', async () => {
    const docs = parseManifests(readFileSync(join(REPO, 'deploy/kubernetes/daemonset.yaml'), 'utf8'), 'daemonset.yaml');
    const broken = structuredClone(docs);
    const pod = podOf(broken);
    (pod.containers[0].securityContext as Record<string, unknown>).privilegd = true;
    pod.containers[0].volumeMounts!.push({ name: 'nowhere', mountPath: '/x' });
    (pod.containers[0] as Record<string, unknown>).ports = [{ containerPort: 'http' }];
    const problems = (await manifestProblems(broken)).join('\n');
    assert.match(problems, /privilegd/);
    assert.match(problems, /unknown volume nowhere/);
    assert.match(problems, /containerPort must be integer/);
  });
});

describe('deploy/helm/cleartap', { skip: helmTemplateSkipReason() }, () => {
  let bin = '';
  let tmp = '';
  const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as object;
  const validateValues = new Ajv({ allErrors: true, strict: false }).compile(schema);

  before(async () => {
    bin = await helmTemplateBinary();
    tmp = mkdtempSync(join(tmpdir(), 'cleartap-helm-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  async function render(valuesFiles: string[], release = 'obs'): Promise<{ docs: Manifest[]; values: Record<string, unknown> }> {
    const valuesOut = join(tmp, 'values.json');
    const args = [...valuesFiles.flatMap((f) => ['-f', f]), '--release', release, '--namespace', 'observability', '--values-out', valuesOut, CHART];
    const r = await run(bin, args, { timeoutMs: 30_000 });
    assert.equal(r.code, 0, `helm-template ${args.join(' ')}: ${r.stderr}`);
    return { docs: parseManifests(r.stdout, 'rendered chart'), values: JSON.parse(readFileSync(valuesOut, 'utf8')) as Record<string, unknown> };
  }

  async function renderValid(valuesFiles: string[]): Promise<Manifest[]> {
    const { docs, values } = await render(valuesFiles);
    assert.ok(validateValues(values), `values.schema.json: ${JSON.stringify(validateValues.errors)}`);
    assert.deepEqual(await manifestProblems(docs), []);
    assertConfigLoads(docs, 'rendered chart');
    for (const d of docs) assert.equal(d.metadata.namespace, 'observability', `${d.kind} in the release namespace`);
    return docs;
  }

  it('the default values render a valid eBPF DaemonSet, config and service account', async () => {
    const docs = await renderValid([]);
    assert.deepEqual(docs.map((d) => d.kind).sort(), ['ConfigMap', 'DaemonSet', 'ServiceAccount']);
    const pod = podOf(docs);
    assert.equal(pod.hostPID, true);
    assert.equal(pod.containers[0].securityContext?.privileged, true);
    assert.equal(pod.containers[0].image, 'cleartap:0.1.0');
    assert.equal(pod.volumes?.find((v) => v.name === 'config')?.configMap?.name, 'obs-cleartap-config');
  });

  for (const file of CI_VALUES) {
    it(`ci/${file} renders valid manifests`, async () => {
      await renderValid([join(CHART, 'ci', file)]);
    });
  }

  it('capabilities instead of privileged, with the given resources, tolerations and nodeSelector', async () => {
    const pod = podOf(await renderValid([join(CHART, 'ci/capabilities-values.yaml')]));
    const c = pod.containers[0];
    assert.equal(c.securityContext?.privileged, undefined);
    assert.deepEqual(c.securityContext?.capabilities, { drop: ['ALL'], add: ['BPF', 'PERFMON', 'SYS_ADMIN', 'SYS_RESOURCE', 'SYS_PTRACE', 'DAC_READ_SEARCH'] });
    assert.deepEqual(c.resources, { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } });
    assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/os': 'linux', 'cleartap.dev/capture': 'true' });
    assert.equal(c.image, 'registry.example.com/observability/cleartap:0.1.0');
    assert.deepEqual(c.args, ['--log-level', 'debug', '--no-plaintext', '--ring-mb', '32']);
  });

  it('store credentials come from Secrets, never from the config', async () => {
    const docs = await renderValid([join(CHART, 'ci/s3-secret-values.yaml')]);
    const c = podOf(docs).containers[0];
    assert.deepEqual(c.envFrom, [{ secretRef: { name: 'cleartap-s3' } }]);
    assert.deepEqual(envOf(podOf(docs)).CLICKHOUSE_PASSWORD, { secretKeyRef: { name: 'clickhouse-credentials', key: 'password' } });
    const config = (docs.find((d) => d.kind === 'ConfigMap')!.data as Record<string, string>)['config.yaml'];
    assert.match(config, /access_key:\n\s+type: env\n\s+value: S3_ACCESS_KEY/);
    assert.equal(docs.some((d) => d.kind === 'Secret'), false);
  });

  it('credentials given as values become the chart\'s own Secret; an existing ConfigMap replaces the chart\'s', async () => {
    const docs = await renderValid([join(CHART, 'ci/inline-credentials-values.yaml')]);
    const secret = docs.find((d) => d.kind === 'Secret');
    assert.deepEqual(secret?.stringData, { RETRIES: '3', S3_ACCESS_KEY: 'AKIAEXAMPLE', S3_SECRET_KEY: 'not-a-real-secret' });
    const pod = podOf(docs);
    assert.deepEqual(pod.containers[0].envFrom, [{ secretRef: { name: 'obs-cleartap-credentials' } }]);
    assert.equal(pod.volumes?.find((v) => v.name === 'config')?.configMap?.name, 'my-cleartap-config');
    assert.equal(docs.some((d) => d.kind === 'ConfigMap' || d.kind === 'ServiceAccount'), false);
    assert.equal(pod.volumes?.some((v) => v.hostPath?.path === '/var/lib/cleartap'), false);
  });

  it('passive mode: the NTA variables, NET_RAW only, no host pid namespace, the passive image', async () => {
    const pod = podOf(await renderValid([join(CHART, 'ci/passive-values.yaml')]));
    const c = pod.containers[0];
    assert.equal(pod.hostPID, undefined);
    assert.equal(pod.hostNetwork, true);
    assert.deepEqual(c.securityContext?.capabilities, { drop: ['ALL'], add: ['NET_RAW'] });
    assert.equal(c.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(c.image, 'cleartap-passive:0.1.0');
    assert.deepEqual(c.args?.slice(0, 3), ['passive', '--config', '/etc/cleartap/config.yaml']);
    const env = envOf(pod);
    assert.equal(env.INVICTI_TAP_INTERFACES, 'eth0,ens5');
    assert.equal(env.INVICTI_TAP_PORTS, '80,8080,5005-6000');
    assert.equal(env.INVICTI_TAP_HTTP_STATUS_CODES, '2xx,30x');
    assert.equal(env.INVICTI_TAP_EXCLUDE_TRAFFIC_WITH_HEADERS, 'X-Health-Check,X-Internal');
    assert.equal(c.volumeMounts?.some((m) => m.mountPath === '/sys'), false);
  });

  it('-f files merge in order and null removes a default, as in Helm', async () => {
    const a = join(tmp, 'a.yaml');
    const b = join(tmp, 'b.yaml');
    writeFileSync(a, stringify({ resources: { limits: { memory: '3Gi' } }, nodeSelector: null, podLabels: { a: '1' } }));
    writeFileSync(b, stringify({ podLabels: { b: '2' }, passive: { ports: 8080 } }));
    const { docs, values } = await render([a, b]);
    assert.ok(validateValues(values), JSON.stringify(validateValues.errors));
    const pod = podOf(docs);
    assert.deepEqual(pod.containers[0].resources, { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '3Gi' } });
    assert.equal(pod.nodeSelector, undefined);
    const labels = (docs.find((d) => d.kind === 'DaemonSet')!.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    assert.equal(labels.a, '1');
    assert.equal(labels.b, '2');
  });

  it('values.schema.json refuses a misspelt key and a bad mode', async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, stringify({ mode: 'kprobe', privilegd: false }));
    const { values } = await render([bad]);
    assert.equal(validateValues(values), false);
    const errors = JSON.stringify(validateValues.errors);
    assert.match(errors, /privilegd/);
    assert.match(errors, /mode/);
  });
});
