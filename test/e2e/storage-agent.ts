// A stand-in agent for the kill -9 test: the s3 object store and the clickhouse event store built by the store
// factory, fed `count` transactions numbered from `first`. Prints one JSON line per fact on stdout:
//   {"spooled": n}                       every record is on disk in the spools
//   {"written": {"objects": n, "events": n}}   every 20 ms
//   {"done": {...counters}}              everything was delivered and the stores are closed
// Usage: node test/e2e/storage-agent.ts '<json settings>'
import { pino } from 'pino';
import { createEventStore, createObjectStore } from '../../src/sinks/index.ts';
import { requestEvent, transactionArtifact } from '../../src/sinks/test-support.ts';

interface Settings {
  spoolDir: string;
  objectStore: Record<string, unknown>;
  eventStore: Record<string, unknown>;
  first: number;
  count: number;
}

const settings = JSON.parse(process.argv[2]) as Settings;
const log = pino({ level: 'warn' }, pino.destination(2));
const objects = createObjectStore(settings.objectStore, { log, spoolDir: settings.spoolDir });
const events = createEventStore(settings.eventStore, { log, spoolDir: settings.spoolDir });
const say = (fact: object) => process.stdout.write(JSON.stringify(fact) + '\n');

for (let n = settings.first; n < settings.first + settings.count; n++) {
  objects.put(transactionArtifact(n));
  events.submit(requestEvent(n));
}
await Promise.all([objects.flush(), events.flush()]);
say({ spooled: settings.count });

const progress = setInterval(() => say({ written: { objects: objects.counters().written, events: events.counters().written } }), 20);
const delivered = await Promise.all([objects.whenDelivered(120_000), events.whenDelivered(120_000)]);
clearInterval(progress);
await Promise.all([objects.close(), events.close()]);
say({ done: { delivered, objects: objects.counters(), events: events.counters() } });
