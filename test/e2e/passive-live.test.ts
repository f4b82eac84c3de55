// `cleartap passive` live: two test hosts in network namespaces joined by a veth pair (RFC 5737 addresses), an
// HTTP server on one, curl on the other, the agent capturing on the server's end of the veth. The exact
// transactions are asserted, with the NTA settings (status codes, excluded headers, ports and a range) given
// as environment variables and flags. Needs root, iproute2, python3, curl and build/cleartap_packet.node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKET_ADDON_PATH } from '../../src/capture/pcap/index.ts';
import { run, start, stopAll, waitUntil } from '../helpers/children.ts';
import { haveCommand } from '../helpers/tshark.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const SERVER = '198.51.100.1';
const CLIENT = '198.51.100.2';
const missing = (await Promise.all(['ip', 'curl', 'python3'].map(async (c) => ((await haveCommand(c)) ? '' : c)))).filter(Boolean);
const skip = !existsSync(PACKET_ADDON_PATH) ? 'build/cleartap_packet.node is not built (make build)'
  : missing.length ? `missing ${missing.join(', ')}` : process.getuid?.() !== 0 ? 'needs root (network namespaces, CAP_NET_RAW)' : false;

interface Hosts {
  server: string;
  client: string;
  serverIf: string;
  remove(): Promise<void>;
}

async function ip(args: string[]): Promise<void> {
  const r = await run('ip', args);
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** Two namespaces, one veth between them, nothing else: traffic between them never reaches this host. */
async function twoHosts(): Promise<Hosts> {
  const tag = randomBytes(3).toString('hex');
  const h = { server: `ct-${tag}-s`, client: `ct-${tag}-c`, serverIf: `cts${tag}`, clientIf: `ctc${tag}` };
  const remove = async () => {
    await run('ip', ['netns', 'del', h.server]); // deleting a namespace deletes its veth end, and so the pair
    await run('ip', ['netns', 'del', h.client]);
  };
  try {
    await ip(['netns', 'add', h.server]);
    await ip(['netns', 'add', h.client]);
    await ip(['link', 'add', h.serverIf, 'netns', h.server, 'type', 'veth', 'peer', 'name', h.clientIf, 'netns', h.client]);
    for (const [ns, dev, addr] of [[h.server, h.serverIf, SERVER], [h.client, h.clientIf, CLIENT]]) {
      await ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev]);
      await ip(['-n', ns, 'link', 'set', dev, 'up']);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return { server: h.server, client: h.client, serverIf: h.serverIf, remove };
}

interface Line {
  request: { method: string; path: string; authority: string };
  response: { status: number };
  direction: string;
  cleartap: { local: string; remote: string };
}

test('live on a veth: exact transactions through the NTA status, header and port filters', { skip, timeout: 60_000 }, async () => {
  const hosts = await twoHosts();
  const www = mkdtempSync(join(tmpdir(), 'ct-passive-live-'));
  try {
    writeFileSync(join(www, 'small.txt'), 'hello\n');
    const inServer = (cmd: string, args: string[]) => ['netns', 'exec', hosts.server, cmd, ...args];
    for (const port of [8080, 5500, 7000]) start('ip', inServer('python3', ['-m', 'http.server', String(port), '--bind', SERVER, '--directory', www]));
    const agent = start('ip', inServer(process.execPath, [CLI, 'passive', '--interfaces', hosts.serverIf, '--exclude-headers', 'X-Skip', '--level', 'summary']), {
      env: { ...process.env, INVICTI_TAP_PORTS: '8080,5000-6000', INVICTI_TAP_HTTP_STATUS_CODES: '2xx,404' },
    });
    await waitUntil(() => (agent.stderr().includes('passive capture started') ? true : undefined), 'the agent to start', 20_000);
    const curl = async (args: string[]) => {
      const r = await run('ip', ['netns', 'exec', hosts.client, 'curl', '-s', '-o', '/dev/null', '--retry', '5', '--retry-connrefused', '--retry-delay', '1', ...args]);
      assert.equal(r.code, 0, `curl ${args.join(' ')}: ${r.stderr}`);
    };
    await curl([`http://${SERVER}:8080/small.txt`]); // kept
    await curl([`http://${SERVER}:8080/nope`]); // 404: kept
    await curl(['-X', 'POST', '-d', 'x=1', `http://${SERVER}:8080/small.txt`]); // 501: not a listed status
    await curl(['-H', 'X-Skip: yes', `http://${SERVER}:8080/small.txt?skip`]); // excluded header
    await curl([`http://${SERVER}:5500/small.txt?range`]); // in the range: kept
    await curl([`http://${SERVER}:7000/small.txt?unlisted`]); // port not listed
    await new Promise((r) => setTimeout(r, 300));
    agent.child.kill('SIGINT');
    assert.equal(await agent.exited, 0, agent.stderr());
    const lines = agent.stdout().trim().split('\n').map((l) => JSON.parse(l) as Line);
    const seen = lines.map((l) => `${l.request.method} ${l.request.authority}${l.request.path} -> ${l.response.status}`).sort();
    assert.deepEqual(seen, [`GET ${SERVER}:5500/small.txt -> 200`, `GET ${SERVER}:8080/nope -> 404`, `GET ${SERVER}:8080/small.txt -> 200`]);
    for (const l of lines) {
      assert.equal(l.direction, 'ingress');
      assert.match(l.cleartap.local, new RegExp(`^${SERVER.replaceAll('.', '\\.')}:(8080|5500)$`));
      assert.match(l.cleartap.remote, new RegExp(`^${CLIENT.replaceAll('.', '\\.')}:\\d+$`));
    }
    const status = JSON.parse(agent.stderr().trim().split('\n').filter((l) => l.includes('passive capture stopped'))[0]).status;
    assert.equal(status.ring.drops, 0);
    assert.equal(status.filter.statusFiltered, 1);
    assert.equal(status.filter.headerFiltered, 1);
    assert.equal(status.decode.portFiltered, 0, 'the kernel filter kept port 7000 out of the ring');
  } finally {
    await stopAll();
    await hosts.remove();
    rmSync(www, { recursive: true, force: true });
  }
});

test('a bad setting is refused before capturing, naming the variable and the token', { skip }, async () => {
  const r = await run(process.execPath, [CLI, 'passive'], { env: { ...process.env, INVICTI_TAP_HTTP_STATUS_CODES: '2xx,2x' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /INVICTI_TAP_HTTP_STATUS_CODES: "2x"/);
  assert.match(r.stderr, /\[CT_ERR_CONFIG\]/);
  const missingIf = await run(process.execPath, [CLI, 'passive', '--interfaces', 'nosuchif0']);
  assert.equal(missingIf.code, 1);
  assert.match(missingIf.stderr, /interface "nosuchif0" does not exist/);
});
