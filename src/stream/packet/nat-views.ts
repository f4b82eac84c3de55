// The same connection captured on both sides of a NAT (a port forward, a Kubernetes service, docker -p) shows two
// tuples but the same pair of initial sequence numbers: Linux NAT rewrites addresses and ports, not sequence
// numbers. Of such views only the one nearest the server is reported — the one whose client SYN was seen last,
// since the SYN crosses the outer capture point first — so an app is reported on the port it really listens
// on, as the Invicti NTA does.
import type { TcpConnection } from './tcp-connection.ts';

/**
 * The longest a NAT takes to forward a SYN. Views further apart are different connections that happen to share
 * ISNs (a stack or a generator that does not randomise them).
 */
const NAT_WINDOW_NS = 1e9;

export class NatViews {
  private readonly byIsns = new Map<string, TcpConnection>();

  /** Records a connection whose two ISNs are known; returns the view to shadow when it duplicates another. */
  register(conn: TcpConnection, clientIsn: number, serverIsn: number): TcpConnection | undefined {
    const key = `${clientIsn}:${serverIsn}`;
    conn.natKey = key;
    const other = this.byIsns.get(key);
    if (other === undefined || other === conn || Math.abs(conn.synNs - other.synNs) > NAT_WINDOW_NS) {
      this.byIsns.set(key, conn);
      return undefined;
    }
    const [keep, shadow] = conn.synNs >= other.synNs ? [conn, other] : [other, conn];
    this.byIsns.set(key, keep);
    shadow.natKey = undefined;
    return shadow;
  }

  forget(conn: TcpConnection): void {
    if (conn.natKey !== undefined && this.byIsns.get(conn.natKey) === conn) this.byIsns.delete(conn.natKey);
  }
}
