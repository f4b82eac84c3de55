import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipPacket, type SegmentSpec } from './fixtures/frames.ts';
import { ACCEPT_BYTES, AD_IFINDEX, AD_PKTTYPE, AD_PROTOCOL, buildPortFilter, encodeFilter, Op, type BpfInsn } from './port-filter.ts';
import { parsePortList } from './port-set.ts';

/** Runs a classic BPF program the way the kernel does for a SOCK_DGRAM packet socket (only the ops we emit). */
function run(prog: readonly BpfInsn[], pkt: Uint8Array, protocol: number, ifindex: number, pktType = 0): number {
  const v = new DataView(pkt.buffer, pkt.byteOffset, pkt.byteLength);
  let a = 0;
  let x = 0;
  for (let pc = 0; pc < prog.length; pc++) {
    const { code, jt, jf, k } = prog[pc];
    const load = (at: number, n: 1 | 2 | 4): number | undefined => (at + n > pkt.length ? undefined : n === 1 ? pkt[at] : n === 2 ? v.getUint16(at) : v.getUint32(at));
    let loaded: number | undefined;
    switch (code) {
      case Op.ldW:
        if (k === AD_PROTOCOL) a = protocol;
        else if (k === AD_IFINDEX) a = ifindex;
        else if (k === AD_PKTTYPE) a = pktType;
        else if ((loaded = load(k, 4)) === undefined) return 0;
        else a = loaded;
        break;
      case Op.ldH: if ((loaded = load(k, 2)) === undefined) return 0; a = loaded; break;
      case Op.ldB: if ((loaded = load(k, 1)) === undefined) return 0; a = loaded; break;
      case Op.ldHInd: if ((loaded = load(x + k, 2)) === undefined) return 0; a = loaded; break;
      case Op.ldxMsh: if ((loaded = load(k, 1)) === undefined) return 0; x = 4 * (loaded & 0xf); break;
      case Op.ldxImm: x = k; break;
      case Op.ja: pc += k; break;
      case Op.jeq: pc += a === k ? jt : jf; break;
      case Op.jgt: pc += a > k ? jt : jf; break;
      case Op.jge: pc += a >= k ? jt : jf; break;
      case Op.jset: pc += (a & k) !== 0 ? jt : jf; break;
      case Op.ret: return k;
      default: throw new Error(`op 0x${code.toString(16)} at ${pc}`);
    }
    assert.ok(pc < prog.length, 'jumped past the end');
  }
  throw new Error('fell off the end');
}

const seg = (srcPort: number, dstPort: number, v6 = false): SegmentSpec => ({
  src: { ip: v6 ? '2001:db8::1' : '192.0.2.1', port: srcPort }, dst: { ip: v6 ? '2001:db8::2' : '198.51.100.1', port: dstPort }, seq: 1, ack: 1, flags: 0x18,
});

test('only TCP over IPv4/IPv6 on the listed ports (either end) passes, whole', () => {
  const prog = buildPortFilter(parsePortList('80,443,5005-6000', 'ports'));
  const pass = (s: SegmentSpec, o = {}) => run(prog, ipPacket(s, o), s.src.ip.includes(':') ? 0x86dd : 0x0800, 3);
  for (const v6 of [false, true]) {
    assert.equal(pass(seg(40000, 80, v6)), ACCEPT_BYTES);
    assert.equal(pass(seg(443, 40000, v6)), ACCEPT_BYTES);
    assert.equal(pass(seg(40000, 5005, v6)), ACCEPT_BYTES);
    assert.equal(pass(seg(6000, 40000, v6)), ACCEPT_BYTES);
    assert.equal(pass(seg(40000, 6001, v6)), 0);
    assert.equal(pass(seg(40000, 81, v6)), 0);
    assert.equal(pass(seg(40000, 80, v6), { protocol: 17 }), 0);
  }
  assert.equal(pass(seg(40000, 80), { ipv4Options: 8 }), ACCEPT_BYTES, 'IPv4 options move the ports');
  assert.equal(pass(seg(40000, 80), { fragment: { offset: 100, more: false } }), 0);
  assert.equal(pass(seg(40000, 9999, true), { ipv6Extensions: ['hop'] }), ACCEPT_BYTES, 'left to user space');
  assert.equal(run(prog, new Uint8Array(28), 0x0806, 3), 0, 'ARP');
});

test('no port list: every TCP segment; an interface list: only those interfaces', () => {
  const all = buildPortFilter(undefined);
  assert.equal(run(all, ipPacket(seg(1, 2)), 0x0800, 1), ACCEPT_BYTES);
  const only = buildPortFilter(undefined, { ifindexes: [4, 9] });
  assert.equal(run(only, ipPacket(seg(1, 2)), 0x0800, 9), ACCEPT_BYTES);
  assert.equal(run(only, ipPacket(seg(1, 2)), 0x0800, 5), 0);
});

test('outgoing copies on loopback interfaces are dropped; outgoing packets elsewhere are kept', () => {
  const prog = buildPortFilter(parsePortList('80', 'ports'), { loopbacks: [1] });
  const pkt = ipPacket(seg(40000, 80));
  assert.equal(run(prog, pkt, 0x0800, 1, 4), 0, 'lo, outgoing');
  assert.equal(run(prog, pkt, 0x0800, 1, 0), ACCEPT_BYTES, 'lo, host');
  assert.equal(run(prog, pkt, 0x0800, 2, 4), ACCEPT_BYTES, 'eth, outgoing');
});

test('hundreds of ranges still assemble (long jumps go through ja) and encode as struct sock_filter', () => {
  const ranges = Array.from({ length: 300 }, (_, i) => `${1000 + i * 10}-${1000 + i * 10 + 3}`).join(',');
  const prog = buildPortFilter(parsePortList(ranges, 'ports'), { ifindexes: [1, 2, 3], loopbacks: [1] });
  assert.ok(prog.length < 4096);
  assert.equal(run(prog, ipPacket(seg(40000, 3992)), 0x0800, 2), ACCEPT_BYTES);
  assert.equal(run(prog, ipPacket(seg(40000, 3994)), 0x0800, 2), 0);
  const bytes = encodeFilter(prog);
  assert.equal(bytes.length, prog.length * 8);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x20, 0, 0, 0, 0x04, 0xf0, 0xff, 0xff]);
});
