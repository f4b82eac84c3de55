// Random and mutated capture files through the whole passive path (reader → decoder → reassembly → HTTP/1 →
// filter): each run ends, either normally or with CT_ERR_PCAP, never with another error, and quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkType } from '../../capture/pcap/index.ts';
import { writePcap, writePcapng } from '../../capture/pcap/fixtures/file-writers.ts';
import { interleave, TcpConversation, toFrames } from '../../capture/pcap/fixtures/tcp-conversation.ts';
import { CleartapError } from '../../core/errors.ts';
import { SeededRandom } from '../../core/fixtures/seeded-random.ts';
import { CaptureFileSource } from './capture-file-source.ts';
import { resolvePassiveOptions } from './nta-options.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-pcap-fuzz-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function base(r: SeededRandom): Uint8Array {
  const convs = [0, 1, 2].map((i) => {
    const c = new TcpConversation({ ip: i === 2 ? '2001:db8::1' : `192.0.2.${i + 1}`, port: 40000 + i }, { ip: i === 2 ? '2001:db8::2' : '198.51.100.1', port: 80 }, { mss: r.int(20, 200) }).handshake();
    for (let k = 0; k < 3; k++) c.exchange(`GET /f/${k} HTTP/1.1\r\nHost: x\r\n\r\n`, `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
    return c.close().segments;
  });
  const link = r.pick([LinkType.ethernet, LinkType.linuxSll2, LinkType.raw, LinkType.null]);
  const frames = toFrames(interleave(...convs), link, link === LinkType.ethernet ? { vlans: [5] } : {});
  return r.chance(0.5) ? writePcap(frames, { linkType: link, nano: r.chance(0.5), bigEndian: r.chance(0.3) }) : writePcapng([{ interfaces: [{ linkType: link, tsresol: r.pick([6, 9, 0x80 | 20]) }], packets: frames }]);
}

function mutate(r: SeededRandom, bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const edits = r.int(1, 40);
  for (let i = 0; i < edits; i++) {
    const at = r.int(0, out.length - 1);
    switch (r.int(0, 3)) {
      case 0: out[at] = r.int(0, 255); break;
      case 1: out[at] ^= 1 << r.int(0, 7); break;
      case 2: out.fill(r.pick([0, 0xff]), at, Math.min(out.length, at + r.int(1, 8))); break;
      default: out.set(r.bytes(Math.min(4, out.length - at)), at);
    }
  }
  return r.chance(0.2) ? out.subarray(0, r.int(0, out.length)) : out;
}

async function readAll(path: string): Promise<number> {
  const source = await CaptureFileSource.open(path, { passive: resolvePassiveOptions({ flags: { statusCodes: 'xxx' } }), limits: {}, chunkBytes: 4096 });
  let n = 0;
  for await (const batch of source.batches()) n += batch.length;
  return n;
}

test('mutated and random capture files: the read ends, with transactions or CT_ERR_PCAP, never another error', async () => {
  let read = 0;
  let refused = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const r = new SeededRandom(seed);
    const bytes = seed % 10 === 0 ? r.bytes(r.int(0, 3000)) : mutate(r, base(r));
    const path = join(dir, `f${seed}`);
    writeFileSync(path, bytes);
    const started = performance.now();
    try {
      await readAll(path);
      read++;
    } catch (err) {
      assert.ok(err instanceof CleartapError && err.code === 'CT_ERR_PCAP', `seed ${seed}: ${String(err)}`);
      refused++;
    }
    assert.ok(performance.now() - started < 2000, `seed ${seed} took too long`);
  }
  assert.ok(read > 50 && refused > 10, `read ${read}, refused ${refused}`);
});

test('an unmutated file of the same shape gives every transaction', async () => {
  const path = join(dir, 'clean');
  writeFileSync(path, base(new SeededRandom(7)));
  assert.equal(await readAll(path), 9);
});
