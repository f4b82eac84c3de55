// Objects of stores written before packs (pack-files.ts): one gzip file each, objects/<first two hex digits>/
// <sha1>.gz. They are still read, and removed by retention, until none is left.

import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '../../core/errors.ts';

export function objectPath(dir: string, digest: string): string {
  return join(dir, 'objects', digest.slice(0, 2), `${digest}.gz`);
}

export async function removeObject(dir: string, digest: string): Promise<void> {
  await unlink(objectPath(dir, digest)).catch((err: unknown) => {
    if (errorCode(err) !== 'ENOENT') throw err;
  });
}
