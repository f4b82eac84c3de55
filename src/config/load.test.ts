import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, formatProblem, parseConfig } from './load.ts';
import { defaultConfigYaml } from './default-config.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** The problems a config text yields, formatted ("x.yaml:3:14: tap.direction: …"), errors first. */
function problems(text: string): string[] {
  try {
    return parseConfig(text, 'x.yaml').warnings.map((w) => `warning ${formatProblem(w)}`);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.code, 'CT_ERR_CONFIG');
    return err.problems.map((p) => `${p.severity} ${formatProblem(p)}`);
  }
}

test('the seed docs\' and design.md\'s example configs load cleanly', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const loaded = parseConfig(readFileSync(join(FIXTURES, f), 'utf8'), f);
    assert.deepEqual(loaded.warnings, [], f);
  }
});

test('defaults are filled in where the file is silent', () => {
  const { config } = parseConfig('version: 2\n', 'x.yaml');
  assert.equal(config.tap.direction, 'egress');
  assert.equal(config.tap.ignore_loopback, false);
  assert.equal(config.tap.audit_include_dns, false);
  assert.deepEqual(config.tap.filters, { groups: [], custom: [] });
  assert.deepEqual(config.tap.endpoints, []);
  assert.deepEqual(config.services, { event_stores: [], object_stores: [] });
  assert.deepEqual(config.rulekit.macros, []);
  const custom = parseConfig('tap:\n  filters:\n    custom:\n      - exe: /usr/bin/curl\n', 'x.yaml').config.tap.filters.custom[0];
  assert.equal(custom.strategy, 'exact');
  assert.ok(Object.isFrozen(config.tap.filters.groups), 'the config is frozen');
});

test('the built-in default is a valid config with the requested level and format', () => {
  const { config } = parseConfig(defaultConfigYaml('full', 'text'), 'built-in default');
  assert.deepEqual(config.stacks.default.plugins, [{ type: 'http_capture', config: { level: 'full', format: 'text' } }, { type: 'report_usage' }]);
  assert.equal(config.tap.direction, 'all');
  assert.deepEqual(config.services.object_stores.map((s) => s.type), ['stdout', 'local'], 'prints and keeps a local copy');
  assert.deepEqual(config.services.event_stores.map((s) => s.type), ['local']);
});

test('every kind of error names line, column, key path and what is allowed', () => {
  const table: Array<[yaml: string, expected: string]> = [
    ['tap:\n  direction: egres\n', "error x.yaml:2:14: tap.direction: 'egres' is not one of egress, egress-external, egress-internal, ingress, all"],
    ['tap:\n  ignore_loopback: perhaps\n', 'error x.yaml:2:20: tap.ignore_loopback: must be a boolean, not string "perhaps"'],
    ['tap:\n  filters:\n    custom:\n      - strategy: exact\n', "error x.yaml:4:9: tap.filters.custom[0]: missing required key 'exe'"],
    ['tap:\n  filters:\n    custom:\n      - exe: x\n        strategy: glob\n', "error x.yaml:5:19: tap.filters.custom[0].strategy: 'glob' is not one of exact, prefix, suffix, contains, regex"],
    ['tap:\n  filters:\n    custom:\n      - exe: "(unclosed"\n        strategy: regex\n', 'error x.yaml:4:14: tap.filters.custom[0].exe: not a valid regular expression: Invalid regular expression: /(unclosed/: Unterminated group'],
    ['tap:\n  filters:\n    groups: [kubernetes, nomad]\n', "error x.yaml:3:26: tap.filters.groups[1]: 'nomad' is not one of kubernetes, container, gke, eks, qpoint"],
    ['tap:\n  http:\n    stack: nowhere\n', "error x.yaml:3:12: tap.http.stack: stack 'nowhere' is not defined under stacks"],
    ['stacks: {a: {}}\ntap:\n  endpoints:\n    - domain: "*.ok.com"\n      http: {stack: b}\n', "error x.yaml:5:21: tap.endpoints[0].http.stack: stack 'b' is not defined under stacks (defined: a)"],
    ['tap:\n  endpoints:\n    - domain: "not a domain"\n', "error x.yaml:3:15: tap.endpoints[0].domain: 'not a domain' is not a host name or a wildcard such as *.example.com"],
    ['stacks:\n  s:\n    plugins:\n      - type: http_capture\n        config:\n          level: everything\n', "error x.yaml:6:18: stacks.s.plugins[0].config.level: 'everything' is not one of none, summary, headers, details, full"],
    ['stacks:\n  s:\n    plugins:\n      - type: http_capure\n', "error x.yaml:4:15: stacks.s.plugins[0].type: 'http_capure' is not one of http_capture, access_logs, debug, http_metrics, report_usage, detect_errors (or a module path such as ./my-plugin.ts)"],
    ['stacks:\n  s:\n    plugins:\n      - type: access_logs\n        config:\n          rules:\n            - name: r\n              expr: "http.res.status >"\n              mode: full\n', 'error x.yaml:8:39: stacks.s.plugins[0].config.rules[0].expr: rule: unexpected end of rule at column 18 — expected a value'],
    ['rulekit:\n  macros:\n    - name: m\n      expr: a == 1\n    - name: m\n      expr: b == 2\n', "error x.yaml:5:13: rulekit.macros[1].name: macro 'm' is defined twice"],
    ['services:\n  event_stores:\n    - type: axiom\n', "error x.yaml:3:13: services.event_stores[0].type: 'axiom' (Axiom) is not supported by cleartap: use stdout, local, clickhouse or pulse"],
    ['services:\n  object_stores:\n    - type: s3\n      access_key: {type: vault, value: x}\n', "error x.yaml:4:26: services.object_stores[0].access_key.type: 'vault' is not one of text, env"],
    ['version: 3\n', 'error x.yaml:1:10: version: 3 is not one of 2'],
    ['tap: [1, 2]\n', 'error x.yaml:1:6: tap: must be a mapping, not a list'],
    ['tap:\n  direction: all\n  direction: egress\n', 'error x.yaml:3:3: (yaml): Map keys must be unique'],
    ['tap:\n\tdirection: all\n', 'error x.yaml:2:1: (yaml): Tabs are not allowed as indentation'],
    ['tap:\n  direction: 5\n', 'error x.yaml:2:14: tap.direction: 5 is not one of egress, egress-external, egress-internal, ingress, all'],
    ['tap:\n  passive:\n    ports: {a: 1}\n', 'error x.yaml:3:12: tap.passive.ports: must be a string, an integer or a list, not a mapping'],
    ['stacks:\n  s:\n    plugins: {type: x}\n', 'error x.yaml:3:14: stacks.s.plugins: must be a list, not a mapping'],
    ['tap:\n  redis: {stack: nope}\n', "error x.yaml:2:18: tap.redis.stack: stack 'nope' is not defined under stacks"],
    ['tap:\n  endpoints:\n    - domain: a.com\n      kafka: {stack: k}\n', "error x.yaml:4:22: tap.endpoints[0].kafka.stack: stack 'k' is not defined under stacks"],
    ['tap:\n  endpoints:\n    - domain: "*example.com"\n', "error x.yaml:3:15: tap.endpoints[0].domain: '*example.com' is not a host name or a wildcard such as *.example.com"],
    ['tap:\n  endpoints:\n    - domain: api.*.com\n', "error x.yaml:3:15: tap.endpoints[0].domain: 'api.*.com' is not a host name or a wildcard such as *.example.com"],
    ['control:\n  rules:\n    - name: r\n      expr: dst.port == == 80\n', "error x.yaml:4:25: control.rules[0].expr: rule: unexpected '==' at column 13 — expected a value"],
    ['rulekit:\n  macros:\n    - name: m\n      expr: "http.res.status >"\n', 'error x.yaml:4:31: rulekit.macros[0].expr: rule macro "m": unexpected end of rule at column 18 — expected a value'],
    ['stacks:\n  s:\n    plugins:\n      - type: http_capture\n        config:\n          rules:\n            - {name: r, expr: "nope_fn() == 1", level: full}\n', "error x.yaml:7:32: stacks.s.plugins[0].config.rules[0].expr: rule: unknown function 'nope_fn' at column 1 — expected one of starts_with, zone, in_zone"],
    ['services:\n  object_stores:\n    - type: s3\n      secret_key: hunter2\n', 'error x.yaml:4:19: services.object_stores[0].secret_key: must be a secret {type: text|env, value: …}, not string "hunter2"'],
    ['services:\n  object_stores:\n    - type: s3\n      access_key: {type: env}\n', "error x.yaml:4:19: services.object_stores[0].access_key: missing required key 'value'"],
  ];
  for (const [yaml, expected] of table) assert.ok(problems(yaml).includes(expected), `${JSON.stringify(yaml)}\n  want: ${expected}\n  got:  ${problems(yaml).join('\n        ')}`);
});

test('a value of the wrong type for a list of choices is one error, the one with the list', () => {
  assert.deepEqual(problems('tap:\n  direction: 5\n'), ['error x.yaml:2:14: tap.direction: 5 is not one of egress, egress-external, egress-internal, ingress, all']);
});

test('YAML warnings (an unknown tag) are reported with the config\'s', () => {
  assert.deepEqual(problems('tap:\n  direction: !custom all\n'), ['warning x.yaml:2:14: (yaml): Unresolved tag: !custom']);
});

test('unknown keys are warnings at the key, and do not stop the config', () => {
  assert.deepEqual(problems('tap:\n  direction: all\n  directon: egress\nextra: 1\n'), [
    "warning x.yaml:3:3: tap.directon: unknown key 'directon' (ignored)",
    "warning x.yaml:4:1: extra: unknown key 'extra' (ignored)",
  ]);
});

test('every error of a file is reported at once, in line order', () => {
  const got = problems('tap:\n  direction: egres\n  http:\n    stack: nowhere\n  ignore_loopback: 3\n');
  assert.deepEqual(got.map((p) => p.split(': ')[0]), ['error x.yaml:2:14', 'error x.yaml:4:12', 'error x.yaml:5:20']);
});

test('Qtap\'s plugins that cleartap skips are warnings; user modules are accepted as they are', () => {
  assert.deepEqual(problems('stacks:\n  s:\n    plugins:\n      - type: logger\n      - type: ./mine.ts\n        config: {anything: [1]}\n'), [
    "warning x.yaml:4:15: stacks.s.plugins[0].type: Qtap's 'logger' plugin is not available in cleartap and is skipped",
  ]);
});

test('YAML that is not a mapping, and empty files', () => {
  assert.deepEqual(problems('- a\n- b\n'), ['error x.yaml:1:1: (top level): must be a mapping with version, services, stacks and tap, not a list']);
  assert.equal(parseConfig('', 'x.yaml').config.tap.direction, 'egress');
});
