// `cleartap passive`: live capture on the host's interfaces through the passive stages into a sink, with the
// shared lifecycle (start, then stop: drain what was captured, close in reverse order). The kernel filters by
// interface and port before anything reaches Node; what the ring cannot hold is counted by the kernel.
import { networkInterfaces } from 'node:os';
import { buildPortFilter, encodeFilter, interfaceIndex, loopbackIndexes, PacketRing, type PacketRingStats } from '../../capture/pcap/index.ts';
import { CleartapError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { Transaction } from '../../core/transaction.ts';
import type { TransactionSink } from '../agent.ts';
import { NTA_SETTINGS } from './nta-options.ts';
import { PassiveStages, type PassiveStageOptions, type PassiveStageStatus } from './passive-stages.ts';

export interface LiveCaptureOptions extends PassiveStageOptions {
  sink: TransactionSink;
  log: Logger;
  /** Ring size in bytes (a multiple of blockBytes). */
  ringBytes: number;
}

export interface LiveCaptureStatus extends PassiveStageStatus {
  ring: PacketRingStats;
  /** Transactions dropped because the sink was too far behind. */
  sinkBacklogDropped: number;
}

/** Blocks must hold the largest packet: loopback and veth hand over GSO super-packets of 64 KiB and more. */
const BLOCK_BYTES = 1 << 20;
const BLOCK_TIMEOUT_MS = 10;
const TICK_MS = 1000;
/** Batches handed to the sink and not yet written; past this, batches are dropped and counted. */
const MAX_PENDING_BATCHES = 256;

export class LiveCapture {
  private readonly opts: LiveCaptureOptions;
  private readonly stages: PassiveStages;
  private ring: PacketRing | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending = new Set<Promise<void>>();
  private sinkBacklogDropped = 0;

  constructor(opts: LiveCaptureOptions) {
    const local = localAddresses();
    this.opts = opts;
    this.stages = new PassiveStages({ ...opts, tracker: { ...opts.tracker, isLocalAddress: (a) => local.has(a) } });
  }

  start(): void {
    const names = this.opts.passive.interfaces;
    const ifindexes = (names ?? []).map((name) => {
      const index = interfaceIndex(name);
      if (index === undefined) {
        const s = NTA_SETTINGS.interfaces;
        throw new CleartapError('CT_ERR_CONFIG', `interface "${name}" does not exist (${s.env} or ${s.flag})`, 'list the interfaces with `ip link`');
      }
      return index;
    });
    const scope = { ifindexes: ifindexes.length > 1 ? ifindexes : [], loopbacks: loopbackIndexes() };
    const filter = encodeFilter(buildPortFilter(this.opts.passive.ports, scope));
    const blocks = Math.max(2, Math.floor(this.opts.ringBytes / BLOCK_BYTES));
    this.ring = PacketRing.open({ filter, ifindex: ifindexes.length === 1 ? ifindexes[0] : 0, blockBytes: BLOCK_BYTES, blocks, timeoutMs: BLOCK_TIMEOUT_MS });
    this.ring.start(this.stages.visit, () => this.emit(this.stages.take()));
    this.timer = setInterval(() => {
      this.stages.tick(Date.now());
      this.emit(this.stages.take());
    }, TICK_MS);
    this.opts.log.info({ interfaces: names ?? 'all', ports: this.opts.passive.ports?.toString() ?? 'all', ringMiB: (blocks * BLOCK_BYTES) >> 20 }, 'passive capture started');
  }

  /** Stops capturing, finishes every connection, and waits until the sink has taken what that produced. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const ring = this.ring;
    if (ring) {
      await ring.stop(BLOCK_TIMEOUT_MS);
      this.emit(this.stages.finish());
      ring.close();
    }
    await Promise.all(this.pending);
  }

  status(): LiveCaptureStatus {
    return { ...this.stages.status(), ring: this.ring?.stats() ?? { packets: 0, drops: 0, freezes: 0 }, sinkBacklogDropped: this.sinkBacklogDropped };
  }

  private emit(batch: Transaction[]): void {
    if (batch.length === 0) return;
    if (this.pending.size >= MAX_PENDING_BATCHES) {
      this.sinkBacklogDropped += batch.length;
      return;
    }
    const write = this.opts.sink.write(batch).catch((err: unknown) => this.opts.log.error({ err }, 'the sink failed to write a batch'));
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }
}

/** This host's (this network namespace's) addresses: transactions whose client is one of them are egress. */
function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}
