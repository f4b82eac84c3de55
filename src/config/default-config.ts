// The config in force when no file is found: what `cleartap` with no arguments does — every transaction of
// every process, both directions, loopback included, printed to stdout as Qtap http_capture JSON with
// headers, and kept in the local store (objects as files, events in SQLite) so that `cleartap query` works
// with no set-up. `--level` and `--format` adjust its http_capture plugin.
export const DEFAULT_CONFIG_SOURCE = 'built-in default';

export function defaultConfigYaml(level = 'details', format = 'json'): string {
  return `version: 2
services:
  event_stores:
    - type: local
  object_stores:
    - type: stdout
    - type: local
stacks:
  default:
    plugins:
      - type: http_capture
        config:
          level: ${level}
          format: ${format}
      - type: report_usage
tap:
  direction: all
  ignore_loopback: false
  audit_include_dns: false
  http:
    stack: default
`;
}
