// The agent's live API inventory: every transaction that passes the tap's filters feeds one discovery model
// (constant memory per endpoint), and its documents are written next to the local store — one OpenAPI 3.1
// document per server and inventory.json, in <local store>/discovery/ — every interval and at stop. Files are
// written to a temporary name and renamed, so a reader never sees half a document.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/logger.ts';
import type { Transaction } from '../core/transaction.ts';
import { DiscoveryModel, inventoryIndex, openApiDocument, renderDocument, serverFileStem } from '../discovery/index.ts';

export const DISCOVERY_INTERVAL_MS = 60_000;

export class LiveDiscovery {
  private readonly model = new DiscoveryModel({});
  private readonly dir: string;
  private readonly log: Logger;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private added = 0;
  private written = -1;
  private writing: Promise<void> = Promise.resolve();

  constructor(dir: string, log: Logger, intervalMs = DISCOVERY_INTERVAL_MS) {
    this.dir = dir;
    this.log = log;
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.timer = setInterval(() => void this.write(), this.intervalMs);
    this.timer.unref();
  }

  add(tx: Transaction): void {
    this.model.add(tx);
    this.added++;
  }

  /** Writes the documents when something was added since the last time; failures are logged, never thrown. */
  write(): Promise<void> {
    if (this.added === this.written) return this.writing;
    const upTo = this.added;
    this.writing = this.writing.then(async () => {
      try {
        const snapshot = this.model.snapshot();
        await mkdir(this.dir, { recursive: true });
        const put = async (name: string, text: string) => {
          const tmp = join(this.dir, `.${name}.tmp`);
          await writeFile(tmp, text);
          await rename(tmp, join(this.dir, name));
        };
        for (const server of snapshot.servers) await put(`${serverFileStem(server)}.openapi.json`, renderDocument(openApiDocument(server), 'json'));
        await put('inventory.json', `${JSON.stringify(inventoryIndex(snapshot), null, 2)}\n`);
        this.written = upTo;
      } catch (err) {
        this.log.error({ error: (err as Error).message, dir: this.dir }, 'the API inventory could not be written');
      }
    });
    return this.writing;
  }

  /** Stops the timer and writes what is new. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.write();
  }
}
