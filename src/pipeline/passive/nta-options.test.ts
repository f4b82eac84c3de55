import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CleartapError } from '../../core/errors.ts';
import type { Transaction } from '../../core/transaction.ts';
import { NTA_SETTINGS, resolvePassiveOptions } from './nta-options.ts';
import { parseStatusCodes } from './status-codes.ts';
import { TransactionFilter } from './transaction-filter.ts';

test('defaults: all interfaces, all ports, 2xx, no excluded headers', () => {
  const o = resolvePassiveOptions({ env: {} });
  assert.equal(o.interfaces, undefined);
  assert.equal(o.ports, undefined);
  assert.deepEqual(o.excludeHeaders, []);
  assert.deepEqual([200, 250, 299, 199, 300, 404].map((s) => o.statusCodes.has(s)), [true, true, true, false, false, false]);
  assert.equal(o.statusCodes.has(undefined), false);
});

test('environment variables in the NTA syntax', () => {
  const o = resolvePassiveOptions({
    env: {
      INVICTI_TAP_INTERFACES: 'eth0, eth1',
      INVICTI_TAP_PORTS: '80,443,5005-6000',
      INVICTI_TAP_HTTP_STATUS_CODES: '200,30x,4XX',
      INVICTI_TAP_EXCLUDE_TRAFFIC_WITH_HEADERS: 'X-Internal,x-health',
    },
  });
  assert.deepEqual(o.interfaces, ['eth0', 'eth1']);
  assert.deepEqual([80, 443, 5005, 5500, 6000, 6001, 8080].map((p) => o.ports!.has(p)), [true, true, true, true, true, false, false]);
  assert.deepEqual([200, 201, 300, 309, 310, 404, 499, 500].map((s) => o.statusCodes.has(s)), [true, false, true, true, false, true, true, false]);
  assert.deepEqual(o.excludeHeaders, ['x-internal', 'x-health']);
});

test('flags win over the environment, which wins over YAML; empty variables mean the default', () => {
  const o = resolvePassiveOptions({
    flags: { ports: '8080' },
    env: { INVICTI_TAP_PORTS: '80', INVICTI_TAP_HTTP_STATUS_CODES: '  ' },
    yaml: { at: 'tap.passive', values: { ports: [1, 2], http_status_codes: ['201', '5xx'], interfaces: 'lo' } },
  });
  assert.equal(o.ports!.toString(), '8080');
  assert.deepEqual([201, 200, 503].map((s) => o.statusCodes.has(s)), [true, false, true]);
  assert.deepEqual(o.interfaces, ['lo']);
});

test('a bad value names the setting and the token', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ INVICTI_TAP_PORTS: '80,http' }, /INVICTI_TAP_PORTS: "http"/],
    [{ INVICTI_TAP_PORTS: '6000-5005' }, /INVICTI_TAP_PORTS: "6000-5005"/],
    [{ INVICTI_TAP_PORTS: '0' }, /INVICTI_TAP_PORTS: "0"/],
    [{ INVICTI_TAP_PORTS: '80,,443' }, /INVICTI_TAP_PORTS: ""/],
    [{ INVICTI_TAP_PORTS: '70000' }, /"70000"/],
    [{ INVICTI_TAP_HTTP_STATUS_CODES: '2xx,20' }, /INVICTI_TAP_HTTP_STATUS_CODES: "20"/],
    [{ INVICTI_TAP_HTTP_STATUS_CODES: '600' }, /"600"/],
    [{ INVICTI_TAP_HTTP_STATUS_CODES: '2?x' }, /"2\?x"/],
    [{ INVICTI_TAP_EXCLUDE_TRAFFIC_WITH_HEADERS: 'x-ok,bad header' }, /INVICTI_TAP_EXCLUDE_TRAFFIC_WITH_HEADERS: "bad header"/],
    [{ INVICTI_TAP_EXCLUDE_TRAFFIC_WITH_HEADERS: 'x-a:' }, /"x-a:"/],
    [{ INVICTI_TAP_INTERFACES: 'eth0,a/b' }, /INVICTI_TAP_INTERFACES: "a\/b"/],
    [{ INVICTI_TAP_INTERFACES: 'averyveryverylongname' }, /"averyveryverylongname"/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => resolvePassiveOptions({ env }), (err: unknown) => err instanceof CleartapError && err.code === 'CT_ERR_CONFIG' && message.test(err.message) && !!err.hint, JSON.stringify(env));
  }
  assert.throws(() => resolvePassiveOptions({ flags: { statusCodes: '2x' } }), { code: 'CT_ERR_CONFIG', message: /--status-codes: "2x"/ });
  assert.throws(() => resolvePassiveOptions({ yaml: { at: 'tap.passive', values: { ports: { a: 1 } } } }), { code: 'CT_ERR_CONFIG', message: /tap\.passive\.ports/ });
  assert.throws(() => resolvePassiveOptions({ yaml: { at: 'tap.passive', values: { ports: 'x' } } }), { code: 'CT_ERR_CONFIG', message: /tap\.passive\.ports: "x"/ });
  assert.equal(NTA_SETTINGS.excludeHeaders.flag, '--exclude-headers');
});

function tx(status: number | undefined, requestHeaders: Array<[string, string]> = [], responseHeaders: Array<[string, string]> = []): Transaction {
  const t = { request: { headers: requestHeaders } } as unknown as Transaction;
  if (status !== undefined) t.response = { status, headers: responseHeaders } as unknown as Transaction['response'];
  return t;
}

test('the filter keeps matching statuses and drops excluded headers in either message, counting both', () => {
  const f = new TransactionFilter(parseStatusCodes('20x,404', 's'), ['x-internal', 'x-health-check']);
  const batch = [
    tx(200),
    tx(210),
    tx(undefined),
    tx(404, [['X-INTERNAL', '1']]),
    tx(201, [], [['x-health-check', 'y']]),
    tx(204, [['X-Internal-Not', '1']]),
  ];
  assert.deepEqual(f.apply(batch).map((t) => t.response?.status), [200, 204]);
  assert.deepEqual(f.counters, { statusFiltered: 2, headerFiltered: 2, passed: 2 });
  const all = [tx(200), tx(201)];
  assert.equal(f.apply(all), all, 'a batch that passes whole is not copied');
});
