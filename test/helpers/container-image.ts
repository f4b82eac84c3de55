// Real containers for tests, on a machine with no reachable image registry (kernel-notes.md, "Containers and
// systemd on this machine kind").
//
// ensureBaseImage() builds a Debian base image once per machine and reuses it: debootstrap writes a root
// filesystem into a cache directory, `tar | podman import` turns it into an image. Both steps are skipped when
// their result already exists, so only the first call on a machine is slow (about a minute). A lock file makes
// concurrent callers (node --test runs test files in parallel processes) wait for one build instead of racing.
//
// Building on it: ensureBaseImage() returns a local image name usable as a `FROM` line, so a test that needs
// more (the agent's own image, nginx…) writes a Containerfile starting `FROM <that name>` and runs
// `podman build` with podmanEnv(); `apt-get install` inside the build reaches the same Debian mirror. Pass
// other `include` packages to ensureBaseImage() to get a separate, separately cached image instead.
//
// Every podman command must run with podmanEnv(): this machine needs runc (crun fails on hybrid cgroups) and
// ulimits it can actually grant. runContainer() records every container it starts; stopContainer() and
// stopAllContainers() remove them (`podman rm -f`), and a process exit handler removes any a crashed test left.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './children.ts';
import { haveCommand } from './tshark.ts';

/** Where rootfs trees, the containers.conf and the lock live; override with CLEARTAP_TEST_CACHE. */
export const TEST_CACHE_DIR = process.env.CLEARTAP_TEST_CACHE ?? '/var/cache/cleartap-test';

export const BASE_IMAGE_DEFAULT_INCLUDE: readonly string[] = ['curl', 'ca-certificates', 'openssl', 'python3-minimal'];

export interface BaseImageOptions {
  /** Debian suite (default bookworm, the host's). */
  suite?: string;
  /** Packages added to debootstrap's minbase (default BASE_IMAGE_DEFAULT_INCLUDE). */
  include?: readonly string[];
  /** Image name; the default is localhost/cleartap-test-base:<suite>, with a hash of `include` when not the default. */
  name?: string;
  /** Debian mirror; default CLEARTAP_DEBIAN_MIRROR, else the host's apt sources. */
  mirror?: string;
}

// crun fails on this machine's hybrid cgroups and the default nofile/nproc limits cannot be raised here. PID 1 is
// not systemd and there is no journald, so cgroupfs and a file event log spare podman its detection attempts.
const CONTAINERS_CONF = `# Written by cleartap test/helpers/container-image.ts; see kernel-notes.md.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

const COMPLETE_MARKER = '.cleartap-rootfs-complete';
const BUILD_TIMEOUT_MS = 15 * 60_000;

function writeIfChanged(path: string, text: string): void {
  try {
    if (readFileSync(path, 'utf8') === text) return;
  } catch {
    // absent: write it
  }
  // Write-then-rename: a concurrent reader sees the old file or the new one, never half of one.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** process.env plus CONTAINERS_CONF pointing at a containers.conf that works on this machine (written on first use). */
export function podmanEnv(): NodeJS.ProcessEnv {
  mkdirSync(TEST_CACHE_DIR, { recursive: true });
  const conf = join(TEST_CACHE_DIR, 'containers.conf');
  writeIfChanged(conf, CONTAINERS_CONF);
  return { ...process.env, CONTAINERS_CONF: conf };
}

async function podman(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run('podman', args, { env: podmanEnv(), timeoutMs });
}

async function podmanOk(args: string[], timeoutMs?: number): Promise<string> {
  const r = await podman(args, timeoutMs);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Why real-container tests cannot run here, or false when they can (root, podman, runc, debootstrap, a working podman). */
export async function podmanSkipReason(): Promise<string | false> {
  if (process.getuid?.() !== 0) return 'needs root (rootful podman, debootstrap, /proc/PID/root of other users)';
  for (const cmd of ['podman', 'runc', 'debootstrap', 'tar']) {
    if (!(await haveCommand(cmd))) return `${cmd} is not installed (apt-get install podman runc debootstrap)`;
  }
  const info = await podman(['info', '--format', '{{.Host.OCIRuntime.Name}}'], 60_000);
  if (info.code !== 0) return `podman does not work here: ${info.stderr.trim().split('\n').at(-1) ?? ''}`;
  return false;
}

export async function podmanAvailable(): Promise<boolean> {
  return (await podmanSkipReason()) === false;
}

/** The first `URIs:` of the host's apt source stanza that lists the suite (the main archive, not security). */
export function debianMirror(suite = 'bookworm', sourcesPath = '/etc/apt/sources.list.d/debian.sources'): string {
  const fromEnv = process.env.CLEARTAP_DEBIAN_MIRROR;
  if (fromEnv) return fromEnv;
  let text = '';
  try {
    text = readFileSync(sourcesPath, 'utf8');
  } catch {
    return 'http://deb.debian.org/debian';
  }
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
    if (field('Suites').includes(suite)) {
      const uri = field('URIs')[0];
      if (uri) return uri;
    }
  }
  return 'http://deb.debian.org/debian';
}

// Cross-process mutual exclusion: O_EXCL creation of a file holding the owner's pid. A lock whose owner has died
// (a test killed mid-build) is taken over.
async function withLock<T>(path: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = 0;
    try {
      owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch {
      continue; // released between our open and read
    }
    if (!Number.isSafeInteger(owner) || owner <= 0 || !processAlive(owner)) {
      // Stale: remove it and retry; if two waiters race here, O_EXCL still lets only one of them in.
      try {
        unlinkSync(path);
      } catch {
        // someone else removed it
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${path} (held by pid ${owner})`);
    await sleep(500);
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function imageExists(name: string): Promise<boolean> {
  return (await podman(['image', 'exists', name], 60_000)).code === 0;
}

async function buildRootfs(dir: string, suite: string, include: readonly string[], mirror: string): Promise<void> {
  if (existsSync(join(dir, COMPLETE_MARKER))) return;
  // Leftovers of an interrupted build (we hold the lock, so nobody else is writing them).
  const parent = join(dir, '..');
  const base = dir.slice(parent.length + 1);
  for (const entry of readdirSync(parent)) {
    if (entry === base || entry.startsWith(`${base}.partial`)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
  const partial = `${dir}.partial`;
  const args = ['--variant=minbase', `--include=${include.join(',')}`, suite, partial, mirror];
  const r = await run('debootstrap', args, { timeoutMs: BUILD_TIMEOUT_MS });
  if (r.code !== 0) {
    const log = join(parent, `${base}.debootstrap.log`);
    writeFileSync(log, `debootstrap ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    let inner = '';
    try {
      inner = readFileSync(join(partial, 'debootstrap', 'debootstrap.log'), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      // no log inside
    }
    throw new Error(`debootstrap ${args.join(' ')} failed (${r.code}); output in ${log}\n${r.stderr.trim()}\n${inner}`);
  }
  // The downloaded .debs are 30+ MB the image never needs.
  rmSync(join(partial, 'var/cache/apt/archives'), { recursive: true, force: true });
  mkdirSync(join(partial, 'var/cache/apt/archives/partial'), { recursive: true });
  writeFileSync(join(partial, COMPLETE_MARKER), `debootstrap ${args.join(' ')}\n${new Date().toISOString()}\n`);
  renameSync(partial, dir);
}

// tar -C dir -c . | podman import - name, without a shell.
async function importRootfs(dir: string, name: string, suite: string): Promise<void> {
  const changes = [
    'ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'CMD=["/bin/bash"]',
    `LABEL=org.cleartap.test-base=${suite}`,
  ].flatMap((c) => ['--change', c]);
  const tar = spawn('tar', ['-C', dir, '--exclude', `./${COMPLETE_MARKER}`, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const imp = spawn('podman', ['import', '--quiet', ...changes, '-', name], { stdio: ['pipe', 'pipe', 'pipe'], env: podmanEnv() });
  let tarErr = '';
  let impErr = '';
  tar.stderr.setEncoding('utf8').on('data', (d: string) => (tarErr += d));
  imp.stderr.setEncoding('utf8').on('data', (d: string) => (impErr += d));
  imp.stdout.resume();
  imp.stdin.on('error', () => {}); // EPIPE when podman fails early; its exit code reports it
  tar.stdout.pipe(imp.stdin);
  const exit = (p: ChildProcess) => new Promise<number | null>((resolve) => p.once('close', (code) => resolve(code)).once('error', () => resolve(null)));
  const timer = setTimeout(() => {
    tar.kill('SIGKILL');
    imp.kill('SIGKILL');
  }, BUILD_TIMEOUT_MS);
  const [tarCode, impCode] = await Promise.all([exit(tar), exit(imp)]);
  clearTimeout(timer);
  if (tarCode !== 0 || impCode !== 0) {
    throw new Error(`tar -C ${dir} -c . | podman import - ${name} failed (tar ${tarCode}, podman ${impCode}): ${tarErr.trim()} ${impErr.trim()}`);
  }
}

const building = new Map<string, Promise<string>>();

/**
 * The name of a local podman image holding a Debian minbase root filesystem plus `include` (by default curl,
 * ca-certificates, openssl and python3-minimal), building it on first use. Cached at two levels: the image
 * itself (`podman image exists`) and the debootstrap tree under TEST_CACHE_DIR (so a `podman rmi` or storage reset
 * only costs the import). Safe to call from several test processes at once. Needs root and a Debian mirror.
 */
export async function ensureBaseImage(options: BaseImageOptions = {}): Promise<string> {
  const suite = options.suite ?? 'bookworm';
  const include = options.include ?? BASE_IMAGE_DEFAULT_INCLUDE;
  const isDefault = include.join(',') === BASE_IMAGE_DEFAULT_INCLUDE.join(',');
  const tag = isDefault ? suite : `${suite}-${createHash('sha256').update(include.join(',')).digest('hex').slice(0, 10)}`;
  const name = options.name ?? `localhost/cleartap-test-base:${tag}`;
  const pending = building.get(name);
  if (pending !== undefined) return pending;
  const build = (async () => {
    if (await imageExists(name)) return name;
    mkdirSync(TEST_CACHE_DIR, { recursive: true });
    return withLock(join(TEST_CACHE_DIR, 'build.lock'), BUILD_TIMEOUT_MS * 2, async () => {
      if (await imageExists(name)) return name; // built by whoever held the lock before us
      const dir = join(TEST_CACHE_DIR, `rootfs-${tag}`);
      await buildRootfs(dir, suite, include, options.mirror ?? debianMirror(suite));
      await importRootfs(dir, name, suite);
      return name;
    });
  })();
  building.set(name, build);
  build.catch(() => building.delete(name)); // a failed build may be retried
  return build;
}

export interface RunningContainer {
  /** Full 64-hex container id. */
  id: string;
  name: string;
  /** The container's init process as seen from the host's pid namespace. */
  pid: number;
}

// name → id (known once `podman run` has printed it).
const liveContainers = new Map<string, string | undefined>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort for a test that crashed or forgot stopAllContainers(): exit handlers must be synchronous.
  process.once('exit', () => {
    if (liveContainers.size === 0) return;
    spawnSync('podman', ['rm', '-f', '-t', '0', ...liveContainers.keys()], { env: podmanEnv(), stdio: 'ignore', timeout: 30_000 });
  });
}

/**
 * `podman run -d <args>` (args hold the options, the image and the command), with a generated
 * `--name cleartap-test-<random>` unless args give one. The container is removed by stopContainer(),
 * stopAllContainers() or at process exit, and right away when it fails to start.
 */
export async function runContainer(args: string[], options: { timeoutMs?: number } = {}): Promise<RunningContainer> {
  installExitHook();
  const nameAt = args.findIndex((a) => a === '--name' || a.startsWith('--name='));
  let name: string;
  let runArgs = args;
  if (nameAt < 0) {
    name = `cleartap-test-${randomBytes(4).toString('hex')}`;
    runArgs = ['--name', name, ...args];
  } else {
    const given = args[nameAt] ?? '';
    name = given.startsWith('--name=') ? given.slice('--name='.length) : (args[nameAt + 1] ?? '');
  }
  liveContainers.set(name, undefined);
  try {
    const id = (await podmanOk(['run', '-d', ...runArgs], options.timeoutMs ?? 120_000)).trim();
    if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`podman run printed ${JSON.stringify(id)}, not a container id`);
    liveContainers.set(name, id);
    const pid = Number.parseInt((await podmanOk(['inspect', '--format', '{{.State.Pid}}', id])).trim(), 10);
    if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`container ${name} has no running process (pid ${pid})`);
    return { id, name, pid };
  } catch (err) {
    await stopContainer(name);
    throw err;
  }
}

/** `podman rm -f` by id or name; never throws (the container may be gone already). */
export async function stopContainer(idOrName: string): Promise<void> {
  await podman(['rm', '-f', '-t', '0', idOrName], 60_000);
  for (const [name, id] of liveContainers) {
    if (name === idOrName || id === idOrName) liveContainers.delete(name);
  }
}

export async function stopAllContainers(): Promise<void> {
  for (const name of [...liveContainers.keys()]) await stopContainer(name);
}
