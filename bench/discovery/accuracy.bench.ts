// API-discovery accuracy benchmark: a real node:http API (bench/discovery/sample-api, 33 declared operations),
// driven by a seeded spec-driven client, captured by a transaction source, inferred, validated, and scored
// against the API's own declared document.
//
//   $NODE bench/discovery/accuracy.bench.ts [--requests 3000] [--seed 1] [--concurrency 8]
//                                           [--source recorder|qtap-jsonl|jsonl:FILE] [--out DIR] [--json FILE] [--details]
//
// --source jsonl:FILE reads a capture made meanwhile by something else, e.g. the eBPF agent started by hand:
//   cleartap --level full > /tmp/cap.jsonl &   then   $NODE bench/discovery/accuracy.bench.ts --source jsonl:/tmp/cap.jsonl

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderDocument } from '../../src/discovery/index.ts';
import { runAccuracy, sampleApiTarget } from './accuracy-run.ts';
import { sourceByName } from './sources.ts';
import type { Ratio } from './accuracy.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '8' },
    source: { type: 'string', default: 'recorder' },
    out: { type: 'string' },
    json: { type: 'string' },
    details: { type: 'boolean', default: false },
  },
});

const run = await runAccuracy(sampleApiTarget(Number(values.seed)), sourceByName(values.source), {
  requests: Number(values.requests),
  seed: Number(values.seed),
  concurrency: Number(values.concurrency),
});
const r = run.report;
const pct = (x: Ratio): string => `${(x.rate * 100).toFixed(1)}%`.padStart(6);
const line = (name: string, x: Ratio, goal = true): string => `| ${name.padEnd(22)} | ${pct(x)} | ${String(x.hits).padStart(5)} / ${String(x.total).padEnd(5)} | ${goal ? (x.rate >= 0.95 ? 'met' : 'MISSED') : ''} |`;
const statuses = [...run.drive.statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}×${n}`).join(' ');
console.log(`target ${run.target}; source ${run.source}; ${run.requests} requests (${statuses}${run.drive.failed > 0 ? `, ${run.drive.failed} failed` : ''})`);
console.log(`${run.transactions} transactions${run.inputSkipped > 0 ? ` (${run.inputSkipped} input records skipped)` : ''} inferred in ${run.inferMs.toFixed(0)} ms into ${run.documents.length} document(s): ${run.validation.every((v) => v === '') ? 'valid OpenAPI 3.1' : 'INVALID'}`);
console.log('');
console.log('| metric                 |  value |  hits / total | goal ≥ 95% |');
console.log('|---|---|---|---|');
console.log(line('endpoint precision', r.endpointPrecision));
console.log(line('endpoint recall', r.endpointRecall));
console.log(line('parameter recall', r.parameterRecall));
console.log(line('schema field accuracy', r.fieldAccuracy));
console.log(line('required agreement', r.requiredAgreement, false));
console.log(line('enum recall', r.enumRecall, false));
console.log(`\nnot scored: ${r.bodiesNotExercised} declared bodies the traffic never produced, ${r.fieldsNotObserved} declared fields it never carried; inferred fields not declared: ${r.extraFields}`);
const details: Array<[string, string[]]> = [
  ['false-positive endpoints', r.falsePositives],
  ['missed endpoints', r.missedEndpoints],
  ['missed parameters', r.missedParameters],
  ['wrong fields', r.wrongFields],
];
for (const [title, items] of details) {
  if (items.length === 0) continue;
  console.log(`\n${title} (${items.length})`);
  for (const item of values.details ? items : items.slice(0, 10)) console.log(`  ${item}`);
  if (!values.details && items.length > 10) console.log(`  … ${items.length - 10} more (--details)`);
}
for (const v of run.validation) if (v !== '') console.log(`\n${v}`);
if (values.out !== undefined) {
  mkdirSync(values.out, { recursive: true });
  run.documents.forEach((doc, i) => writeFileSync(join(values.out as string, `inferred-${i + 1}.openapi.yaml`), renderDocument(doc, 'yaml')));
}
if (values.json !== undefined) {
  writeFileSync(values.json, `${JSON.stringify({ ...run, drive: { ...run.drive, statuses: Object.fromEntries(run.drive.statuses) }, documents: undefined }, null, 2)}\n`);
}
process.exitCode = run.validation.every((v) => v === '') ? 0 : 1;
