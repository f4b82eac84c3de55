// Where the prebuilt native artifacts are: build/<file>, as `make build` leaves them for the machine it ran on.
// The npm package carries the arm64 ones too, cross-built into build/arm64/ (scripts/build-lib.sh), and an
// arm64 process takes those when they are there.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BUILD = new URL('../../build/', import.meta.url);

export type BuildArtifact = 'cleartap.node' | 'cleartap_packet.node' | 'cleartap.bpf.o';

export function buildArtifactPath(name: BuildArtifact, arch: string = process.arch): string {
  if (arch === 'arm64') {
    const own = fileURLToPath(new URL(`arm64/${name}`, BUILD));
    if (existsSync(own)) return own;
  }
  return fileURLToPath(new URL(name, BUILD));
}
