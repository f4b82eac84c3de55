// The agent on the host captures HTTPS made inside a podman container, through the container's own libssl
// (a different file from the host's, attached through /proc/PID/root), and names the container: its id from
// the cgroup, its name and image from podman's state.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AgentProcess, onPort } from '../helpers/agent.ts';
import { stopAll } from '../helpers/children.ts';
import { ensureBaseImage, podmanSkipReason, runContainer, stopAllContainers } from '../helpers/container-image.ts';
import { startNginx } from '../helpers/servers.ts';

const skip = await podmanSkipReason();
let image = '';
let agent: AgentProcess | undefined;

before(async () => {
  if (skip !== false) return;
  image = await ensureBaseImage();
  agent = await AgentProcess.start();
}, { timeout: 20 * 60_000 });

after(async () => {
  const code = await agent?.stop();
  await stopAllContainers();
  await stopAll();
  if (agent) assert.equal(code, 0, agent.stderr.slice(-2000));
});

test('curl in a container → nginx on the host: captured through the container\'s libssl, with the container named', { skip, timeout: 120_000 }, async () => {
  const srv = await startNginx({ 'in.txt': 'from the host\n' }, true);
  const name = `cleartap-capture-${randomBytes(4).toString('hex')}`;
  const url = `https://127.0.0.1:${srv.port}/in.txt`;
  // The first curl brings the container's libssl to the agent's attention (its exec); the second, a second
  // later, runs with that file attached.
  const c = await runContainer(['--name', name, '--network=host', image, 'sh', '-c', `curl -sk -o /dev/null ${url}?first; sleep 1.5; curl -sk -o /dev/null ${url}?second; sleep 30`]);
  const [tx] = await agent!.expect((t) => onPort(srv.port)(t) && t.direction.startsWith('egress') && t.request.url.endsWith('?second'), 1, 20_000);
  assert.equal(tx.response?.status, 200);
  assert.equal(Buffer.from(tx.response?.body ?? '', 'base64').toString(), 'from the host\n');
  assert.equal(tx.metadata.process_exe, '/usr/bin/curl');
  assert.equal(tx.cleartap?.container_id, c.id);
  assert.equal(tx.metadata.container_name, name);
  assert.equal(tx.metadata.container_image, image);
  assert.equal(tx.cleartap?.tls_library, 'openssl');
  assert.match(agent!.stderr, new RegExp(`"path":"/proc/\\d+/root/usr/lib/x86_64-linux-gnu/libssl\\.so\\.3"`), 'attached through the container\'s root');
});
