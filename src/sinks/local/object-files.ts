// Objects on disk: objects/<first two hex digits>/<sha1>.gz, gzip-compressed (readable with zcat). A file is
// written under a temporary name and renamed, so it is whole or absent, and writing it again (a replay) puts the
// same bytes in its place.
//
// Compression runs on the calling thread: for records of a few KiB zlib takes ~20 µs, while handing it to the
// thread pool costs ~100 µs of dispatch and takes a pool thread the file writes need (measured in
// bench/storage). Creating the file is the expensive part (~135 µs on ext4 here), and runs in the pool.

import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { errorCode } from '../../core/errors.ts';

export function objectPath(dir: string, digest: string): string {
  return join(dir, 'objects', digest.slice(0, 2), `${digest}.gz`);
}

/** Writes objects under their digests; remembers which shard directories exist so each is made once. */
export function createObjectWriter(dir: string): (digest: string, data: Uint8Array) => Promise<number> {
  const shards = new Set<string>();
  return async (digest, data) => {
    // Level 6 (zlib's default) costs three times level 1 for a few percent on JSON records; capture volume wins.
    const compressed = gzipSync(data, { level: 1 });
    const shard = digest.slice(0, 2);
    if (!shards.has(shard)) {
      await mkdir(join(dir, 'objects', shard), { recursive: true, mode: 0o700 });
      shards.add(shard);
    }
    const path = objectPath(dir, digest);
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, compressed, { mode: 0o600 });
    await rename(tmp, path);
    return compressed.length;
  };
}

export async function removeObject(dir: string, digest: string): Promise<void> {
  await unlink(objectPath(dir, digest)).catch((err: unknown) => {
    if (errorCode(err) !== 'ENOENT') throw err;
  });
}
