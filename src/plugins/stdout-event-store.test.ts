import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { StoreEvent } from './event-store.ts';
import { createStdoutEventStore } from './stdout-event-store.ts';
import { memoryLogger } from './test-support.ts';

it('createStdoutEventStore logs each event at debug as "event store submission" with type and item', async () => {
  const { log, lines } = memoryLogger('debug');
  const store = createStdoutEventStore(log);
  const event: StoreEvent = {
    type: 'issue',
    item: {
      meta: { connectionId: 'c1', requestId: 'tx-1' },
      tags: [],
      timestamp: '2025-01-01T00:00:00.000Z',
      direction: 'egress-external',
      error: 'server errors',
      url: 'https://x/',
      path: '/',
      method: 'GET',
      status: 500,
      triggerConditions: ['detect_errors:status_code'],
      triggerReasons: ['status 500 matches "5xx"'],
    },
  };
  store.submit(event);
  await store.close();
  assert.deepEqual(lines, [{ level: 20, type: 'issue', item: event.item, msg: 'event store submission' }]);
  assert.equal(store.counters().event_store_stdout_events, 1);
});
