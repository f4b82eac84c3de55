// The contract every offline input (HAR, JSON lines, and later pcap or the local store) implements: a file in,
// Transactions out, and what was skipped and why: each unusable record is counted and the first few are described
// with their place in the file (line or entry number), so a bad file is diagnosable without failing the run.

import type { Transaction } from '../core/transaction.ts';

/** Reads one file; throws CT_ERR_DISCOVERY_INPUT when the file as a whole is unusable. */
export type TransactionReader = (file: string, counters: InputCounters) => AsyncIterable<Transaction>;

export interface InputCounters {
  /** Records turned into transactions. */
  transactions: number;
  /** Records skipped as unusable. */
  invalid: number;
  /** The first few skipped records: `file:line: reason`. */
  samples: string[];
}

export const MAX_INPUT_SAMPLES = 5;

export function newInputCounters(): InputCounters {
  return { transactions: 0, invalid: 0, samples: [] };
}

export function countInvalid(counters: InputCounters, where: string, reason: string): void {
  counters.invalid++;
  if (counters.samples.length < MAX_INPUT_SAMPLES) counters.samples.push(`${where}: ${reason}`);
}
