// Where the benchmark's transactions come from. Every source records while the traffic runs and hands over what
// it captured afterwards, so the rest of the harness does not care how they were captured:
//   recorder       in-process: built from what the node:http server saw (server-recorder.ts)
//   qtap-jsonl     the recorder's transactions written as cleartap's JSON lines (level full) and read back
//                  through discovery's JSON-lines reader: the path the agent's output takes, minus the kernel
//   jsonl:FILE     a JSON-lines capture made meanwhile by something else, e.g. the eBPF agent started by hand as
//                  `cleartap --level full > FILE`; read after the traffic, limited to the server's port (ingress)

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Transaction } from '../../src/core/transaction.ts';
import { newInputCounters, readQtapJsonl, type InputCounters } from '../../src/discovery/index.ts';
import { toQtapRecord } from '../../src/sinks/stdout/index.ts';
import { recordServer } from './server-recorder.ts';
import type { Server } from 'node:http';

export interface TransactionSource {
  readonly name: string;
  /** Called before the first request; `server` is the API under test, listening on `port`. */
  start(server: Server, port: number): Promise<void>;
  /** Called after the last response: everything captured. */
  stop(): Promise<{ transactions: AsyncIterable<Transaction> | Iterable<Transaction>; counters?: InputCounters }>;
}

export function recorderSource(): TransactionSource {
  const captured: Transaction[] = [];
  let detach = (): void => {};
  return {
    name: 'recorder',
    async start(server) {
      detach = recordServer(server, (tx) => captured.push(tx));
    },
    async stop() {
      detach();
      return { transactions: captured };
    },
  };
}

export function qtapJsonlSource(): TransactionSource {
  const recorder = recorderSource();
  const dir = mkdtempSync(join(tmpdir(), 'ct-bench-disc-'));
  return {
    name: 'qtap-jsonl',
    start: (server, port) => recorder.start(server, port),
    async stop() {
      const { transactions } = await recorder.stop();
      const file = join(dir, 'capture.jsonl');
      const lines: string[] = [];
      for await (const tx of transactions) lines.push(JSON.stringify(toQtapRecord(tx, 'full')));
      writeFileSync(file, `${lines.join('\n')}\n`);
      const counters = newInputCounters();
      const read: Transaction[] = [];
      for await (const tx of readQtapJsonl(file, counters)) read.push(tx);
      rmSync(dir, { recursive: true, force: true });
      return { transactions: read, counters };
    },
  };
}

/** `settleMs`: time left to the external capture to write out the last exchanges. */
export function jsonlFileSource(file: string, settleMs = 2000): TransactionSource {
  let port = 0;
  return {
    name: `jsonl:${file}`,
    async start(_server, p) {
      port = p;
    },
    async stop() {
      await sleep(settleMs);
      const counters = newInputCounters();
      const mine = async function* (): AsyncGenerator<Transaction> {
        for await (const tx of readQtapJsonl(file, counters)) {
          if (tx.direction === 'ingress' && new URL(tx.request.url).port === String(port)) yield tx;
        }
      };
      return { transactions: mine(), counters };
    },
  };
}

export function sourceByName(name: string): TransactionSource {
  if (name === 'recorder') return recorderSource();
  if (name === 'qtap-jsonl') return qtapJsonlSource();
  if (name.startsWith('jsonl:')) return jsonlFileSource(name.slice('jsonl:'.length));
  throw new Error(`unknown source "${name}": recorder, qtap-jsonl or jsonl:FILE`);
}
