// Qtap's `stdout` event store: each event goes through the agent logger at debug level, message "event store
// submission" with `type` and `item` (qtap-reference.md §1.3), so events show with --log-level debug.

import type { Logger } from '../core/logger.ts';
import type { EventStore } from './event-store.ts';

export interface StdoutEventStore extends EventStore {
  counters(): Readonly<{ event_store_stdout_events: number }>;
}

export function createStdoutEventStore(log: Logger): StdoutEventStore {
  let events = 0;
  return {
    submit(event) {
      events++;
      log.debug({ type: event.type, item: event.item }, 'event store submission');
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    counters: () => ({ event_store_stdout_events: events }),
  };
}
