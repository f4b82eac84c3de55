// The spool's directory: who owns it (lock), what it is called (id), how far its consumer got (ack), and its
// segment files. Everything here runs once at open or rarely after, so it may be synchronous; the ack file is
// replaced by rename so a crash leaves the old value or the new one, never half of each.

import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CleartapError, errorCode } from '../../core/errors.ts';

const SEGMENT_SUFFIX = '.seg';
const SEQ_DIGITS = 16;

export interface SegmentFile {
  firstSeq: number;
  path: string;
  size: number;
}

export function segmentPath(dir: string, firstSeq: number): string {
  return join(dir, String(firstSeq).padStart(SEQ_DIGITS, '0') + SEGMENT_SUFFIX);
}

/** The segment files, oldest first. */
export function listSegments(dir: string): SegmentFile[] {
  const out: SegmentFile[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith(SEGMENT_SUFFIX)) continue;
    const firstSeq = Number(name.slice(0, -SEGMENT_SUFFIX.length));
    if (!Number.isSafeInteger(firstSeq)) continue;
    const path = join(dir, name);
    out.push({ firstSeq, path, size: statSync(path).size });
  }
  return out.sort((a, b) => a.firstSeq - b.firstSeq);
}

// Lock files tell processes apart; within this process, this set does (two stores given the same directory).
const heldHere = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

/**
 * Makes the directory and takes its lock: two agents appending to one segment would interleave their frames.
 * A lock left by a process that is gone (kill -9) is taken over.
 */
export function openSpoolDir(dir: string): { id: string; release: () => void } {
  const key = resolve(dir);
  if (heldHere.has(key)) throw new CleartapError('CT_ERR_CONFIG', `spool: ${dir} is already used by another store of this agent`, 'give each store its own spool.dir (or id)');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new CleartapError('CT_ERR_CONFIG', `spool: cannot create ${dir}: ${(err as Error).message}`, 'point spool.dir at a writable directory', { cause: err });
  }
  const lock = join(dir, 'lock');
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw new CleartapError('CT_ERR_CONFIG', `spool: cannot lock ${dir}: ${(err as Error).message}`, undefined, { cause: err });
      const owner = Number.parseInt(readFileSync(lock, 'utf8'), 10);
      if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) {
        throw new CleartapError('CT_ERR_CONFIG', `spool: ${dir} is in use by process ${owner}`, 'give each agent and each store its own spool directory');
      }
      rmSync(lock, { force: true });
    }
  }
  const idFile = join(dir, 'id');
  let id: string;
  try {
    id = readFileSync(idFile, 'utf8').trim();
  } catch {
    id = randomBytes(6).toString('hex');
    writeFileSync(idFile + '.tmp', id + '\n');
    renameSync(idFile + '.tmp', idFile);
  }
  heldHere.add(key);
  return {
    id,
    release: () => {
      heldHere.delete(key);
      rmSync(lock, { force: true });
    },
  };
}

/** The first sequence number not yet delivered (0 for a new spool). */
export function readAck(dir: string): number {
  try {
    const n = Number(readFileSync(join(dir, 'ack'), 'utf8').trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

export async function writeAck(dir: string, seq: number): Promise<void> {
  const path = join(dir, 'ack');
  await writeFile(path + '.tmp', `${seq}\n`);
  await rename(path + '.tmp', path);
}
