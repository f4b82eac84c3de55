// Micro-benchmark of the stdout sink's rendering (not a test): transactions/s for JSON and text at
// each level, on the sink's own fixture transactions. Run: node src/sinks/stdout/render.bench.ts
import { formatText } from './text-format.ts';
import { toQtapRecord } from './qtap-record.ts';
import { getJsonTx, postBinaryTx } from './fixtures.ts';
import type { CaptureLevel } from './level.ts';

const txs = Array.from({ length: 2000 }, (_, i) => {
  const tx = i % 2 ? getJsonTx() : postBinaryTx();
  tx.startTime += i * 7; // distinct times, as in real traffic
  return tx;
});

function measure(name: string, render: () => number): void {
  let best = Infinity;
  let bytes = 0;
  for (let round = 0; round < 7; round++) {
    const t0 = performance.now();
    bytes = 0;
    for (let i = 0; i < 10; i++) bytes += render();
    best = Math.min(best, performance.now() - t0);
  }
  const perTx = (best * 1000) / (txs.length * 10);
  console.log(`${name.padEnd(16)} ${perTx.toFixed(2).padStart(6)} µs/transaction  ${(1 / perTx).toFixed(2)} M/s  ${(bytes / 10 / txs.length).toFixed(0)} B each`);
}

for (const level of ['summary', 'details', 'full'] as CaptureLevel[]) {
  measure(`json ${level}`, () => {
    let out = '';
    for (const tx of txs) out += `${JSON.stringify(toQtapRecord(tx, level))}\n`;
    return Buffer.byteLength(out);
  });
}
measure('text details', () => {
  let out = '';
  for (const tx of txs) out += `${formatText(tx, 'details')}\n`;
  return Buffer.byteLength(out);
});
