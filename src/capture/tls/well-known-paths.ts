// Where TLS libraries and node binaries live before any process uses them, so probes can be attached at
// start-up and the first request of a new process is captured too.

const MULTIARCH: Readonly<Record<string, string>> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
};

export interface WellKnownOptions {
  /**
   * Prefix for every path. An agent in a container that shares the host's pid namespace sees the host's files
   * at /proc/1/root; its own /usr/lib is the container image's.
   */
  root?: string;
  libDirs?: readonly string[];
  executables?: readonly string[];
}

/** Debian/Ubuntu multiarch dirs first (the usual home of libssl.so.3), then the FHS and /usr/local ones. */
export function defaultLibDirs(arch: string = process.arch): string[] {
  const multiarch = MULTIARCH[arch];
  const dirs = multiarch === undefined ? [] : [`/usr/lib/${multiarch}`, `/lib/${multiarch}`];
  return [...dirs, '/usr/lib64', '/lib64', '/usr/lib', '/lib', '/usr/local/lib', '/usr/local/lib64', '/usr/local/ssl/lib'];
}

/** node from the distribution or nodesource, a /usr/local install, and the node running this agent. */
export function defaultExecutables(): string[] {
  return ['/usr/bin/node', '/usr/bin/nodejs', '/usr/local/bin/node', process.execPath];
}
