import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestEvent } from '../../sinks/test-support.ts';
import { sanitizeEvent, withoutQueryValues } from './event-sanitizer.ts';

describe('event sanitizer', () => {
  it('keeps a well-formed Request event as it is, but for query-string values', () => {
    const { item } = requestEvent(1, { url: 'https://api.example.com/v1/x?token=abc&a=1#frag' });
    const s = sanitizeEvent('request', item);
    assert.ok(s.ok);
    assert.equal(s.droppedFields, 0);
    assert.deepEqual(s.event.item, { ...item, url: 'https://api.example.com/v1/x?token=&a=' });
  });

  it('drops what is not on the allow-list or of the wrong type, inside meta too, and fills what every event has', () => {
    const s = sanitizeEvent('issue', {
      meta: { connectionId: 'c', requestId: 'r', cookie: 'x' },
      timestamp: '2026-01-01T00:00:00Z',
      direction: 'ingress',
      headers: { authorization: 'Bearer t' },
      status: -1,
      tags: [1, 2],
    });
    assert.ok(s.ok);
    assert.equal(s.droppedFields, 4);
    assert.deepEqual(s.event.item, {
      meta: { connectionId: 'c', requestId: 'r' }, timestamp: '2026-01-01T00:00:00Z', direction: 'ingress',
      tags: [], error: '', url: '', path: '', method: '', status: 0, triggerConditions: [], triggerReasons: [],
    });
  });

  it('refuses unknown types, items that are not objects, and events without their keys or a time', () => {
    const { item } = requestEvent(1);
    assert.equal(sanitizeEvent('http_transaction', item).ok, false);
    assert.equal(sanitizeEvent('request', 'text').ok, false);
    assert.equal(sanitizeEvent('request', { ...item, url: 'not a url' }).ok, false);
    assert.equal(sanitizeEvent('request', { ...item, timestamp: 'yesterday' }).ok, false);
    assert.equal(sanitizeEvent('artifact_record', { meta: { requestId: 'r' }, timestamp: '2026-01-01T00:00:00Z', type: 'req-body', digest: 'd', url: 'u' }).ok, false);
    assert.equal(sanitizeEvent('constructor', {}).ok, false);
  });

  it('withoutQueryValues keeps the keys, drops values and fragment; not a URL is undefined', () => {
    assert.equal(withoutQueryValues('https://h/p?q=1&q=2&k'), 'https://h/p?q=&q=&k=');
    assert.equal(withoutQueryValues('https://h/p#x'), 'https://h/p');
    assert.equal(withoutQueryValues('/relative'), undefined);
  });
});
