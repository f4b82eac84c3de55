// An agent command line whose config prints to stdout only (no local store): what the capture benches use to
// measure capture and parsing rather than the stores' write rate.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function stdoutOnlyAgent(dir: string): string {
  const config = join(dir, 'stdout.yaml');
  writeFileSync(config, `version: 2
services: { event_stores: [{ type: stdout }], object_stores: [{ type: stdout }] }
stacks: { s: { plugins: [{ type: http_capture, config: { level: summary, format: json } }] } }
tap: { direction: all, ignore_loopback: false, http: { stack: s } }
`);
  return `${process.execPath} ${fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))} --config ${config}`;
}
