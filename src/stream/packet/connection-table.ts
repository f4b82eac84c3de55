// The live connections by tuple: a Map from a 30-bit tuple hash to a chain of connections (no key string built
// per packet), plus the creation order for eviction and idle sweeps.
import type { TcpSegment } from '../../capture/pcap/index.ts';
import type { TcpConnection } from './tcp-connection.ts';

/** How many of the oldest connections an eviction looks at to find an idle one. */
const EVICTION_CANDIDATES = 8;

export class ConnectionTable {
  private readonly buckets = new Map<number, TcpConnection>();
  /** Insertion order: oldest first (a connection found busy at eviction time moves to the back). */
  private readonly order = new Set<TcpConnection>();
  /** Direction of the segment in the connection find() returned. */
  foundDir = -1;

  get size(): number {
    return this.order.size;
  }

  find(seg: TcpSegment, hash: number): TcpConnection | undefined {
    for (let c = this.buckets.get(hash); c !== undefined; c = c.nextInBucket) {
      const dir = c.directionOf(seg);
      if (dir >= 0) {
        this.foundDir = dir;
        return c;
      }
    }
    return undefined;
  }

  add(conn: TcpConnection): void {
    conn.nextInBucket = this.buckets.get(conn.hash);
    this.buckets.set(conn.hash, conn);
    this.order.add(conn);
  }

  remove(conn: TcpConnection): void {
    if (!this.order.delete(conn)) return;
    let c = this.buckets.get(conn.hash);
    if (c === conn) {
      if (conn.nextInBucket) this.buckets.set(conn.hash, conn.nextInBucket);
      else this.buckets.delete(conn.hash);
    } else {
      while (c !== undefined && c.nextInBucket !== conn) c = c.nextInBucket;
      if (c) c.nextInBucket = conn.nextInBucket;
    }
    conn.nextInBucket = undefined;
  }

  /** The connection to evict when the table is full: the idlest of the oldest few; the others move back. */
  evictionVictim(): TcpConnection | undefined {
    const seen: TcpConnection[] = [];
    for (const c of this.order) {
      seen.push(c);
      if (seen.length === EVICTION_CANDIDATES) break;
    }
    let victim: TcpConnection | undefined;
    for (const c of seen) if (!victim || c.lastNs < victim.lastNs) victim = c;
    for (const c of seen) {
      if (c === victim) continue;
      this.order.delete(c);
      this.order.add(c);
    }
    return victim;
  }

  /** Connections with nothing since `beforeNs` (a snapshot: the caller may remove them while iterating). */
  idleSince(beforeNs: number): TcpConnection[] {
    const idle: TcpConnection[] = [];
    for (const c of this.order) if (c.lastNs < beforeNs) idle.push(c);
    return idle;
  }

  all(): TcpConnection[] {
    return [...this.order];
  }
}
