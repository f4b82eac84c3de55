// Builds the Go programs under test/fixtures with Debian's Go toolchain: module mode with the standard library
// only, or GOPATH mode (no go.mod) with Debian's packaged Go libraries; never a download. One build per
// fixture and flavour per test process.
import { cpSync, existsSync } from 'node:fs';
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
      const env: NodeJS.ProcessEnv = { ...process.env, GOCACHE: process.env.GOCACHE ?? '/var/cache/cleartap-test/go-build', GOPROXY: 'off', GOTOOLCHAIN: 'local' };
      let cwd = join(FIXTURES, name);
      if (existsSync(join(cwd, 'go.mod'))) {
        env.GOFLAGS = '-mod=mod';
      } else {
        // No go.mod: GOPATH mode, with Debian's packaged Go libraries (/usr/share/gocode) on the path.
        const gopath = join(dir, 'gopath');
        cpSync(cwd, join(gopath, 'src', name), { recursive: true });
        cwd = join(gopath, 'src', name);
        Object.assign(env, { GO111MODULE: 'off', GOPATH: `${gopath}:/usr/share/gocode` });
      }
      const r = await run('go', args, { cwd, env, timeoutMs: 180_000 });
      if (r.code !== 0) throw new Error(`go build of test/fixtures/${name} failed: ${r.stderr}`);
      return out;
    })();
    built.set(key, p);
  }
  return p;
}
