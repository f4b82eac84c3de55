import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatText, toQtapRecord } from '../sinks/stdout/index.ts';
import { httpCapturePlugin } from './http-capture.ts';
import { failingGetTx, pluginViewOf, postOrderTx, testServices } from './test-support.ts';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

async function capture(config: unknown, fields: object = {}) {
  const s = testServices();
  const plugin = await httpCapturePlugin.create(config, s);
  plugin.onTransaction(pluginViewOf(failingGetTx(), 'egress-internal', fields));
  return s.objectStore.artifacts;
}

describe('http_capture', () => {
  it('default level is none: nothing is captured', async () => {
    assert.deepEqual(await capture({}), []);
    assert.deepEqual(await capture(undefined), []);
  });

  it('summary json: the Qtap HttpTransaction record, exactly, as an http_transaction artifact', async () => {
    const [a, ...rest] = await capture({ level: 'summary' });
    assert.equal(rest.length, 0);
    assert.equal(a!.type, 'http_transaction');
    assert.equal(a!.contentType, 'application/json');
    assert.deepEqual(a!.meta, { connectionId: 'c2', requestId: 'tx-2', url: 'http://backend.internal:8080/health', timestamp: '2025-01-01T00:00:01.000Z' });
    assert.equal(
      text(a!.data),
      '{"metadata":{"process_id":"77","process_exe":"/usr/bin/python3.11","bytes_sent":90,"bytes_received":60,"request_id":"tx-2","connection_id":"c2"},' +
        '"request":{"method":"GET","url":"http://backend.internal:8080/health","scheme":"http","path":"/health","authority":"backend.internal:8080","protocol":"http1","user_agent":"python-requests/2.31"},' +
        '"response":{"status":503},"transaction_time":"2025-01-01T00:00:01.000Z","duration_ms":2500,"direction":"egress-external",' +
        '"cleartap":{"uid":0,"user":"root","cmdline":["python3","poll.py"],"cgroup":"/system.slice/docker-' + 'ab'.repeat(32) + '.scope","container_id":"' + 'ab'.repeat(32) + '","http_version":"HTTP/1.1","response_reason":"Service Unavailable"}}',
    );
  });

  it('headers is details; full adds bodies; text is the §3.2 block', async () => {
    const [details] = await capture({ level: 'headers', format: 'json' });
    assert.equal(text(details!.data), JSON.stringify(toQtapRecord(failingGetTx(), 'details')));
    const [full] = await capture({ level: 'full', format: 'text' });
    assert.equal(full!.contentType, 'text/plain; charset=utf-8');
    assert.equal(text(full!.data), formatText(failingGetTx(), 'full'));
  });

  it('rules: the first passing rule decides level and format; a rule without format keeps the plugin\'s', async () => {
    const config = {
      level: 'summary',
      format: 'json',
      rules: [
        { name: 'errors in full', expr: 'isError', level: 'full', format: 'text' },
        { name: 'slow ones', expr: 'isSlow', level: 'details' },
        { name: 'quiet', expr: 'isHealth', level: 'none' },
      ],
    };
    const [a] = await capture(config, { isError: true, isSlow: true });
    assert.equal(text(a!.data), formatText(failingGetTx(), 'full'));
    const [b] = await capture(config, { isError: false, isSlow: true });
    assert.equal(text(b!.data), JSON.stringify(toQtapRecord(failingGetTx(), 'details')));
    assert.deepEqual(await capture(config, { isHealth: true }), []);
    const [d] = await capture(config, {}); // every field missing: the plugin's level
    assert.equal(text(d!.data), JSON.stringify(toQtapRecord(failingGetTx(), 'summary')));
  });

  it('a rule with a level cleartap does not know is left out with a warning', async () => {
    const s = testServices();
    const plugin = await httpCapturePlugin.create({ level: 'summary', rules: [{ name: 'x', expr: 'isA', level: 'everything' }] }, s);
    plugin.onTransaction(pluginViewOf(postOrderTx(), 'egress-external', { isA: true }));
    assert.equal(s.logLines[0]!.msg, 'rule skipped: level must be one of none, summary, headers, details, full');
    assert.equal(text(s.objectStore.artifacts[0]!.data), JSON.stringify(toQtapRecord(postOrderTx(), 'summary')));
  });
});
