import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { memoryLog, tempDir } from '../test-support.ts';
import { FRAME_HEADER_BYTES } from './frame.ts';
import { recordId, Spool, type SpoolOptions } from './spool.ts';

const enc = (s: string) => Buffer.from(s);
const text = (frames: { payload: Uint8Array }[]) => frames.map((f) => Buffer.from(f.payload).toString());

function openSpool(dir: string, overrides: Partial<SpoolOptions> = {}) {
  return new Spool({ dir, maxBytes: 1024 * 1024, policy: 'drop-oldest', fsync: 'never', name: 'test', log: memoryLog().log, ...overrides });
}

async function readAll(spool: Spool): Promise<string[]> {
  const out: string[] = [];
  while (spool.counters().unread > 0) out.push(...text(await spool.read(1000, 1 << 20)));
  return out;
}

const segments = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.seg')).sort();

describe('Spool', () => {
  it('gives back what was appended, in order, with sequence numbers that keep counting across restarts', async (t) => {
    const dir = tempDir(t);
    const a = openSpool(dir);
    for (let i = 0; i < 5; i++) assert.equal(a.append(enc(`r${i}`)), true);
    const frames = await a.read(3, 1 << 20);
    assert.deepEqual(text(frames), ['r0', 'r1', 'r2']);
    assert.deepEqual(frames.map((f) => f.seq), [0, 1, 2]);
    a.commit(3);
    await a.close();

    const b = openSpool(dir);
    assert.equal(b.replayEndSeq, 5);
    assert.deepEqual(await readAll(b), ['r3', 'r4']);
    b.append(enc('r5'));
    const [next] = await b.read(10, 1 << 20);
    assert.equal(next.seq, 5);
    assert.equal(recordId(b.id, 5), `${b.id}-5`);
    await b.close();
  });

  it('replays everything not committed after a kill -9 of the process that wrote it', async (t) => {
    const dir = tempDir(t);
    // A child appends four records, reads two without committing them, and kills itself with SIGKILL.
    const script = `
      const { Spool } = await import(${JSON.stringify(new URL('./spool.ts', import.meta.url).href)});
      const { pino } = await import('pino');
      const s = new Spool({ dir: ${JSON.stringify(dir)}, maxBytes: 1 << 20, policy: 'drop-oldest', fsync: 'never', name: 'child', log: pino({ level: 'silent' }) });
      for (let i = 0; i < 4; i++) s.append(Buffer.from('r' + i));
      await s.flushed();
      await s.read(2, 1 << 20);
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), encoding: 'utf8' });
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    const b = openSpool(dir);
    assert.deepEqual(await readAll(b), ['r0', 'r1', 'r2', 'r3']);
    assert.equal(b.replayEndSeq, 4);
    await b.close();
  });

  it('deletes segments once an ack past them is on disk, and keeps the ack across restarts', async (t) => {
    const dir = tempDir(t);
    const a = openSpool(dir, { segmentBytes: 64 });
    for (let i = 0; i < 20; i++) {
      a.append(enc(`record-${i}`));
      await a.flushed();
    }
    assert.ok(segments(dir).length > 3);
    const all = await readAll(a);
    assert.equal(all.length, 20);
    a.commit(20);
    await a.close();
    assert.equal(readFileSync(join(dir, 'ack'), 'utf8').trim(), '20');
    assert.deepEqual(segments(dir), []);
    const b = openSpool(dir);
    assert.equal(b.counters().unread, 0);
    b.append(enc('after'));
    assert.equal((await b.read(1, 1 << 20))[0].seq, 20);
    await b.close();
  });

  it('drop-newest: a full spool refuses new records and counts them', async (t) => {
    const dir = tempDir(t);
    const { log, lines } = memoryLog();
    const s = openSpool(dir, { maxBytes: 10 * (FRAME_HEADER_BYTES + 100), policy: 'drop-newest', log });
    let taken = 0;
    for (let i = 0; i < 15; i++) if (s.append(Buffer.alloc(100, i))) taken++;
    assert.equal(taken, 10);
    assert.equal(s.counters().dropped_newest, 5);
    assert.equal(s.counters().spooled, 10);
    await s.close();
    assert.ok(lines.some((l) => (l.dropped as Record<string, number> | undefined)?.newest !== undefined));
  });

  it('drop-oldest: a full spool deletes its oldest segment, counts its unread records, and reading goes on after it', async (t) => {
    const dir = tempDir(t);
    const frame = FRAME_HEADER_BYTES + 100;
    const s = openSpool(dir, { maxBytes: 10 * frame, segmentBytes: 2 * frame, policy: 'drop-oldest' });
    for (let i = 0; i < 10; i++) {
      s.append(Buffer.alloc(100, i));
      await s.flushed();
    }
    for (let i = 10; i < 14; i++) {
      assert.equal(s.append(Buffer.alloc(100, i)), true);
      await s.flushed();
    }
    const c = s.counters();
    assert.equal(c.dropped_oldest, 4);
    assert.ok(c.bytes <= 10 * frame);
    const firsts = [];
    while (s.counters().unread > 0) firsts.push(...(await s.read(100, 1 << 20)).map((f) => f.payload[0]));
    assert.deepEqual(firsts, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    await s.close();
  });

  it('refuses records too large for it, and records appended after close, counting both', async (t) => {
    const dir = tempDir(t);
    const s = openSpool(dir, { maxBytes: 1000 });
    assert.equal(s.append(Buffer.alloc(600)), false);
    assert.equal(s.counters().dropped_oversize, 1);
    await s.close();
    assert.equal(s.append(enc('late')), false);
    assert.equal(s.counters().dropped_closed, 1);
  });

  it('cuts a torn last record at open and keeps every whole one', async (t) => {
    const dir = tempDir(t);
    const a = openSpool(dir);
    for (let i = 0; i < 3; i++) a.append(enc(`r${i}`));
    await a.close();
    const [seg] = segments(dir);
    appendFileSync(join(dir, seg), Buffer.from([40, 0, 0, 0, 1, 2, 3]));
    const b = openSpool(dir);
    assert.equal(b.counters().truncated_bytes, 7);
    assert.deepEqual(await readAll(b), ['r0', 'r1', 'r2']);
    b.append(enc('r3'));
    assert.deepEqual(await readAll(b), ['r3']);
    await b.close();
  });

  it('skips the rest of a segment whose record fails its CRC, counting what was lost', async (t) => {
    const dir = tempDir(t);
    const a = openSpool(dir, { segmentBytes: 64 });
    for (let i = 0; i < 6; i++) {
      a.append(enc(`record-${i}`));
      await a.flushed();
    }
    await a.close();
    const first = join(dir, segments(dir)[0]);
    const bytes = readFileSync(first);
    bytes[FRAME_HEADER_BYTES + 2] ^= 0xff;
    writeFileSync(first, bytes);
    const b = openSpool(dir);
    const got = await readAll(b);
    assert.ok(!got.includes('record-0'));
    assert.ok(got.includes('record-5'));
    assert.equal(b.counters().dropped_corrupt + got.length, 6);
    await b.close();
  });

  it('refuses a directory another live process holds', (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'lock'), '1\n');
    assert.throws(() => openSpool(dir), { code: 'CT_ERR_CONFIG' });
  });

  it('read() waits for the next record and ends with [] when aborted', async (t) => {
    const dir = tempDir(t);
    const s = openSpool(dir);
    const pending = s.read(10, 1 << 20);
    setTimeout(() => s.append(enc('late')), 20);
    assert.deepEqual(text(await pending), ['late']);
    const abort = new AbortController();
    const waiting = s.read(10, 1 << 20, abort.signal);
    abort.abort();
    assert.deepEqual(await waiting, []);
    await s.close();
  });

  it('fsync always and interval write the same records', async (t) => {
    for (const fsync of ['always', 'interval'] as const) {
      const dir = tempDir(t);
      const s = openSpool(dir, { fsync, fsyncIntervalMs: 10 });
      for (let i = 0; i < 50; i++) s.append(enc(`r${i}`));
      assert.equal((await readAll(s)).length, 50);
      await s.close();
    }
  });
});
