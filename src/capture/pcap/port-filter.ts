// The kernel-side filter of the live source: a classic BPF program (what SO_ATTACH_FILTER takes, needing no
// CAP_BPF) that passes only TCP over IPv4/IPv6 on the listed interfaces and ports, so other packets never
// reach the ring or Node. The socket is SOCK_DGRAM: every packet starts at its IP header, and the protocol
// and interface come from the kernel's ancillary fields.
import type { PortSet } from './port-set.ts';

/** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k. */
export interface BpfInsn {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

export const Op = {
  ldW: 0x20, // A = ld [k] (32-bit; ancillary fields live at SKF_AD_OFF + n)
  ldH: 0x28, // A = ldh [k]
  ldB: 0x30, // A = ldb [k]
  ldHInd: 0x48, // A = ldh [x + k]
  ldxMsh: 0xb1, // X = 4 * ([k] & 0xf)
  ldxImm: 0x01, // X = k
  ja: 0x05, // pc += k (32-bit: the only long jump)
  jeq: 0x15,
  jgt: 0x25,
  jge: 0x35,
  jset: 0x45,
  ret: 0x06,
} as const;

const SKF_AD_OFF = -0x1000;
export const AD_PROTOCOL = (SKF_AD_OFF + 0) >>> 0;
export const AD_PKTTYPE = (SKF_AD_OFF + 4) >>> 0;
export const AD_IFINDEX = (SKF_AD_OFF + 8) >>> 0;
export const PACKET_OUTGOING = 4;
/** Bytes of each packet kept: whole packets, up to the largest a loopback GSO packet gets. */
export const ACCEPT_BYTES = 262144;

const IPV6_EXTENSIONS = [0, 43, 44, 60];

/** A tiny assembler: conditional jumps are relative and at most 255 ahead, so long ones go through `ja`. */
class Program {
  readonly insns: Array<BpfInsn & { target?: string }> = [];
  private readonly labels = new Map<string, number>();

  emit(code: number, k = 0, jt = 0, jf = 0): this {
    this.insns.push({ code, jt, jf, k: k >>> 0 });
    return this;
  }

  /** Goes to `label` (anywhere later) when A == k, else on. */
  jumpIfEq(k: number, label: string): this {
    this.emit(Op.jeq, k, 0, 1);
    this.insns.push({ code: Op.ja, jt: 0, jf: 0, k: 0, target: label });
    return this;
  }

  acceptIfEq(k: number): this {
    return this.emit(Op.jeq, k, 0, 1).emit(Op.ret, ACCEPT_BYTES);
  }

  acceptIfIn(from: number, to: number): this {
    if (from === to) return this.acceptIfEq(from);
    return this.emit(Op.jge, from, 0, 2).emit(Op.jgt, to, 1, 0).emit(Op.ret, ACCEPT_BYTES);
  }

  label(name: string): this {
    this.labels.set(name, this.insns.length);
    return this;
  }

  assemble(): BpfInsn[] {
    return this.insns.map((insn, pc) => {
      if (insn.target === undefined) return insn;
      const to = this.labels.get(insn.target);
      if (to === undefined || to <= pc) throw new Error(`BPF label ${insn.target} is not ahead of ${pc}`);
      return { code: insn.code, jt: 0, jf: 0, k: to - pc - 1 };
    });
  }
}

export interface FilterScope {
  /** Interfaces to capture on (indexes); none = all. */
  ifindexes?: readonly number[];
  /**
   * Loopback interfaces: a packet sent on one is seen leaving and arriving, so the leaving copy is dropped
   * (as libpcap does). Every other interface keeps outgoing packets: they are the host's own traffic.
   */
  loopbacks?: readonly number[];
}

/** The program for these interfaces and ports (undefined = all). */
export function buildPortFilter(ports: PortSet | undefined, scope: FilterScope = {}): BpfInsn[] {
  const p = new Program();
  const { ifindexes = [], loopbacks = [] } = scope;
  if (loopbacks.length > 0) {
    p.emit(Op.ldW, AD_PKTTYPE).jumpIfEq(PACKET_OUTGOING, 'outgoing');
    p.insns.push({ code: Op.ja, jt: 0, jf: 0, k: 0, target: 'scoped' });
    p.label('outgoing').emit(Op.ldW, AD_IFINDEX);
    for (const i of loopbacks) p.emit(Op.jeq, i, 0, 1).emit(Op.ret, 0);
    p.label('scoped');
  }
  if (ifindexes.length > 0) {
    p.emit(Op.ldW, AD_IFINDEX);
    for (const i of ifindexes) p.jumpIfEq(i, 'interface');
    p.emit(Op.ret, 0).label('interface');
  }
  p.emit(Op.ldW, AD_PROTOCOL).jumpIfEq(0x0800, 'v4').jumpIfEq(0x86dd, 'v6').emit(Op.ret, 0);
  p.label('v4')
    .emit(Op.ldH, 6).emit(Op.jset, 0x1fff, 0, 1).emit(Op.ret, 0) // a later fragment carries no ports
    .emit(Op.ldB, 9).emit(Op.jeq, 6, 1, 0).emit(Op.ret, 0)
    .emit(Op.ldxMsh, 0);
  p.insns.push({ code: Op.ja, jt: 0, jf: 0, k: 0, target: 'ports' });
  p.label('v6').emit(Op.ldB, 6).emit(Op.jeq, 6, 0, 2).emit(Op.ldxImm, 40);
  p.insns.push({ code: Op.ja, jt: 0, jf: 0, k: 0, target: 'ports' });
  // Extension headers before TCP: user space walks them (and checks the ports).
  for (const ext of IPV6_EXTENSIONS) p.acceptIfEq(ext);
  p.emit(Op.ret, 0).label('ports');
  if (!ports) return p.emit(Op.ret, ACCEPT_BYTES).assemble();
  for (const offset of [0, 2]) {
    p.emit(Op.ldHInd, offset);
    for (const r of ports.ranges) p.acceptIfIn(r.from, r.to);
  }
  return p.emit(Op.ret, 0).assemble();
}

/** struct sock_filter[] in host (little-endian, x86-64) byte order, as the addon passes it to the kernel. */
export function encodeFilter(insns: readonly BpfInsn[]): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  const v = new DataView(out.buffer);
  insns.forEach((insn, i) => {
    v.setUint16(i * 8, insn.code, true);
    out[i * 8 + 2] = insn.jt;
    out[i * 8 + 3] = insn.jf;
    v.setUint32(i * 8 + 4, insn.k, true);
  });
  return out;
}
