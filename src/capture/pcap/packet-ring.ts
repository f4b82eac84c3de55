// The live packet source: native/packet.c's AF_PACKET TPACKET_V3 ring, read in place. The addon hands over the
// index of each block the kernel has retired; the block's packets are visited straight from the mapped ring
// (one reused packet object, no copy) and the block is handed back.
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { buildArtifactPath } from '../build-artifacts.ts';
import { CleartapError, errorCode } from '../../core/errors.ts';
import { LinkType, newCapturedPacket, type PacketVisitor } from './captured-packet.ts';

type RingHandle = { readonly __brand: 'cleartap-packet-ring' };

interface PacketAddon {
  open(o: { ifindex: number; filter: Uint8Array; blockBytes: number; blocks: number; timeoutMs: number }): RingHandle;
  ring(h: RingHandle): ArrayBuffer;
  start(h: RingHandle, onBlock: (index: number) => void): void;
  release(h: RingHandle, index: number): void;
  pending(h: RingHandle): number;
  stats(h: RingHandle): Float64Array;
  stop(h: RingHandle): void;
  close(h: RingHandle): void;
}

export const PACKET_ADDON_PATH = buildArtifactPath('cleartap_packet.node');

export interface PacketRingOptions {
  /** struct sock_filter[] (port-filter.ts). */
  filter: Uint8Array;
  /** Interface to bind to; 0 for all. */
  ifindex: number;
  /** A power-of-two multiple of the page size, larger than the largest packet (loopback GSO: 64 KiB+). */
  blockBytes: number;
  blocks: number;
  /** A block is handed over when full or after this long, whichever comes first. */
  timeoutMs: number;
}

export interface PacketRingStats {
  /** Packets the filter passed (kernel count, dropped ones included). */
  packets: number;
  /** Packets the kernel dropped because no block was free (Node fell behind). */
  drops: number;
  /** Times the ring was full. */
  freezes: number;
}

// Offsets in struct tpacket_block_desc (hdr.bh1) and struct tpacket3_hdr (linux/if_packet.h).
const BLOCK_NUM_PKTS = 12;
const BLOCK_FIRST_PKT = 16;
const PKT_NEXT = 0;
const PKT_SEC = 4;
const PKT_NSEC = 8;
const PKT_SNAPLEN = 12;
const PKT_LEN = 16;
const PKT_NET = 26;
/** sockaddr_ll follows the header at TPACKET_ALIGN(sizeof(struct tpacket3_hdr)); sll_ifindex is at +4. */
const PKT_IFINDEX = 48 + 4;

let addon: PacketAddon | undefined;

function loadPacketAddon(): PacketAddon {
  if (addon) return addon;
  if (!existsSync(PACKET_ADDON_PATH)) {
    throw new CleartapError('CT_ERR_NOT_BUILT', `the packet-capture addon is missing at ${PACKET_ADDON_PATH}`, 'run `make build` first');
  }
  addon = createRequire(import.meta.url)(PACKET_ADDON_PATH) as PacketAddon;
  return addon;
}

/** The index of a network interface by name; undefined when there is none. */
export function interfaceIndex(name: string): number | undefined {
  try {
    return Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

const ARPHRD_LOOPBACK = 772;

/** Indexes of this network namespace's loopback interfaces. */
export function loopbackIndexes(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/sys/class/net')) {
    let type = 0;
    try {
      type = Number(readFileSync(`/sys/class/net/${name}/type`, 'utf8'));
    } catch {
      continue; // the interface went away while listing
    }
    const index = type === ARPHRD_LOOPBACK ? interfaceIndex(name) : undefined;
    if (index !== undefined) out.push(index);
  }
  return out;
}

export class PacketRing {
  private readonly native: PacketAddon;
  private readonly handle: RingHandle;
  private readonly blockBytes: number;
  private closed = false;
  private finalStats: PacketRingStats = { packets: 0, drops: 0, freezes: 0 };

  private constructor(native: PacketAddon, handle: RingHandle, blockBytes: number) {
    this.native = native;
    this.handle = handle;
    this.blockBytes = blockBytes;
  }

  static open(o: PacketRingOptions): PacketRing {
    const native = loadPacketAddon();
    try {
      return new PacketRing(native, native.open(o), o.blockBytes);
    } catch (err) {
      const errno = (err as { errno?: number }).errno;
      throw new CleartapError(
        'CT_ERR_PACKET_SOCKET',
        `passive capture could not open its packet socket: ${(err as Error).message}`,
        errno === 1 ? 'run as root, or give the agent CAP_NET_RAW' : `check --ring-mb and the interface (${errorCode(err) ?? 'no code'})`,
        { cause: err },
      );
    }
  }

  /**
   * Visits every packet of every block as it is retired, then calls `afterBlock` (where transactions are
   * collected). Packets start at their IP header (link type raw); interfaceId is the interface index.
   */
  start(visit: PacketVisitor, afterBlock: () => void): void {
    const ring = this.native.ring(this.handle);
    const view = new DataView(ring);
    const bytes = new Uint8Array(ring);
    const p = newCapturedPacket();
    p.bytes = bytes;
    p.view = view;
    p.linkType = LinkType.raw;
    this.native.start(this.handle, (index) => {
      if (this.closed) return;
      const base = index * this.blockBytes;
      const count = view.getUint32(base + BLOCK_NUM_PKTS, true);
      let at = base + view.getUint32(base + BLOCK_FIRST_PKT, true);
      try {
        for (let i = 0; i < count; i++) {
          p.tsSec = view.getUint32(at + PKT_SEC, true);
          p.tsNsec = view.getUint32(at + PKT_NSEC, true);
          p.capLen = view.getUint32(at + PKT_SNAPLEN, true);
          p.origLen = view.getUint32(at + PKT_LEN, true);
          p.offset = at + view.getUint16(at + PKT_NET, true);
          p.interfaceId = view.getInt32(at + PKT_IFINDEX, true);
          visit(p);
          at += view.getUint32(at + PKT_NEXT, true);
        }
      } finally {
        this.native.release(this.handle, index);
      }
      afterBlock();
    });
  }

  /** The kernel's counts since open (the last ones read before close, once closed). */
  stats(): PacketRingStats {
    if (this.closed) return this.finalStats;
    const [packets, drops, freezes] = this.native.stats(this.handle);
    return { packets, drops, freezes };
  }

  /**
   * Stops capturing once the block being filled has been retired (the kernel does that after timeoutMs) and
   * every block handed over has been visited.
   */
  async stop(timeoutMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 2 * timeoutMs));
    this.native.stop(this.handle);
    while (this.native.pending(this.handle) > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  close(): void {
    if (this.closed) return;
    this.finalStats = this.stats();
    this.closed = true;
    this.native.close(this.handle);
  }
}
