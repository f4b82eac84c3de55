// Builds the Go programs under test/fixtures with Debian's Go toolchain (standard library only, so no
// module download is ever needed). One build per fixture and flavour per test process.
import { join } from 'node:path';
import { run } from './children.ts';
import { tempDir } from './servers.ts';

const built = new Map<string, Promise<string>>();
const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

/** The path of the fixture's executable; `stripped` builds with -ldflags='-s -w' (no symbol table). */
export function buildGoFixture(name: string, opts: { stripped?: boolean } = {}): Promise<string> {
  const key = `${name}:${opts.stripped === true}`;
  let p = built.get(key);
  if (p === undefined) {
    p = (async () => {
      const dir = tempDir(`go-${name}`);
      const out = join(dir, opts.stripped ? `${name}-stripped` : name);
      const args = ['build', '-o', out, ...(opts.stripped ? ['-ldflags=-s -w'] : []), '.'];
      const env = { ...process.env, GOCACHE: process.env.GOCACHE ?? '/var/cache/cleartap-test/go-build', GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local' };
      const r = await run('go', args, { cwd: join(FIXTURES, name), env, timeoutMs: 180_000 });
      if (r.code !== 0) throw new Error(`go build of test/fixtures/${name} failed: ${r.stderr}`);
      return out;
    })();
    built.set(key, p);
  }
  return p;
}
