import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PLUGINS, UNSUPPORTED_QTAP_PLUGINS } from '../plugins/index.ts';
// Not re-exported by plugins/: read here only to check that the schema's default is the plugin's.
import { DEFAULT_LISTEN } from '../plugins/http-metrics/listen-address.ts';
import { formatProblem, parseConfig } from './load.ts';
import { PLUGIN_CONFIG_SCHEMAS } from './schema.ts';
import type { QtapConfig } from './types.ts';

const load = (yaml: string) => parseConfig(yaml, 'x.yaml');
const pluginConfig = (type: string) => load(`stacks:\n  s:\n    plugins:\n      - type: ${type}\n`).config.stacks.s.plugins[0].config;

test('every setting, Qtap\'s and cleartap\'s own, is read without a warning', () => {
  const { config, warnings } = parseConfig(readFileSync(join(import.meta.dirname, 'fixtures', 'every-setting.yaml'), 'utf8'), 'every-setting.yaml');
  assert.deepEqual(warnings.map(formatProblem), []);
  assert.equal(config.tap.direction, 'egress-external');
  assert.deepEqual(config.tap.mask, { headers: ['X-Session'], json_fields: ['password', 'card.number'] });
  assert.equal(config.tap.filters.custom[0].strategy, 'exact', 'the default strategy');
  assert.deepEqual(config.services.event_stores[0].password, { type: 'env', value: 'CLICKHOUSE_PASSWORD' });
  assert.deepEqual(config.services.event_stores[1].retention, { max_age: '7d', max_size: '10GiB' });
  assert.deepEqual(config.stacks.everything.plugins.map((p) => p.type), ['http_capture', 'access_logs', 'debug', 'http_metrics', 'report_usage', 'detect_errors', './plugins/audit.ts']);
  assert.deepEqual(config.tags.map((t) => t.source), ['env', 'k8s.label', 'k8s.annotation', 'container.label']);
});

test('defaults fill what a file leaves out', () => {
  const table: Array<[what: string, yaml: string, read: (c: QtapConfig) => unknown, expected: unknown]> = [
    ['tap.direction', '', (c) => c.tap.direction, 'egress'],
    // Qtap reads a missing key as false; its shipped default.yaml sets true explicitly.
    ['tap.ignore_loopback', '', (c) => c.tap.ignore_loopback, false],
    ['tap.audit_include_dns', '', (c) => c.tap.audit_include_dns, false],
    ['tap.http (no stack: nothing is printed)', '', (c) => c.tap.http, {}],
    // cleartap's own process is always ignored, so no group is needed for it.
    ['tap.filters.groups', '', (c) => c.tap.filters.groups, []],
    ['tap.filters.custom', '', (c) => c.tap.filters.custom, []],
    ['tap.filters.custom[].strategy', 'tap: {filters: {custom: [{exe: /x}]}}', (c) => c.tap.filters.custom[0].strategy, 'exact'],
    ['tap.endpoints', '', (c) => c.tap.endpoints, []],
    ['tap.mask', '', (c) => c.tap.mask, {}],
    ['services', '', (c) => c.services, { event_stores: [], object_stores: [] }],
    ['stacks', '', (c) => c.stacks, {}],
    ['stacks.*.plugins', 'stacks: {s: {}}', (c) => c.stacks.s.plugins, []],
    ['tags', '', (c) => c.tags, []],
    ['control.default', 'control: {}', (c) => c.control?.default, 'allow'],
    ['rulekit.macros', '', (c) => c.rulekit.macros, []],
  ];
  for (const [what, yaml, read, expected] of table) assert.deepEqual(read(load(yaml).config as QtapConfig), expected, what);
});

test('a known plugin\'s config gets its defaults; a user module\'s config is passed through untouched', () => {
  assert.deepEqual(pluginConfig('http_capture'), { level: 'none', format: 'json' });
  assert.deepEqual(pluginConfig('access_logs'), { mode: 'summary', format: 'json' });
  assert.deepEqual(pluginConfig('debug'), { mode: 'summary', format: 'console' });
  assert.deepEqual(pluginConfig('http_metrics'), { listen: DEFAULT_LISTEN });
  assert.equal(pluginConfig('report_usage'), undefined);
  assert.equal(pluginConfig('detect_errors'), undefined);
  assert.equal(pluginConfig('./mine.ts'), undefined);
  assert.deepEqual(load('stacks: {s: {plugins: [{type: http_capture, config: {level: full}}]}}').config.stacks.s.plugins[0].config, { level: 'full', format: 'json' });
});

test('the schema knows exactly the plugins cleartap ships and the Qtap ones it skips', () => {
  assert.deepEqual(Object.keys(PLUGIN_CONFIG_SCHEMAS).sort(), [...BUILTIN_PLUGINS.keys(), ...UNSUPPORTED_QTAP_PLUGINS].sort());
});

test('what Qtap\'s decoder accepts loads here too', () => {
  const table: Array<[what: string, yaml: string, read: (c: QtapConfig) => unknown, expected: unknown]> = [
    ['a key with no value is absent', 'tap:\n  filters:\n    groups:\n    custom:\ntags:\n', (c) => [c.tap.filters, c.tags], [{ groups: [], custom: [] }, []]],
    ['a stack with no value exists, empty', 'stacks:\n  quiet:\ntap:\n  http:\n    stack: quiet\n', (c) => c.stacks.quiet, { plugins: [] }],
    ['a plugin config with no value gets the defaults', 'stacks:\n  s:\n    plugins:\n      - type: http_capture\n        config:\n', (c) => c.stacks.s.plugins[0].config, { level: 'none', format: 'json' }],
    ['control actions are lowercased', 'control:\n  rules:\n    - {name: r, expr: dst.port == 80, actions: [DENY, Allow]}\n', (c) => c.control?.rules?.[0].actions, ['deny', 'allow']],
    ['access_logs: mode headers, color as a boolean', 'stacks: {s: {plugins: [{type: access_logs, config: {mode: headers, color: true}}]}}', (c) => c.stacks.s.plugins[0].config, { mode: 'headers', color: true, format: 'json' }],
    ['http_metrics: listen as a port number', 'stacks: {s: {plugins: [{type: http_metrics, config: {listen: 9000}}]}}', (c) => c.stacks.s.plugins[0].config, { listen: 9000 }],
    ['detect_errors: status codes as YAML numbers, snake_case keys', 'stacks: {s: {plugins: [{type: detect_errors, config: {batch_period_ms: 5, rules: [{trigger_status_codes: [500, 5xx]}]}}]}}', (c) => c.stacks.s.plugins[0].config, { batch_period_ms: 5, rules: [{ trigger_status_codes: [500, '5xx'] }] }],
  ];
  for (const [what, yaml, read, expected] of table) {
    const loaded = load(yaml);
    assert.deepEqual(loaded.warnings.map(formatProblem), [], what);
    assert.deepEqual(read(loaded.config as QtapConfig), expected, what);
  }
});

test('the loaded config is frozen all the way down, and knows where it came from', () => {
  const loaded = parseConfig('stacks: {s: {plugins: [{type: http_capture}]}}\n', '/etc/cleartap/config.yaml');
  assert.ok(Object.isFrozen(loaded.config.stacks.s.plugins[0].config));
  assert.throws(() => {
    (loaded.config.tap as { direction: string }).direction = 'all';
  }, TypeError);
  assert.equal(loaded.source, '/etc/cleartap/config.yaml');
  assert.equal(loaded.dir, '/etc/cleartap');
});
