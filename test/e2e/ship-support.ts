// What the ship-*.test.ts files share: the release tarball (built once per change of its inputs, under dist/),
// the Helm renderer (Go text/template + Sprig, scripts/helm-template), and Kubernetes manifest validation.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { run } from '../helpers/children.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TEST_CACHE = process.env.CLEARTAP_TEST_CACHE ?? '/var/cache/cleartap-test';

function* files(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

/** A digest of everything the tarball is made of: a change to any of them rebuilds it. */
function distInputsHash(): string {
  const h = createHash('sha256');
  const inputs = [
    'package.json', 'package-lock.json', 'README.md', 'scripts/package.sh', 'scripts/install.sh', 'scripts/cleartap-wrapper.sh',
    'build/cleartap.node', 'build/cleartap_packet.node', 'build/cleartap.bpf.o',
    ...['bin', 'src', 'deploy/systemd', 'deploy/config'].flatMap((d) => [...files(join(REPO, d))].map((p) => relative(REPO, p))),
  ].filter((p) => !/\.(test|bench)\.ts$/.test(p)).sort();
  for (const p of inputs) {
    h.update(p).update('\0');
    h.update(readFileSync(join(REPO, p))).update('\0');
  }
  return h.digest('hex');
}

export interface Dist {
  dir: string;
  tarball: string;
  /** cleartap-<version>-linux-<arch> */
  release: string;
  sums: string;
  installer: string;
}

let dist: Promise<Dist> | undefined;

/** dist/cleartap-<version>-linux-<arch>.tar.gz, SHA256SUMS and install.sh, built by scripts/package.sh when stale. */
export function ensureDist(): Promise<Dist> {
  dist ??= (async () => {
    const dir = join(REPO, 'dist');
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const release = `cleartap-${version}-linux-${arch()}`;
    const d: Dist = { dir, release, tarball: join(dir, `${release}.tar.gz`), sums: join(dir, 'SHA256SUMS'), installer: join(dir, 'install.sh') };
    const stamp = join(dir, `.inputs-${release}`);
    const hash = distInputsHash();
    const fresh = existsSync(d.tarball) && existsSync(d.sums) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
    if (!fresh) {
      const r = await run(join(REPO, 'scripts/package.sh'), [], { cwd: REPO, timeoutMs: 300_000 });
      if (r.code !== 0) throw new Error(`scripts/package.sh failed (${r.code}):\n${r.stderr}`);
      writeFileSync(stamp, hash);
    }
    return d;
  })();
  return dist;
}

/** Why the Helm renderer cannot be built here, or false. */
export function helmTemplateSkipReason(): string | false {
  if (!existsSync('/usr/share/gocode/src/github.com/Masterminds/sprig')) return 'Debian\'s golang-github-masterminds-sprig-dev is not installed (make test installs it)';
  if (!existsSync('/usr/share/gocode/src/sigs.k8s.io/yaml')) return 'Debian\'s golang-k8s-sigs-yaml-dev is not installed (make test installs it)';
  return false;
}

let helm: Promise<string> | undefined;

/** scripts/helm-template built with Debian's Go and Sprig (GOPATH mode: nothing is downloaded), cached by source digest. */
export function helmTemplateBinary(): Promise<string> {
  helm ??= (async () => {
    const src = join(REPO, 'scripts/helm-template/main.go');
    const digest = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 16);
    const dir = join(TEST_CACHE, 'helm-template');
    const bin = join(dir, `helm-template-${digest}`);
    if (existsSync(bin)) return bin;
    mkdirSync(dir, { recursive: true });
    const env = { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOCACHE: join(TEST_CACHE, 'go-build'), GOPROXY: 'off', GOTOOLCHAIN: 'local' };
    const r = await run('go', ['build', '-o', `${bin}.tmp`, src], { env, timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`go build scripts/helm-template failed:\n${r.stderr}`);
    rmSync(bin, { force: true });
    writeFileSync(bin, readFileSync(`${bin}.tmp`), { mode: 0o755 });
    rmSync(`${bin}.tmp`, { force: true });
    return bin;
  })();
  return helm;
}

// ---- Kubernetes manifests ----------------------------------------------------------------------------

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

interface ModelInfo {
  /** kubernetes-models module and the interface its type-check uses. */
  module: string;
  iface: string;
}

const MODELS: Record<string, ModelInfo> = {
  'v1/Namespace': { module: 'kubernetes-models/v1/Namespace', iface: 'INamespace' },
  'v1/ServiceAccount': { module: 'kubernetes-models/v1/ServiceAccount', iface: 'IServiceAccount' },
  'v1/ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', iface: 'IConfigMap' },
  'v1/Secret': { module: 'kubernetes-models/v1/Secret', iface: 'ISecret' },
  'apps/v1/DaemonSet': { module: 'kubernetes-models/apps/v1/DaemonSet', iface: 'IDaemonSet' },
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Problems the API server would report for these objects: the OpenAPI schema (kubernetes-models' validators:
 * types, required fields, formats), unknown fields (TypeScript's excess-property check against
 * kubernetes-models' interfaces: `kubectl apply` refuses them with strict field validation), and the rules the
 * schema cannot express (selector matches the template, mounts name volumes, names are DNS labels).
 */
export async function manifestProblems(docs: readonly Manifest[]): Promise<string[]> {
  const problems: string[] = [];
  const where = (m: Manifest) => `${m.kind}/${m.metadata?.name}`;
  for (const m of docs) {
    const info = MODELS[`${m.apiVersion}/${m.kind}`];
    if (!info) {
      problems.push(`${where(m)}: no schema for ${m.apiVersion} ${m.kind}`);
      continue;
    }
    const mod = (await import(info.module)) as Record<string, new (data: unknown) => { validate(): void }>;
    try {
      new mod[m.kind](m).validate();
    } catch (err) {
      problems.push(`${where(m)}: ${(err as Error).message}`);
    }
    problems.push(...semanticProblems(m).map((p) => `${where(m)}: ${p}`));
  }
  problems.push(...unknownFields(docs));
  return problems;
}

function semanticProblems(m: Manifest): string[] {
  const out: string[] = [];
  const name = m.metadata?.name ?? '';
  if (!(m.kind === 'Namespace' || m.kind === 'DaemonSet' ? DNS_LABEL : DNS_SUBDOMAIN).test(name) || name.length > 63) out.push(`bad name "${name}"`);
  for (const [k, v] of Object.entries(m.metadata?.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) out.push(`label ${k}: bad value ${JSON.stringify(v)}`);
  }
  if (m.kind !== 'DaemonSet') return out;
  type Container = { name: string; env?: Array<{ name: string }>; volumeMounts?: Array<{ name: string; mountPath: string }>; securityContext?: { capabilities?: { add?: string[] } } };
  const spec = m.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[]; volumes?: Array<{ name: string }> } } };
  const labels = spec.template.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec.selector.matchLabels)) {
    if (labels[k] !== v) out.push(`selector ${k}=${v} does not match the pod template's labels`);
  }
  const volumes = new Set((spec.template.spec.volumes ?? []).map((v) => v.name));
  for (const c of spec.template.spec.containers) {
    const seen = new Set<string>();
    for (const e of c.env ?? []) {
      if (!ENV_NAME.test(e.name)) out.push(`container ${c.name}: bad env name ${e.name}`);
      if (seen.has(e.name)) out.push(`container ${c.name}: env ${e.name} twice`);
      seen.add(e.name);
    }
    const paths = new Set<string>();
    for (const vm of c.volumeMounts ?? []) {
      if (!volumes.has(vm.name)) out.push(`container ${c.name}: mount of unknown volume ${vm.name}`);
      if (paths.has(vm.mountPath)) out.push(`container ${c.name}: two mounts at ${vm.mountPath}`);
      paths.add(vm.mountPath);
    }
    for (const cap of c.securityContext?.capabilities?.add ?? []) {
      if (cap.startsWith('CAP_')) out.push(`container ${c.name}: capability ${cap} is written without CAP_ in Kubernetes`);
    }
  }
  return out;
}

/** Fields the schema does not know, found by type-checking each object against kubernetes-models' interface. */
function unknownFields(docs: readonly Manifest[]): string[] {
  const file = join(REPO, 'test/e2e/__manifests__.ts');
  const used = new Set<string>();
  const decls = docs.map((m, i) => {
    const info = MODELS[`${m.apiVersion}/${m.kind}`];
    if (!info) return '';
    used.add(`import type { ${info.iface} } from '${info.module}';`);
    return `// ${m.kind}/${m.metadata?.name}\nexport const m${i}: ${info.iface} = ${JSON.stringify(m, null, 1)};\n`;
  });
  const text = `${[...used].join('\n')}\n${decls.join('\n')}`;
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError) => (name === file ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, onError));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? text : readFile(name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const msg = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return msg;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    // Name the object: the nearest "// Kind/name" comment above the error.
    const above = text.split('\n').slice(0, line + 1).reverse().find((l) => l.startsWith('// '));
    return `${above?.slice(3) ?? d.file.fileName}: ${msg.split('\n')[0]}`;
  });
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
