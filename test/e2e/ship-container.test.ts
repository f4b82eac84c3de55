// The container image (deploy/container/Containerfile), built with podman from the release tarball on a
// debootstrap base (no registry is reachable here), run as documented: --privileged --pid=host --network=host
// with /sys mounted, capturing a curl on the host. The passive variant runs with NET_RAW only.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DoctorReport } from '../../src/cli/doctor.ts';
import type { QtapHttpTransaction } from '../../src/sinks/stdout/index.ts';
import { run, stopAll } from '../helpers/children.ts';
import { ensureBaseImage, podmanEnv, podmanSkipReason, runContainer, stopAllContainers, stopContainer } from '../helpers/container-image.ts';
import { startPythonHttpServer } from '../helpers/servers.ts';
import { ensureDist, REPO } from './ship-support.ts';

const skip = await podmanSkipReason();

const STDOUT_CONFIG = `version: 2
services:
  event_stores:
    - type: disabled
  object_stores:
    - type: stdout
stacks:
  default:
    plugins:
      - type: http_capture
        config:
          level: details
          format: json
tap:
  direction: all
  ignore_loopback: false
  http:
    stack: default
`;

async function podman(args: string[], timeoutMs = 120_000) {
  return run('podman', args, { env: podmanEnv(), timeoutMs });
}

/** What the container printed so far: stdout (transactions) and stderr (logs) apart. */
async function logs(id: string): Promise<{ stdout: string; stderr: string }> {
  const r = await podman(['logs', id], 30_000);
  return { stdout: r.stdout, stderr: r.stderr };
}

function transactions(stdout: string): QtapHttpTransaction[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{"metadata"'))
    .map((l) => JSON.parse(l) as QtapHttpTransaction);
}

async function waitForLog(id: string, pattern: RegExp, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const l = await logs(id);
    if (pattern.test(l.stderr) || pattern.test(l.stdout)) return;
    const state = (await podman(['inspect', '--format', '{{.State.Status}}', id], 30_000)).stdout.trim();
    if (state !== 'running') throw new Error(`the container stopped (${state}) before ${what}:\n${l.stderr.slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${l.stderr.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Polls the container's stdout until `pick` finds what it wants in the transactions printed so far. */
async function waitForTransactions<T>(id: string, pick: (txs: QtapHttpTransaction[]) => T | undefined, what: string, timeoutMs = 20_000): Promise<{ found: T; all: QtapHttpTransaction[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const l = await logs(id);
    const all = transactions(l.stdout);
    const found = pick(all);
    if (found !== undefined) return { found, all };
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout:\n${l.stdout.slice(-2000)}\nstderr:\n${l.stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Stops it the way an orchestrator does (SIGTERM, then a grace period) and returns the exit code. */
async function stopGracefully(id: string): Promise<number> {
  await podman(['stop', '-t', '20', id], 60_000);
  const code = Number((await podman(['inspect', '--format', '{{.State.ExitCode}}', id], 30_000)).stdout.trim());
  await stopContainer(id);
  return code;
}

describe('container image', { skip }, () => {
  let image = '';
  let passiveImage = '';
  let tmp = '';

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'cleartap-container-'));
    const [d, base] = await Promise.all([ensureDist(), ensureBaseImage()]);
    const build = async (tag: string, target: string[]) => {
      const args = ['build', '--format', 'docker', '-f', join(REPO, 'deploy/container/Containerfile'), '--build-arg', `BASE=${base}`, ...target, '-t', tag, d.dir];
      const r = await podman(args, 600_000);
      assert.equal(r.code, 0, `podman ${args.join(' ')}:\n${r.stderr.slice(-4000)}`);
      return tag;
    };
    image = await build('localhost/cleartap-test-agent:latest', []);
    passiveImage = await build('localhost/cleartap-test-passive:latest', ['--target', 'passive']);
  });

  after(async () => {
    await stopAllContainers();
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('runs as an unprivileged container only to say what is missing: doctor fails on privileges', async () => {
    const r = await podman(['run', '--rm', '--no-healthcheck', image, 'doctor', '--json'], 120_000);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as DoctorReport;
    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    assert.ok(failed.includes('privileges'), JSON.stringify(report.checks));
    assert.equal(report.checks.find((c) => c.id === 'addon')?.status, 'ok', 'the bundled libbpf loads in a base without libbpf1');
    assert.equal(report.checks.find((c) => c.id === 'bpf-load')?.status, 'skip');
  });

  it('--privileged --pid=host --network=host -v /sys:/sys captures a curl on the host', async () => {
    const server = await startPythonHttpServer({ 'hello.txt': 'hello from the host\n' });
    const config = join(tmp, 'config.yaml');
    writeFileSync(config, STDOUT_CONFIG);
    const c = await runContainer([
      '--no-healthcheck', '--privileged', '--pid=host', '--network=host',
      '-v', '/sys:/sys', '-v', '/sys/kernel/debug:/sys/kernel/debug', '-v', `${config}:/etc/cleartap/config.yaml:ro`,
      image,
    ]);
    await waitForLog(c.id, /capturing/, 'the agent to start capturing');
    const path = `/hello.txt?probe=${Date.now()}`;
    const curl = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${server.port}${path}`]);
    assert.equal(curl.stdout, '200');
    const { found: client } = await waitForTransactions(c.id, (txs) => txs.find((t) => t.request.url.includes(path) && t.metadata.process_exe === '/usr/bin/curl'), 'the curl transaction in the container\'s stdout');
    assert.equal(client.request.method, 'GET');
    assert.equal(client.request.authority, `127.0.0.1:${server.port}`);
    assert.equal(client.response?.status, 200);
    assert.equal(await stopGracefully(c.id), 0, 'SIGTERM drains and exits 0');
  });

  it('the passive image captures with NET_RAW only, a read-only root and the INVICTI_TAP_* settings', async () => {
    const server = await startPythonHttpServer({ 'p.txt': 'passive\n' });
    const c = await runContainer([
      '--no-healthcheck', '--network=host', '--cap-drop=ALL', '--cap-add=NET_RAW', '--read-only', '--tmpfs', '/var/cache/cleartap',
      '-e', `INVICTI_TAP_PORTS=${server.port}`, '-e', 'INVICTI_TAP_HTTP_STATUS_CODES=2xx',
      passiveImage,
    ]);
    await waitForLog(c.id, /passive capture started/, 'passive capture to start');
    const path = `/p.txt?passive=${Date.now()}`;
    assert.equal((await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${server.port}${path}`])).stdout, '200');
    assert.equal((await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${server.port}/missing-${Date.now()}`])).stdout, '404');
    const { found: tx, all } = await waitForTransactions(c.id, (txs) => txs.find((t) => t.request.url.includes(path)), 'the passive transaction in the container\'s stdout');
    assert.equal(tx.response?.status, 200);
    assert.equal(all.some((t) => t.response?.status === 404), false, 'INVICTI_TAP_HTTP_STATUS_CODES=2xx drops the 404');
    assert.equal(await stopGracefully(c.id), 0);
  });
});
