import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CaptureFile, type CaptureFileOptions } from './capture-file.ts';
import { LinkType } from './captured-packet.ts';
import { writePcap, writePcapng, type FramedPacket } from './fixtures/file-writers.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-capfile-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let fileSeq = 0;

function file(bytes: Uint8Array): string {
  const path = join(dir, `f${++fileSeq}`);
  writeFileSync(path, bytes);
  return path;
}

interface Seen {
  tsSec: number;
  tsNsec: number;
  linkType: number;
  iface: number;
  capLen: number;
  origLen: number;
  first: number;
}

async function readAll(path: string, o: CaptureFileOptions = {}): Promise<{ seen: Seen[]; cf: CaptureFile }> {
  const cf = await CaptureFile.open(path, o);
  const seen: Seen[] = [];
  try {
    while (await cf.readChunk((p) => seen.push({ tsSec: p.tsSec, tsNsec: p.tsNsec, linkType: p.linkType, iface: p.interfaceId, capLen: p.capLen, origLen: p.origLen, first: p.bytes[p.offset] }))) {
      // every chunk visited
    }
  } finally {
    await cf.close();
  }
  return { seen, cf };
}

const T0 = 1_700_000_000_123_456_789n;
const packets: FramedPacket[] = Array.from({ length: 50 }, (_, i) => ({
  tsNs: T0 + BigInt(i) * 1_000_001n,
  data: new Uint8Array(60 + i * 37).fill(i),
}));

for (const bigEndian of [false, true]) {
  for (const nano of [false, true]) {
    test(`pcap ${bigEndian ? 'big' : 'little'}-endian ${nano ? 'nano' : 'micro'}: every record, its time and length`, async () => {
      const { seen, cf } = await readAll(file(writePcap(packets, { linkType: LinkType.ethernet, bigEndian, nano })), { chunkBytes: 1024 });
      assert.equal(cf.kind, 'pcap');
      assert.equal(seen.length, packets.length);
      packets.forEach((p, i) => {
        const ns = nano ? p.tsNs : (p.tsNs / 1000n) * 1000n;
        assert.equal(BigInt(seen[i].tsSec) * 1_000_000_000n + BigInt(seen[i].tsNsec), ns);
        assert.equal(seen[i].capLen, p.data.length);
        assert.equal(seen[i].first, i);
        assert.equal(seen[i].linkType, LinkType.ethernet);
      });
      assert.equal(cf.counters.truncatedTailBytes, 0);
    });
  }
}

test('records straddling chunk boundaries, and a record larger than the chunk, are read whole', async () => {
  const big: FramedPacket[] = [...packets, { tsNs: T0, data: new Uint8Array(200_000).fill(7) }, ...packets];
  const { seen } = await readAll(file(writePcap(big, { linkType: LinkType.raw })), { chunkBytes: 1 });
  assert.equal(seen.length, big.length);
  assert.equal(seen[50].capLen, 200_000);
  assert.equal(seen[51].first, 0);
});

test('a file cut inside its last record: the whole records are read and the tail is counted', async () => {
  const bytes = writePcap(packets.slice(0, 3), { linkType: LinkType.raw });
  const { seen, cf } = await readAll(file(bytes.subarray(0, bytes.length - 10)));
  assert.equal(seen.length, 2);
  assert.equal(cf.counters.truncatedTailBytes, 16 + packets[2].data.length - 10);
});

test('pcapng: sections of both byte orders, interfaces with their own link type and tsresol, EPB and SPB', async () => {
  const bytes = writePcapng([
    {
      interfaces: [
        { linkType: LinkType.ethernet, name: 'eth0' },
        { linkType: LinkType.linuxSll2, name: 'any', tsresol: 9 },
        { linkType: LinkType.raw, tsresol: 0x80 | 20 },
      ],
      extraBlocks: 2,
      packets: [
        { tsNs: T0, data: Uint8Array.of(1, 1), iface: 0 },
        { tsNs: T0 + 1n, data: Uint8Array.of(2, 2, 2), iface: 1 },
        { tsNs: T0 + 1_000_000n, data: Uint8Array.of(3), iface: 2 },
      ],
    },
    {
      bigEndian: true,
      interfaces: [{ linkType: LinkType.loop }],
      packets: [
        { tsNs: T0 + 5_000_000_000n, data: Uint8Array.of(4, 4, 4, 4, 4) },
        { tsNs: 0n, data: Uint8Array.of(5, 5), simple: true },
      ],
    },
  ]);
  const { seen, cf } = await readAll(file(bytes), { chunkBytes: 64 });
  assert.equal(cf.kind, 'pcapng');
  assert.deepEqual(seen.map((s) => [s.first, s.linkType, s.iface, s.capLen]), [
    [1, LinkType.ethernet, 0, 2],
    [2, LinkType.linuxSll2, 1, 3],
    [3, LinkType.raw, 2, 1],
    [4, LinkType.loop, 0, 5],
    [5, LinkType.loop, 0, 2],
  ]);
  const ns = (s: Seen) => BigInt(s.tsSec) * 1_000_000_000n + BigInt(s.tsNsec);
  assert.equal(ns(seen[0]), (T0 / 1000n) * 1000n);
  assert.equal(ns(seen[1]), T0 + 1n);
  // 2^-20 s units: within one unit (≈ 954 ns) of the written time.
  assert.ok(ns(seen[2]) <= T0 + 1_000_000n && ns(seen[2]) > T0 + 1_000_000n - 954n);
  assert.equal(ns(seen[4]), ns(seen[3]), 'a simple packet block keeps the previous time');
  assert.equal(cf.counters.blocksSkipped, 2);
});

test('pcapng interface filter: packets of unlisted named interfaces are counted, not read', async () => {
  const bytes = writePcapng([{
    interfaces: [{ linkType: LinkType.ethernet, name: 'eth0' }, { linkType: LinkType.ethernet, name: 'eth1' }],
    packets: [{ tsNs: T0, data: Uint8Array.of(1), iface: 0 }, { tsNs: T0, data: Uint8Array.of(2), iface: 1 }, { tsNs: T0, data: Uint8Array.of(3), iface: 7 }],
  }]);
  const { seen, cf } = await readAll(file(bytes), { interfaceFilter: (name) => name === 'eth1' });
  assert.deepEqual(seen.map((s) => s.first), [2]);
  assert.equal(cf.counters.interfaceFiltered, 1);
  assert.equal(cf.counters.unknownInterface, 1);
});

test('not a capture file, empty, gzip, missing, corrupt: CT_ERR_PCAP', async () => {
  await assert.rejects(CaptureFile.open(file(new TextEncoder().encode('hello world, not a pcap'))), { code: 'CT_ERR_PCAP' });
  await assert.rejects(CaptureFile.open(file(new Uint8Array(0))), { code: 'CT_ERR_PCAP' });
  await assert.rejects(CaptureFile.open(file(gzipSync(writePcap(packets, { linkType: 1 })))), { code: 'CT_ERR_PCAP', message: /gzip/ });
  await assert.rejects(CaptureFile.open(join(dir, 'absent.pcap')), { code: 'CT_ERR_PCAP' });
  const bad = writePcap(packets.slice(0, 2), { linkType: 1 });
  new DataView(bad.buffer).setUint32(24 + 16 + packets[0].data.length + 8, 0x7fffffff, true);
  const seen: number[] = [];
  const cf = await CaptureFile.open(file(bad));
  await assert.rejects(async () => {
    while (await cf.readChunk((p) => seen.push(p.capLen))) { /* read on */ }
  }, { code: 'CT_ERR_PCAP', message: new RegExp(`byte ${24 + 16 + packets[0].data.length}`) });
  await cf.close();
  assert.deepEqual(seen, [packets[0].data.length], 'the records before the damage were read');
});
