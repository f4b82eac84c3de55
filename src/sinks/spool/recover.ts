// What a spool directory holds at open. Segments wholly delivered (below the ack) are deleted. The newest one
// is scanned for its last record and cut after it, which drops a frame torn by power loss (a kill -9 cannot
// tear one: the page cache keeps every completed write); older segments end where the next one starts.

import { closeSync, ftruncateSync, openSync, readFileSync, unlink } from 'node:fs';
import type { Logger } from '../../core/logger.ts';
import { decodeFrame } from './frame.ts';
import { listSegments } from './spool-dir.ts';

export interface Segment {
  firstSeq: number;
  /** One past the last record written to it. */
  nextSeq: number;
  /** Bytes of whole frames written. */
  bytes: number;
  path: string;
}

export interface Recovered {
  segments: Segment[];
  /** The sequence number the next record gets: never one used before. */
  nextSeq: number;
  truncatedBytes: number;
}

export function recoverSegments(dir: string, ackSeq: number, log: Logger, name: string): Recovered {
  const files = listSegments(dir);
  const segments: Segment[] = [];
  let nextSeqOverall = ackSeq;
  let truncatedBytes = 0;
  files.forEach((file, i) => {
    const following = files[i + 1];
    let nextSeq = following?.firstSeq ?? file.firstSeq;
    let bytes = file.size;
    if (following === undefined) {
      const tail = scanTail(file.path, file.firstSeq);
      ({ nextSeq, bytes } = tail);
      truncatedBytes = tail.truncated;
      if (tail.truncated > 0) log.warn({ store: name, path: file.path, bytes: tail.truncated }, `${name}: spool segment ends in an incomplete record; cut`);
    }
    nextSeqOverall = Math.max(nextSeqOverall, nextSeq);
    if (nextSeq <= ackSeq || bytes === 0) unlink(file.path, () => {});
    else segments.push({ firstSeq: file.firstSeq, nextSeq, bytes, path: file.path });
  });
  return { segments, nextSeq: nextSeqOverall, truncatedBytes };
}

function scanTail(path: string, firstSeq: number): { nextSeq: number; bytes: number; truncated: number } {
  const buf = readFileSync(path);
  let at = 0;
  let nextSeq = firstSeq;
  for (let r = decodeFrame(buf, 0, buf.length); r.kind === 'frame'; r = decodeFrame(buf, at, buf.length)) {
    nextSeq = r.frame.seq + 1;
    at = r.next;
  }
  if (at < buf.length) {
    const fd = openSync(path, 'r+');
    ftruncateSync(fd, at);
    closeSync(fd);
  }
  return { nextSeq, bytes: at, truncated: buf.length - at };
}
