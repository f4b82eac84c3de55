// What happens to passive connections, by name (style convention 7), and the parser's counters summed over
// every connection that has ended.
import type { Http1Stats } from '../../protocols/http1/index.ts';

export interface ConnectionCounters {
  connectionsOpened: number;
  /** Both FINs reached in order. */
  connectionsClosed: number;
  connectionsReset: number;
  /** Idle longer than the idle limit. */
  connectionsExpired: number;
  /** The table was full. */
  connectionsEvicted: number;
  /** A new SYN on a tuple still in use: the old connection ended there. */
  connectionsReused: number;
  /** Still open when the capture ended. */
  connectionsOpenAtEnd: number;
  /** Views of a connection through a NAT that were not reported (the view nearest the server is). */
  natDuplicateConnections: number;
  /** Exchanges of such views, dropped. */
  natDuplicateExchanges: number;
  /** Segments without payload or SYN that belong to no connection (e.g. the last ACK after both FINs). */
  segmentsWithoutConnection: number;
  /** Payload of connections no longer parsed (not HTTP/1, upgraded, failed): not reassembled. */
  unparsedBytes: number;
  transactions: number;
  /** Transactions without a response. */
  unanswered: number;
}

export function newConnectionCounters(): ConnectionCounters {
  return {
    connectionsOpened: 0, connectionsClosed: 0, connectionsReset: 0, connectionsExpired: 0, connectionsEvicted: 0,
    connectionsReused: 0, connectionsOpenAtEnd: 0, natDuplicateConnections: 0, natDuplicateExchanges: 0,
    segmentsWithoutConnection: 0, unparsedBytes: 0, transactions: 0, unanswered: 0,
  };
}

export function newParserTotals(): Http1Stats {
  return { messages: 0, invalid: 0, gapBytes: 0, resyncs: 0, orphanResponses: 0, droppedMessages: 0, skippedBytes: 0, unansweredRequests: 0 };
}

export function addParserStats(total: Http1Stats, s: Readonly<Http1Stats>): void {
  total.messages += s.messages;
  total.invalid += s.invalid;
  total.gapBytes += s.gapBytes;
  total.resyncs += s.resyncs;
  total.orphanResponses += s.orphanResponses;
  total.droppedMessages += s.droppedMessages;
  total.skippedBytes += s.skippedBytes;
  total.unansweredRequests += s.unansweredRequests;
}
