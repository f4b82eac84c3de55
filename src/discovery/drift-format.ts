// The drift report as text for a terminal: a summary line, then one section per kind of drift, each entry on one
// line. (`--json` prints the report object itself.)

import type { DriftReport } from './drift.ts';

function section<T>(lines: string[], title: string, items: readonly T[], line: (item: T) => string): void {
  if (items.length === 0) return;
  lines.push('', `${title} (${items.length})`);
  for (const item of items) lines.push(`  ${line(item)}`);
}

const calls = (n: number): string => `${n} call${n === 1 ? '' : 's'}`;

const at = (x: { method: string; path: string; documentedPath: string }): string =>
  `${x.method} ${x.path}${x.documentedPath !== x.path ? ` (documented as ${x.documentedPath})` : ''}`;

export function formatDrift(r: DriftReport): string {
  const s = r.summary;
  const lines = [
    `drift against ${r.spec}: ${s.observedEndpoints} observed endpoints, ${s.documentedOperations} documented operations, ${s.matched} matched`,
    `  shadow ${s.shadow}, zombie ${s.zombie}, undocumented parameters ${s.undocumentedParameters}, status codes ${s.undocumentedStatusCodes}, fields ${s.undocumentedFields}, type mismatches ${s.typeMismatches}`,
  ];
  section(lines, 'Shadow endpoints (seen, not documented)', r.shadow, (e) => `${e.method} ${e.server}${e.path}  ${calls(e.calls)}`);
  section(lines, 'Zombie operations (documented, never seen)', r.zombie, (e) => `${e.method} ${e.path}`);
  section(lines, 'Undocumented parameters', r.undocumentedParameters, (e) => `${at(e)}  ${e.in} ${e.name}`);
  section(lines, 'Undocumented status codes', r.undocumentedStatusCodes, (e) => `${at(e)}  ${e.status}  ${calls(e.calls)}`);
  section(lines, 'Undocumented fields', r.undocumentedFields, (e) => `${at(e)}  ${e.location}  ${e.pointer === '' ? '(whole body)' : e.pointer}`);
  section(lines, 'Type mismatches', r.typeMismatches, (e) => `${at(e)}  ${e.location} ${e.name === '' ? '(body)' : e.name}: documented ${e.documented.join('|') || 'any'}, observed ${e.observed.join('|')}`);
  if (lines.length === 2) lines.push('', 'No drift.');
  return `${lines.join('\n')}\n`;
}
