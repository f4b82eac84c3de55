import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType, newCapturedPacket, type CapturedPacket } from './captured-packet.ts';
import { frame, ipPacket, type FrameOptions, type SegmentSpec } from './fixtures/frames.ts';
import { PacketDecoder } from './packet-decoder.ts';
import { parsePortList } from './port-set.ts';
import { newTcpSegment, TcpFlag } from './tcp-segment.ts';

const payload = new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n');
const v4: SegmentSpec = { src: { ip: '192.0.2.1', port: 40000 }, dst: { ip: '198.51.100.7', port: 8080 }, seq: 0xfffffff0, ack: 77, flags: TcpFlag.ack | TcpFlag.psh, payload };
const v6: SegmentSpec = { ...v4, src: { ip: '2001:db8::1', port: 40000 }, dst: { ip: '2001:db8:0:1::beef', port: 80 } };

function packet(linkType: number, bytes: Uint8Array, snap = bytes.length): CapturedPacket {
  // Placed at an offset inside a larger buffer, as the reader's packets are.
  const buf = new Uint8Array(bytes.length + 11);
  buf.set(bytes, 7);
  const p = newCapturedPacket();
  Object.assign(p, { bytes: buf, view: new DataView(buf.buffer), offset: 7, capLen: snap, origLen: bytes.length, linkType });
  return p;
}

function decode(linkType: number, spec: SegmentSpec, o: FrameOptions = {}, snap?: number, decoder = new PacketDecoder()) {
  const seg = newTcpSegment();
  const bytes = frame(linkType, ipPacket(spec, o), o);
  const ok = decoder.decode(packet(linkType, bytes, snap), seg);
  return { ok, seg, counters: decoder.counters, text: new TextDecoder().decode(seg.bytes.subarray(seg.payloadOffset, seg.payloadOffset + seg.payloadCaptured)) };
}

const links = [LinkType.ethernet, LinkType.linuxSll, LinkType.linuxSll2, LinkType.raw, LinkType.null, LinkType.loop] as const;

for (const link of links) {
  for (const spec of [v4, v6]) {
    test(`link type ${link}, IPv${spec === v4 ? 4 : 6}: ports, sequence numbers, flags and payload`, () => {
      const { ok, seg, text } = decode(link, spec);
      assert.equal(ok, true);
      assert.equal(seg.family, spec === v4 ? 4 : 6);
      assert.deepEqual([seg.srcPort, seg.dstPort, seg.seq, seg.ack, seg.flags], [40000, spec.dst.port, 0xfffffff0, 77, TcpFlag.ack | TcpFlag.psh]);
      assert.equal(text, 'GET / HTTP/1.1\r\n\r\n');
      assert.equal(seg.payloadLength, payload.length);
      if (spec === v4) assert.deepEqual([seg.src2, seg.src3, seg.dst3], [0xffff, 0xc0000201, 0xc6336407]);
      else assert.deepEqual([seg.dst0, seg.dst1, seg.dst2, seg.dst3], [0x20010db8, 1, 0, 0xbeef]);
    });
  }
}

test('802.1Q and QinQ tags on Ethernet, SLL and SLL2 are stepped over', () => {
  for (const link of [LinkType.ethernet, LinkType.linuxSll, LinkType.linuxSll2]) {
    for (const vlans of [[10], [100, 200], [1, 2, 3]]) assert.equal(decode(link, v6, { vlans }).text, 'GET / HTTP/1.1\r\n\r\n');
  }
});

test('IPv4 options and IPv6 extension headers (hop-by-hop, destination, atomic fragment) are stepped over', () => {
  assert.equal(decode(LinkType.raw, v4, { ipv4Options: 12 }).text, 'GET / HTTP/1.1\r\n\r\n');
  assert.equal(decode(LinkType.raw, v6, { ipv6Extensions: ['hop', 'dest', 'atomic-fragment'] }).text, 'GET / HTTP/1.1\r\n\r\n');
});

test('fragments, other protocols, non-IP frames and unknown link types are counted by reason', () => {
  const d = new PacketDecoder();
  assert.equal(decode(LinkType.raw, v4, { fragment: { offset: 0, more: true } }, undefined, d).ok, false);
  assert.equal(decode(LinkType.raw, v4, { fragment: { offset: 185, more: false } }, undefined, d).ok, false);
  assert.equal(decode(LinkType.raw, v4, { protocol: 17 }, undefined, d).ok, false);
  assert.equal(decode(LinkType.raw, v6, { protocol: 58 }, undefined, d).ok, false);
  const arp = frame(LinkType.ethernet, ipPacket(v4));
  new DataView(arp.buffer).setUint16(12, 0x0806);
  assert.equal(d.decode(packet(LinkType.ethernet, arp), newTcpSegment()), false);
  assert.equal(d.decode(packet(147, arp), newTcpSegment()), false);
  assert.deepEqual(
    { ipFragments: d.counters.ipFragments, notTcp: d.counters.notTcp, notIp: d.counters.notIp, unknownLinkType: d.counters.unknownLinkType },
    { ipFragments: 2, notTcp: 2, notIp: 1, unknownLinkType: 1 },
  );
});

test('a snapped payload keeps its wire length; cut headers are truncated packets; lies are malformed', () => {
  const cut = decode(LinkType.ethernet, v4, {}, 14 + 20 + 20 + 5);
  assert.equal(cut.ok, true);
  assert.deepEqual([cut.seg.payloadCaptured, cut.seg.payloadLength, cut.counters.snappedPayloads], [5, payload.length, 1]);
  const d = new PacketDecoder();
  assert.equal(decode(LinkType.ethernet, v4, {}, 14 + 20 + 10, d).ok, false);
  assert.equal(decode(LinkType.ethernet, v6, {}, 14 + 30, d).ok, false);
  assert.equal(decode(LinkType.ethernet, v4, {}, 10, d).ok, false);
  assert.equal(d.counters.truncatedPackets, 3);
  const lying = ipPacket(v4);
  new DataView(lying.buffer).setUint16(2, lying.length + 100); // total length past the frame
  assert.equal(d.decode(packet(LinkType.raw, lying), newTcpSegment()), false);
  const badOffset = ipPacket(v4);
  badOffset[20 + 12] = 3 << 4;
  assert.equal(d.decode(packet(LinkType.raw, badOffset), newTcpSegment()), false);
  assert.equal(d.counters.malformed, 2);
});

test('Ethernet padding after a short IPv4 packet is not payload', () => {
  const empty = { ...v4, payload: undefined };
  const padded = new Uint8Array(60);
  padded.set(frame(LinkType.ethernet, ipPacket(empty)));
  const seg = newTcpSegment();
  assert.equal(new PacketDecoder().decode(packet(LinkType.ethernet, padded), seg), true);
  assert.equal(seg.payloadLength, 0);
});

test('the port list keeps segments with either port in it', () => {
  const d = new PacketDecoder(parsePortList('80, 8000-8080', 'ports'));
  assert.equal(decode(LinkType.raw, v4, {}, undefined, d).ok, true);
  assert.equal(decode(LinkType.raw, v6, {}, undefined, d).ok, true);
  assert.equal(decode(LinkType.raw, { ...v4, dst: { ip: '192.0.2.9', port: 9000 } }, {}, undefined, d).ok, false);
  assert.equal(d.counters.portFiltered, 1);
});
