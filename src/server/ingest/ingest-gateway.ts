// The Pulse-like gateway: batches of events that agents post (routes/ingest-routes.ts) are sanitized
// (event-sanitizer.ts), stamped with the agent that sent them, and written — to ClickHouse first when the server
// has one, then into the local store the server reads, through the local store's own event backend (the same
// rows the agent writes, plus transaction_agents). So the transaction list, detail, metrics and live tail show
// them with nothing else to change, and data flows one way: agent → gateway → store → API.
//
// The answer comes after the writes: an agent whose post failed (503) keeps the batch in its spool and retries,
// so the agent's spool is the only buffer. Retries are idempotent: each event is stored under
// "<agent id>:<its spool record id>" (INSERT OR IGNORE in SQLite; ClickHouse looks the ids up first when the
// agent says the batch may have landed), and a batch id answered lately is answered again without a write.
//
// The local store is opened at the first batch, so a server that no agent posts to never writes it.
import type { Logger } from '../../core/logger.ts';
import type { IngestBatch, IngestResult } from '../../core/ingest-wire.ts';
import { createClickHouseBackend, createLocalEventBackend, type ClickHouseBackend, type ClickHouseSettings, type EventBackend, type Retention, type SpooledEvent } from '../../sinks/index.ts';
import { ApiError } from '../api-error.ts';
import { sanitizeEvent } from './event-sanitizer.ts';

/** Batch ids remembered per server (the events' own ids keep retries idempotent beyond these). */
const REMEMBERED_BATCHES = 4096;

export interface IngestCounters {
  batches: number;
  batches_duplicate: number;
  events_accepted: number;
  /** Drops, by name: events refused whole, and fields stripped from accepted ones. */
  events_rejected: number;
  fields_dropped: number;
  /** Batches answered 503 because a store failed (the agent retries them). */
  write_failures: number;
}

export interface GatewayOptions {
  /** The local store the server reads. */
  storeDir: string;
  retention: Retention;
  clickhouse?: ClickHouseSettings;
  log: Logger;
}

export interface Sender {
  agentId: string;
  name: string;
}

export class IngestGateway {
  readonly #o: GatewayOptions;
  readonly #answered = new Map<string, IngestResult>();
  readonly #counters: IngestCounters = { batches: 0, batches_duplicate: 0, events_accepted: 0, events_rejected: 0, fields_dropped: 0, write_failures: 0 };
  #local: EventBackend | undefined;
  #clickhouse: ClickHouseBackend | undefined;
  /** Writes under way; close() waits for them. */
  #writing = new Set<Promise<unknown>>();

  constructor(options: GatewayOptions) {
    this.#o = options;
    if (options.clickhouse !== undefined) this.#clickhouse = createClickHouseBackend(options.clickhouse);
  }

  counters(): Readonly<IngestCounters> {
    return { ...this.#counters };
  }

  async ingest(sender: Sender, batch: IngestBatch): Promise<IngestResult> {
    const key = `${sender.agentId} ${batch.batchId}`;
    const known = this.#answered.get(key);
    if (known !== undefined) {
      this.#counters.batches_duplicate++;
      return { ...known, duplicate: true };
    }
    const items: SpooledEvent[] = [];
    let rejected = 0;
    let droppedFields = 0;
    for (const e of batch.events) {
      const s = sanitizeEvent(e.type, e.item);
      if (!s.ok) {
        rejected++;
        this.#o.log.debug({ agent: sender.name, event: e.id, reason: s.reason }, 'ingest: event refused');
        continue;
      }
      droppedFields += s.droppedFields;
      items.push({ id: `${sender.agentId}:${e.id}`, event: s.event, source: { agentId: sender.agentId, agentName: sender.name } });
    }
    if (items.length > 0) {
      const writing = this.#write(items, batch.retry);
      this.#writing.add(writing);
      try {
        await writing;
      } catch (err) {
        this.#counters.write_failures++;
        this.#o.log.warn({ agent: sender.name, err: (err as Error).message }, 'ingest: a store failed; the agent keeps the batch and retries');
        throw new ApiError('CT_ERR_UNAVAILABLE', `the event store failed: ${(err as Error).message}`);
      } finally {
        this.#writing.delete(writing);
      }
    }
    const result: IngestResult = { batchId: batch.batchId, accepted: items.length, rejected, droppedFields, duplicate: false };
    this.#counters.batches++;
    this.#counters.events_accepted += items.length;
    this.#counters.events_rejected += rejected;
    this.#counters.fields_dropped += droppedFields;
    this.#answered.set(key, result);
    if (this.#answered.size > REMEMBERED_BATCHES) this.#answered.delete(this.#answered.keys().next().value as string);
    return result;
  }

  async #write(items: SpooledEvent[], maybeDelivered: boolean): Promise<void> {
    await this.#clickhouse?.write(items, maybeDelivered);
    this.#local ??= createLocalEventBackend({ dir: this.#o.storeDir, retention: this.#o.retention, log: this.#o.log });
    await this.#local.write(items, maybeDelivered);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#writing]);
    await this.#local?.close();
    await this.#clickhouse?.close();
  }
}
