// Passive mode's connection tracker: TCP segments in (from a capture file or the live ring), HTTP/1 transactions
// out. Each connection reassembles both directions and feeds the same Flow and parser as eBPF mode. Bounded:
// a full table evicts an idle connection, idle ones expire (by packet time, so a file replays the same way at
// any speed), out-of-order data has a per-direction and an overall budget, and every drop is counted.
import { TcpFlag, type TcpSegment } from '../../capture/pcap/index.ts';
import type { Transaction } from '../../core/transaction.ts';
import type { Http1Limits, Http1Stats } from '../../protocols/http1/index.ts';
import { newStreamCounters } from '../counters.ts';
import { Flow, type FlowExchange } from '../flow.ts';
import { transactionOf } from '../transaction-of.ts';
import { DEFAULT_REASSEMBLY_LIMITS, newReassemblyCounters, type QueueBudget, type ReassemblyCounters, type ReassemblyLimits } from '../tcp/index.ts';
import { addParserStats, newConnectionCounters, newParserTotals, type ConnectionCounters } from './connection-counters.ts';
import { ConnectionTable } from './connection-table.ts';
import { NatViews } from './nat-views.ts';
import { TcpConnection, tupleHash } from './tcp-connection.ts';

export interface PacketTrackerOptions {
  limits: Partial<Http1Limits>;
  reassembly: ReassemblyLimits;
  maxConnections: number;
  /** Connections silent this long (packet time) are finished. */
  idleNs: number;
  /**
   * Whether an address is this host's (live capture). A transaction whose client is local and whose server is
   * not is egress, seen from the client; every other one is ingress, seen from the server. Without it (a file
   * from elsewhere) every transaction is reported from the server's side.
   */
  isLocalAddress?: (address: string) => boolean;
}

export const DEFAULT_PACKET_TRACKER_OPTIONS: Readonly<PacketTrackerOptions> = Object.freeze({
  limits: {},
  reassembly: DEFAULT_REASSEMBLY_LIMITS,
  maxConnections: 65536,
  idleNs: 300e9,
});

export interface PacketTrackerStatus {
  connections: ConnectionCounters;
  reassembly: ReassemblyCounters;
  /** HTTP/1 parser counters of the connections that have ended. */
  parser: Http1Stats;
  /** Bytes of connections that never showed an HTTP/1 message start. */
  notHttpBytes: number;
  openConnections: number;
  /** Out-of-order bytes held right now. */
  queuedBytes: number;
}

const SWEEP_INTERVAL_NS = 1e9;
const { syn: SYN, ack: ACK, fin: FIN, rst: RST } = TcpFlag;

export class PacketTracker {
  private readonly opts: PacketTrackerOptions;
  private readonly wallMs: (tsNs: number) => number;
  private readonly table = new ConnectionTable();
  private readonly nat = new NatViews();
  private readonly counters = newConnectionCounters();
  private readonly reassembly = newReassemblyCounters();
  private readonly streamCounters = newStreamCounters();
  private readonly parser = newParserTotals();
  private readonly budget: QueueBudget;
  private out: Transaction[] = [];
  private now = -Infinity;
  private lastSweepNs = -Infinity;
  private connSeq = 0;
  private txSeq = 0;
  private readonly runId = Date.now().toString(36);

  /** `wallMs` turns a segment's tsNs into Unix milliseconds. */
  constructor(wallMs: (tsNs: number) => number, opts: Partial<PacketTrackerOptions> = {}) {
    this.wallMs = wallMs;
    this.opts = { ...DEFAULT_PACKET_TRACKER_OPTIONS, ...opts };
    this.budget = { used: 0, max: this.opts.reassembly.maxQueuedBytesTotal };
  }

  onSegment(seg: TcpSegment): void {
    const ts = seg.tsNs;
    if (ts > this.now) this.now = ts;
    if (this.now - this.lastSweepNs >= SWEEP_INTERVAL_NS) this.sweep();
    const flags = seg.flags;
    const syn = (flags & SYN) !== 0;
    const ack = (flags & ACK) !== 0;
    const hash = tupleHash(seg);
    let conn = this.table.find(seg, hash);
    let dir = this.table.foundDir;
    if (conn !== undefined && syn && !ack && conn.halves[dir].isn !== seg.seq) {
      this.counters.connectionsReused++;
      this.finish(conn, ts);
      conn = undefined;
    }
    if (conn === undefined) {
      if ((flags & RST) !== 0 || (!syn && seg.payloadLength === 0)) {
        this.counters.segmentsWithoutConnection++;
        return;
      }
      conn = this.open(seg, hash);
      dir = 0;
    }
    conn.lastNs = ts;
    if ((flags & RST) !== 0) {
      this.counters.connectionsReset++;
      this.finish(conn, ts);
      return;
    }
    if (syn) this.noteSyn(conn, dir, ack, seg.seq, ts);
    if (conn.ignored) {
      this.counters.unparsedBytes += seg.payloadLength;
      if ((flags & FIN) !== 0) conn.finBits |= 1 << dir;
      if (conn.finBits === 3) this.forget(conn);
      return;
    }
    if (ack) conn.halves[1 - dir].peerAck(seg.ack, ts);
    conn.halves[dir].segment(seg.seq, syn, (flags & FIN) !== 0, seg.bytes, seg.payloadOffset, seg.payloadCaptured, seg.payloadLength, ts);
    this.settle(conn, ts);
  }

  /** Time passes without packets (a quiet live capture): idle connections still expire on schedule. */
  advanceTo(tsNs: number): void {
    if (tsNs > this.now) this.now = tsNs;
    if (this.now - this.lastSweepNs >= SWEEP_INTERVAL_NS) this.sweep();
  }

  /** Transactions completed since the last call. */
  drain(): Transaction[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /** The capture is over: every connection is finished at the last packet's time. */
  finishAll(): void {
    for (const conn of this.table.all()) {
      this.counters.connectionsOpenAtEnd++;
      this.finish(conn, this.now);
    }
  }

  status(): PacketTrackerStatus {
    return {
      connections: { ...this.counters },
      reassembly: { ...this.reassembly },
      parser: { ...this.parser },
      notHttpBytes: this.streamCounters.notHttpBytes,
      openConnections: this.table.size,
      queuedBytes: this.budget.used,
    };
  }

  private open(seg: TcpSegment, hash: number): TcpConnection {
    if (this.table.size >= this.opts.maxConnections) {
      const victim = this.table.evictionVictim();
      if (victim) {
        this.counters.connectionsEvicted++;
        this.finish(victim, this.now);
      }
    }
    const flow = new Flow(
      { id: `${this.runId}-c${++this.connSeq}`, pid: 0, ssl: 0, tlsLibrary: undefined, socket: undefined, tsNs: seg.tsNs },
      this.streamCounters,
      this.opts.limits,
    );
    const conn = new TcpConnection(seg, hash, flow, this.reassembly, this.opts.reassembly, this.budget);
    this.table.add(conn);
    this.counters.connectionsOpened++;
    return conn;
  }

  /** A SYN marks the client; the server's SYN-ACK completes the ISN pair that identifies NAT views. */
  private noteSyn(conn: TcpConnection, dir: number, ack: boolean, seq: number, ts: number): void {
    if (!ack) {
      if (conn.synDir < 0) {
        conn.synDir = dir;
        conn.synNs = ts;
      }
      return;
    }
    const clientIsn = conn.synDir === 1 - dir ? conn.halves[conn.synDir].isn : undefined;
    if (clientIsn === undefined || conn.natKey !== undefined || conn.ignored) return;
    const shadow = this.nat.register(conn, clientIsn, seq);
    if (shadow) {
      shadow.shadowed = true;
      this.counters.natDuplicateConnections++;
      this.ignore(shadow, ts);
    }
  }

  /** After a segment: hand on finished exchanges, stop parsing what cannot be HTTP, close what is over. */
  private settle(conn: TcpConnection, ts: number): void {
    const flow = conn.flow;
    this.output(conn, flow.take());
    if (flow.exhausted) {
      this.ignore(conn, ts);
    } else if (conn.halves[0].ended && conn.halves[1].ended) {
      this.counters.connectionsClosed++;
      this.finish(conn, ts);
    }
  }

  private sweep(): void {
    this.lastSweepNs = this.now;
    for (const conn of this.table.idleSince(this.now - this.opts.idleNs)) {
      this.counters.connectionsExpired++;
      this.finish(conn, this.now);
    }
  }

  /** Stops parsing a connection (its pending exchanges are emitted now) but keeps it until it ends. */
  private ignore(conn: TcpConnection, ts: number): void {
    if (conn.ignored) return;
    this.output(conn, conn.flow.finish(ts));
    this.retireParser(conn);
    conn.ignored = true;
    conn.finBits = (conn.halves[0].ended ? 1 : 0) | (conn.halves[1].ended ? 2 : 0);
    conn.halves[0].release();
    conn.halves[1].release();
  }

  private finish(conn: TcpConnection, ts: number): void {
    if (!conn.ignored) {
      // The client's bytes first, so the parser sees requests before the responses that answer them.
      const first = conn.flow.sendRole === 'response' ? 1 : 0;
      conn.halves[first].flush(ts);
      conn.halves[1 - first].flush(ts);
      this.output(conn, conn.flow.finish(ts));
      this.retireParser(conn);
      conn.halves[0].release();
      conn.halves[1].release();
    }
    this.forget(conn);
  }

  private forget(conn: TcpConnection): void {
    this.table.remove(conn);
    this.nat.forget(conn);
  }

  private retireParser(conn: TcpConnection): void {
    const stats = conn.flow.parserStats;
    if (stats) addParserStats(this.parser, stats);
  }

  private output(conn: TcpConnection, exchanges: readonly FlowExchange[]): void {
    if (exchanges.length === 0) return;
    if (conn.shadowed) {
      this.counters.natDuplicateExchanges += exchanges.length;
      return;
    }
    // Endpoint A sends the requests when the flow's SEND side (A → B) is the request side.
    const clientSide = conn.flow.sendRole === 'response' ? 1 : 0;
    const client = conn.endpoint(clientSide);
    const server = conn.endpoint(clientSide === 0 ? 1 : 0);
    const isLocal = this.opts.isLocalAddress;
    const egress = isLocal !== undefined && isLocal(client.address) && !isLocal(server.address);
    for (const ex of exchanges) {
      const tx = transactionOf(ex, {
        id: `${this.runId}-t${++this.txSeq}`,
        connectionId: conn.flow.id,
        direction: egress ? 'egress' : 'ingress',
        sendsRequests: egress,
        local: egress ? client : server,
        remote: egress ? server : client,
        wallMs: this.wallMs,
      });
      this.counters.transactions++;
      if (!tx.response) this.counters.unanswered++;
      this.out.push(tx);
    }
  }
}
