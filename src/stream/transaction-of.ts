// A flow's exchange, HTTP/1 or HTTP/2, as a Transaction: what both trackers (eBPF and passive) emit.
import type { Transaction } from '../core/transaction.ts';
import type { FlowExchange } from './flow.ts';
import { toTransaction, type ConnectionFacts } from './http1-transaction.ts';
import { http2Transaction } from './http2-transaction.ts';

export function transactionOf(ex: FlowExchange, c: ConnectionFacts): Transaction {
  return 'streamId' in ex ? http2Transaction(ex, c) : toTransaction(ex, c);
}
