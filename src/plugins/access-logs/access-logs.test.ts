import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Transaction } from '../../core/transaction.ts';
import type { PluginServices } from '../plugin.ts';
import { createRedactor } from '../redaction.ts';
import { captureStream, failingGetTx, pluginViewOf, postOrderTx, testServices } from '../test-support.ts';
import { accessLogsPlugin, debugPlugin } from './access-logs.ts';

const ESC = '\x1b';
const width = (line: string): number => [...line.replace(/\x1b\[[0-9;]*m/g, '')].length;

async function log(plugin: typeof accessLogsPlugin, config: unknown, txs: Transaction[], opts: { fields?: object; tty?: boolean } = {}) {
  const stdout = captureStream(opts.tty ?? false);
  const s = testServices({ stdout } as Partial<PluginServices>);
  const instance = await plugin.create(config, s);
  for (const tx of txs) instance.onTransaction(pluginViewOf(tx, tx.id === 'tx-2' ? 'egress-internal' : 'egress-external', opts.fields ?? {}));
  await instance.close!();
  return { text: stdout.text(), writes: stdout.writes, services: s };
}

describe('access_logs json', () => {
  it('is the default format: one object per line with the summary keys, batched into one write', async () => {
    const got = await log(accessLogsPlugin, {}, [failingGetTx(), failingGetTx()]);
    const line =
      '{"transaction_time":"2025-01-01T00:00:01.000Z","duration_ms":2500,"direction":"egress-internal","process_exe":"/usr/bin/python3.11",' +
      '"request_id":"tx-2","connection_id":"c2","request_method":"GET","request_scheme":"http","request_host":"backend.internal:8080",' +
      '"request_url":"http://backend.internal:8080/health","request_path":"/health","request_protocol":"http1","response_status":503}\n';
    assert.equal(got.text, line + line);
    assert.equal(got.writes, 1);
  });

  it('details adds the headers, full the bodies (base64); masked values stay masked', async () => {
    const tx = createRedactor({ jsonFields: ['password'] })(postOrderTx());
    const details = JSON.parse((await log(accessLogsPlugin, { mode: 'details' }, [tx])).text);
    assert.deepEqual(Object.keys(details), [
      'transaction_time', 'duration_ms', 'direction', 'process_exe', 'request_id', 'connection_id', 'request_method',
      'request_scheme', 'request_host', 'request_url', 'request_path', 'request_protocol', 'request_content_type',
      'response_status', 'response_content_type', 'request_headers', 'response_headers',
    ]);
    assert.equal(details.request_headers.Authorization, 'Bearer [REDACTED]');
    assert.equal(details.response_headers['Set-Cookie'], '[REDACTED]');
    const full = JSON.parse((await log(accessLogsPlugin, { mode: 'full' }, [tx])).text);
    assert.equal(Buffer.from(full.request_body, 'base64').toString(), '{"user":"alice","password":"[REDACTED]"}');
    assert.equal(Buffer.from(full.response_body, 'base64').toString(), '{"id":7,"token":"tok-secret-123","items":[{"sku":"a"}]}');
  });

  it('mode none prints nothing; an empty or unknown mode is summary', async () => {
    assert.equal((await log(accessLogsPlugin, { mode: 'none' }, [failingGetTx()])).text, '');
    const summary = (await log(accessLogsPlugin, { mode: '' }, [failingGetTx()])).text;
    assert.equal((await log(accessLogsPlugin, { mode: 'verbose' }, [failingGetTx()])).text, summary);
    assert.equal(JSON.parse(summary).request_headers, undefined);
  });

  it('rules: the first passing rule\'s mode wins', async () => {
    const config = { mode: 'none', rules: [{ name: 'errors', expr: 'isError', mode: 'details' }, { name: 'all', expr: 'any', mode: 'summary' }] };
    const a = JSON.parse((await log(accessLogsPlugin, config, [failingGetTx()], { fields: { isError: true, any: true } })).text);
    assert.ok('request_headers' in a);
    const b = JSON.parse((await log(accessLogsPlugin, config, [failingGetTx()], { fields: { isError: false, any: true } })).text);
    assert.ok(!('request_headers' in b));
    assert.equal((await log(accessLogsPlugin, config, [failingGetTx()], { fields: {} })).text, '');
  });
});

describe('access_logs console', () => {
  it('summary: one line, no colours when stdout is not a terminal', async () => {
    const got = await log(accessLogsPlugin, { format: 'console' }, [postOrderTx(), failingGetTx()]);
    assert.equal(
      got.text,
      '■ curl → POST https://api.example.com/v1/orders?dry=1 201 Created\n' +
        '■ python3.11 → GET http://backend.internal:8080/health 503 Service Unavailable\n',
    );
  });

  it('summary: status-coloured square and status, bold method, on a terminal (debug defaults to console)', async () => {
    const got = await log(debugPlugin, {}, [postOrderTx(), failingGetTx()], { tty: true });
    assert.equal(
      got.text,
      `${ESC}[32m■${ESC}[0m curl → ${ESC}[1mPOST${ESC}[0m https://api.example.com/v1/orders?dry=1 ${ESC}[32m201 Created${ESC}[0m\n` +
        `${ESC}[31m■${ESC}[0m python3.11 → ${ESC}[1mGET${ESC}[0m http://backend.internal:8080/health ${ESC}[31m503 Service Unavailable${ESC}[0m\n`,
    );
    const never = await log(debugPlugin, { color: 'never' }, [postOrderTx()], { tty: true });
    assert.ok(!never.text.includes(ESC));
    const always = await log(debugPlugin, { color: true }, [postOrderTx()]);
    assert.ok(always.text.includes(ESC));
  });

  it('details: the box, at most 50 columns, META / REQUEST / RESPONSE', async () => {
    const got = await log(debugPlugin, { mode: 'details' }, [failingGetTx()]);
    assert.equal(
      got.text,
      [
        '╭─ ■ python3.11 → GET http://backend.internal:8080',
        '│  /health 503 Service Unavailable',
        '├─ META',
        '│  Process   PID 77 @ /usr/bin/python3.11',
        '│  Container abababababab',
        '│  Network   egress-internal',
        '│            ↑ 90 B sent   ↓ 60 B received',
        '├─ REQUEST http1',
        '│  GET /health',
        '│  Headers',
        '│  • Host: backend.internal:8080',
        '│  • User-Agent: python-requests/2.31',
        '├─ RESPONSE 503 Service Unavailable',
        '│  Headers',
        '│  • Content-Length: 0',
        '╰─',
        '',
      ].join('\n'),
    );
  });

  it('full: bodies (JSON re-indented, "(empty)"), masked headers, no response, long values wrapped within 50 columns', async () => {
    const tx = createRedactor({ jsonFields: ['password'] })(postOrderTx());
    delete tx.response;
    tx.request.headers.push(['X-Trace', 'x'.repeat(60)]);
    const lines = (await log(debugPlugin, { mode: 'full' }, [tx, failingGetTx()])).text.split('\n');
    assert.deepEqual(lines.slice(0, 40), [
      '╭─ ■ curl → POST https://api.example.com/v1/orders',
      '│  ?dry=1 (no response)',
      '├─ META',
      '│  Process   PID 1234 @ /usr/bin/curl',
      '│  Network   egress-external',
      '│            ↑ 310 B sent   ↓ 1.3 kB received',
      '├─ REQUEST http1',
      '│  POST /v1/orders?dry=1',
      '│  Headers',
      '│  • Host: api.example.com',
      '│  • User-Agent: curl/7.88.1',
      '│  • Authorization: Bearer [REDACTED]',
      '│  • Cookie: [REDACTED]',
      '│  • Content-Type: application/json',
      '│  • X-Tenant: acme',
      `│  • X-Trace: ${'x'.repeat(36)}`,
      `│    ${'x'.repeat(24)}`,
      '│  Body',
      '│    {',
      '│      "user": "alice",',
      '│      "password": "[REDACTED]"',
      '│    }',
      '├─ RESPONSE',
      '│  (none: the exchange ended before a response was',
      '│  seen)',
      '╰─',
      '╭─ ■ python3.11 → GET http://backend.internal:8080',
      '│  /health 503 Service Unavailable',
      '├─ META',
      '│  Process   PID 77 @ /usr/bin/python3.11',
      '│  Container abababababab',
      '│  Network   egress-internal',
      '│            ↑ 90 B sent   ↓ 60 B received',
      '├─ REQUEST http1',
      '│  GET /health',
      '│  Headers',
      '│  • Host: backend.internal:8080',
      '│  • User-Agent: python-requests/2.31',
      '│  Body',
      '│    (empty)',
    ]);
    for (const line of lines) assert.ok(width(line) <= 50, `${width(line)} columns: ${line}`);
  });

  it('the box in colour: borders in the status colour, titles bold, and still at most 50 visible columns', async () => {
    const lines = (await log(debugPlugin, { mode: 'full', color: 'always' }, [postOrderTx()])).text.split('\n');
    assert.equal(lines[2], `${ESC}[32m├─ ${ESC}[0m${ESC}[1mMETA${ESC}[0m`);
    assert.equal(lines.at(-2), `${ESC}[32m╰─${ESC}[0m`);
    for (const line of lines) assert.ok(width(line) <= 50, line);
  });

  it('captured control characters cannot reach the terminal', async () => {
    const tx = failingGetTx();
    tx.request.url = 'http://x/\x1b[2Jboom';
    const got = await log(accessLogsPlugin, { format: 'console' }, [tx]);
    assert.ok(!got.text.includes(ESC));
    assert.ok(got.text.includes('\\x1b[2Jboom'));
  });
});
