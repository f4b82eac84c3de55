// A test host in a network namespace of the test's own, joined to this host by a veth pair, with
// documentation-range addresses (RFC 5737): traffic to it never leaves the machine.
import { randomBytes } from 'node:crypto';
import { run } from './children.ts';

export interface TestHost {
  /** The namespace's name (for `ip netns exec`). */
  ns: string;
  /** This host's end of the veth. */
  hostAddress: string;
  /** The test host's address. */
  address: string;
  /** argv prefix that runs a command inside the namespace. */
  exec(cmd: string, args: string[]): [string, string[]];
  remove(): Promise<void>;
}

async function ip(args: string[]): Promise<void> {
  const r = await run('ip', args);
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

/** `subnet` is the first three octets of a /24 such as '203.0.113' or '198.51.100'. */
export async function createTestHost(subnet = '203.0.113'): Promise<TestHost> {
  const tag = randomBytes(3).toString('hex');
  const ns = `ct-${tag}`;
  const hostIf = `cth${tag}`;
  const nsIf = `ctn${tag}`;
  const hostAddress = `${subnet}.1`;
  const address = `${subnet}.2`;
  await ip(['netns', 'add', ns]);
  try {
    await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    await ip(['link', 'set', nsIf, 'netns', ns]);
    await ip(['addr', 'add', `${hostAddress}/24`, 'dev', hostIf]);
    await ip(['link', 'set', hostIf, 'up']);
    await ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', nsIf]);
    await ip(['-n', ns, 'link', 'set', nsIf, 'up']);
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    await run('ip', ['link', 'del', hostIf]);
    await run('ip', ['netns', 'del', ns]);
    throw err;
  }
  return {
    ns,
    hostAddress,
    address,
    exec: (cmd, args) => ['ip', ['netns', 'exec', ns, cmd, ...args]],
    remove: async () => {
      await run('ip', ['link', 'del', hostIf]); // deletes both ends
      await run('ip', ['netns', 'del', ns]);
    },
  };
}
