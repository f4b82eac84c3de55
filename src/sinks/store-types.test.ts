// The plugins' store contracts and the sinks' restatement of them must stay interchangeable both ways: this file
// fails `tsc --noEmit` when one side changes without the other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as plugins from '../plugins/index.ts';
import type * as sinks from './store-types.ts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

test('the sinks store types are the plugins store types', () => {
  const checks: [
    Same<sinks.ArtifactType, plugins.ArtifactType>,
    Same<sinks.ArtifactMeta, plugins.ArtifactMeta>,
    Same<sinks.EventMeta, plugins.EventMeta>,
    Same<sinks.ArtifactRecordEvent, plugins.ArtifactRecordEvent>,
    Same<sinks.DnsEvent, plugins.DnsEvent>,
  ] = [true, true, true, true, true];
  // A sinks store is what the plugin services take, and a plugins artifact or event is what a sinks store takes.
  const objectStore: plugins.ObjectStore = {} as sinks.ObjectStore;
  const eventStore: plugins.EventStore = {} as sinks.EventStore;
  const artifact: sinks.Artifact = {} as plugins.Artifact;
  const event: sinks.StoreEvent = {} as plugins.StoreEvent;
  assert.deepEqual(checks, [true, true, true, true, true]);
  assert.ok([objectStore, eventStore, artifact, event]);
});
