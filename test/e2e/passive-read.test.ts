// `cleartap read` on captures tcpdump records while real clients talk to real servers on loopback, and on
// captures built byte by byte with reordering, duplicates, loss, VLAN tags, IPv6 and SLL2 — each checked
// against tshark's reading of the same file. Needs root (tcpdump on lo), tcpdump, tshark, editcap, curl, python3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runRead } from '../../src/cli/passive-command.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { Transaction } from '../../src/core/transaction.ts';
import { CaptureFileSource, resolvePassiveOptions, type PassiveOptionInputs } from '../../src/pipeline/passive/index.ts';
import { LinkType } from '../../src/capture/pcap/index.ts';
import { writePcap, writePcapng } from '../../src/capture/pcap/fixtures/file-writers.ts';
import { interleave, TcpConversation, toFrames, type TimedSegment } from '../../src/capture/pcap/fixtures/tcp-conversation.ts';
import { freePort, run, start, stopAll, waitForPort, waitUntil } from '../helpers/children.ts';
import { haveCommand, tsharkHttp } from '../helpers/tshark.ts';

const dir = mkdtempSync(join(tmpdir(), 'ct-passive-read-'));
const missing = (await Promise.all(['tcpdump', 'tshark', 'editcap', 'curl', 'python3'].map(async (c) => ((await haveCommand(c)) ? '' : c)))).filter(Boolean);
const skip = missing.length ? `missing ${missing.join(', ')} (scripts/setup.sh installs them with CLEARTAP_SETUP_TESTS=1)` : process.getuid?.() !== 0 ? 'needs root for tcpdump' : false;

test.after(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

async function read(file: string, inputs: PassiveOptionInputs = { flags: { statusCodes: 'xxx' } }): Promise<Transaction[]> {
  const source = await CaptureFileSource.open(file, { passive: resolvePassiveOptions(inputs), limits: {} });
  const out: Transaction[] = [];
  for await (const batch of source.batches()) out.push(...batch);
  return out;
}

const requestsOf = (txs: Transaction[]) => txs.map((t) => `${t.request.method} ${t.request.target}`).sort();
const statusesOf = (txs: Transaction[]) => txs.flatMap((t) => (t.response ? [t.response.status] : [])).sort();

/** Our reading equals tshark's: the same requests and the same response codes (as multisets). */
async function assertAgreesWithTshark(file: string, txs: Transaction[], prefs: string[] = []): Promise<void> {
  const ts = await tsharkHttp(file, prefs);
  assert.deepEqual(requestsOf(txs), [...ts.requests].sort(), `requests in ${file}`);
  assert.deepEqual(statusesOf(txs), [...ts.statuses].sort((a, b) => a - b), `statuses in ${file}`);
}

interface Recording {
  files: { lo: string; any: string };
  httpPort: number;
  nodePort: number;
}

let recording: Promise<Recording> | undefined;

/** Records, once, curl against python's http.server (HTTP/1.0) and a keep-alive node server (HTTP/1.1, chunked). */
function record(): Promise<Recording> {
  recording ??= (async () => {
    const www = join(dir, 'www');
    await run('mkdir', ['-p', www]);
    writeFileSync(join(www, 'small.txt'), 'hello\n');
    writeFileSync(join(www, 'big.bin'), new Uint8Array(300_000).fill(0x61));
    const httpPort = await freePort();
    const nodePort = await freePort();
    start('python3', ['-m', 'http.server', String(httpPort), '--bind', '127.0.0.1', '--directory', www]);
    const server: Server = createServer((req, res) => {
      if (req.url === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part one\n');
        setTimeout(() => res.end('part two\n'), 5);
        return;
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(req.url === '/created' ? 201 : req.url === '/denied' ? 403 : 200, { 'content-type': 'application/json', 'x-internal': req.url === '/internal' ? 'yes' : 'no' });
        res.end(JSON.stringify({ url: req.url }));
      });
    });
    await new Promise<void>((r) => server.listen(nodePort, '127.0.0.1', r));
    await waitForPort(httpPort);
    const filter = `tcp port ${httpPort} or tcp port ${nodePort}`;
    const files = { lo: join(dir, 'lo.pcap'), any: join(dir, 'any.pcap') };
    // -Z root: stay root so the files can be written in the test's private directory. Immediate mode: with
    // TPACKET_V3, libpcap otherwise holds packets until a ring block fills or times out, and tcpdump exits on
    // SIGINT without reading what is still in the ring. -B 16 MiB: immediate mode's default ring loses 64 KiB
    // loopback (GSO) packets on `any` without counting them as drops.
    const tcpdump = ['-U', '--immediate-mode', '-B', '16384', '-Z', 'root'];
    const lo = start('tcpdump', ['-i', 'lo', ...tcpdump, '-w', files.lo, filter]);
    const any = start('tcpdump', ['-i', 'any', ...tcpdump, '--time-stamp-precision=nano', '-w', files.any, filter]);
    await waitUntil(() => (lo.stderr().includes('listening') && any.stderr().includes('listening') ? true : undefined), 'tcpdump listening');
    const py = `http://127.0.0.1:${httpPort}`;
    const nd = `http://127.0.0.1:${nodePort}`;
    const curls = [
      [`${py}/small.txt`, `${py}/big.bin`, `${py}/nope`],
      ['-X', 'POST', '-d', 'a=1', `${py}/small.txt`],
      ['-I', `${py}/small.txt`],
      [`${nd}/one`, `${nd}/chunked`, `${nd}/denied`, `${nd}/internal`], // one keep-alive connection
      ['-X', 'PUT', '--data-binary', 'x'.repeat(5000), `${nd}/created`],
      ['-H', 'X-Health: 1', `${nd}/health`],
    ];
    for (const args of curls) {
      const r = await run('curl', ['-s', '-o', '/dev/null', ...args]);
      assert.equal(r.code, 0, `curl ${args.join(' ')}`);
    }
    await new Promise((r) => setTimeout(r, 300));
    lo.child.kill('SIGINT');
    any.child.kill('SIGINT');
    await Promise.all([lo.exited, any.exited]);

    server.close();
    return { files, httpPort, nodePort };
  })();
  return recording;
}

const EXPECTED = [
  'GET /big.bin -> 200', 'GET /chunked -> 200', 'GET /denied -> 403', 'GET /health -> 200', 'GET /internal -> 200', 'GET /nope -> 404',
  'GET /one -> 200', 'GET /small.txt -> 200', 'HEAD /small.txt -> 200', 'POST /small.txt -> 501', 'PUT /created -> 201',
];
const summary = (txs: Transaction[]) => txs.map((t) => `${t.request.method} ${t.request.target} -> ${t.response?.status ?? '-'}`).sort();

test('tcpdump on lo (Ethernet, pcap) and on any (SLL2, nanosecond pcap), and the same as pcapng: what the clients did, as tshark reads it', { skip }, async () => {
  const { files } = await record();
  const pcapng = join(dir, 'lo.pcapng');
  assert.equal((await run('editcap', ['-F', 'pcapng', files.lo, pcapng])).code, 0);
  for (const file of [files.lo, files.any, pcapng]) {
    const txs = await read(file);
    assert.deepEqual(summary(txs), EXPECTED, file);
    await assertAgreesWithTshark(file, txs);
    assert.ok(txs.every((t) => t.direction === 'ingress' && t.local?.address === '127.0.0.1' && t.incomplete === undefined && t.gapBytes === undefined), file);
  }
  const big = (await read(files.lo)).find((t) => t.request.target === '/big.bin')!;
  assert.equal(big.response?.bodySize, 300_000);
});

test('NTA filters on a recording: status codes, excluded headers, ports and ranges', { skip }, async () => {
  const { files, httpPort, nodePort } = await record();
  const byDefault = summary(await read(files.lo, { env: {} }));
  assert.deepEqual(byDefault, EXPECTED.filter((s) => / 2\d\d$/.test(s)));
  const env = { INVICTI_TAP_HTTP_STATUS_CODES: '4xx,501', INVICTI_TAP_EXCLUDE_TRAFFIC_WITH_HEADERS: 'x-health' };
  assert.deepEqual(summary(await read(files.lo, { env })), ['GET /denied -> 403', 'GET /nope -> 404', 'POST /small.txt -> 501']);
  // x-internal is on every response of the node server but the chunked one: excluding it leaves python's.
  assert.deepEqual(summary(await read(files.lo, { env: { INVICTI_TAP_EXCLUDE_TRAFFIC_WITH_HEADERS: 'X-Internal' } })), ['GET /big.bin -> 200', 'GET /chunked -> 200', 'GET /small.txt -> 200', 'HEAD /small.txt -> 200']);
  assert.equal((await read(files.lo, { env: { INVICTI_TAP_PORTS: String(nodePort) }, flags: { statusCodes: 'xxx' } })).length, 6);
  const lo = Math.min(httpPort, nodePort);
  const hi = Math.max(httpPort, nodePort);
  assert.equal((await read(files.lo, { env: { INVICTI_TAP_PORTS: `1-2,${lo}-${hi}` }, flags: { statusCodes: 'xxx' } })).length, EXPECTED.length);
  assert.equal((await read(files.lo, { env: { INVICTI_TAP_PORTS: '1-1000' } })).length, 0);
});

test('runRead prints Qtap JSON lines, one per transaction, and refuses a bad variable naming it', { skip }, async () => {
  const { files } = await record();
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const status = await runRead(files.lo, { format: 'json', level: 'summary', maxBody: 0, logLevel: 'silent' }, { stdout: out, env: {}, log: createLogger('silent') });
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { request: { method: string; path: string }; response: { status: number }; direction: string });
  assert.equal(lines.length, 8);
  assert.ok(lines.every((l) => l.direction === 'ingress' && l.response.status >= 200 && l.response.status < 300));
  assert.equal(status.filter.statusFiltered, 3);
  await assert.rejects(
    runRead(files.lo, { format: 'json', level: 'summary', maxBody: 0, logLevel: 'silent' }, { stdout: out, env: { INVICTI_TAP_PORTS: '80,eighty' }, log: createLogger('silent') }),
    { code: 'CT_ERR_CONFIG', message: /INVICTI_TAP_PORTS: "eighty"/ },
  );
});

test('read --config: the config\'s stacks print the transactions and tap.passive holds the NTA settings', { skip }, async () => {
  const { files } = await record();
  const config = join(dir, 'passive.yaml');
  writeFileSync(
    config,
    `version: 2
services: { event_stores: [{ type: stdout }], object_stores: [{ type: stdout }] }
stacks: { s: { plugins: [{ type: http_capture, config: { level: summary } }] } }
tap:
  direction: egress
  http: { stack: s }
  passive:
    http_status_codes: [xxx]
`,
  );
  const main = join(import.meta.dirname, '../../src/cli/main.ts');
  const r = await run(process.execPath, [main, 'read', files.lo, '--config', config, '--log-level', 'warn']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { direction: string; response?: { status: number } });
  assert.equal(lines.length, 11, 'every status (tap.passive) and every direction (passive captures are not egress)');
  assert.ok(lines.some((l) => (l.response?.status ?? 0) >= 400));
  const bad = join(dir, 'bad-passive.yaml');
  writeFileSync(bad, 'tap:\n  passive:\n    ports: [80, eighty]\n');
  const refused = await run(process.execPath, [main, 'read', files.lo, '--config', bad]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /tap\.passive\.ports: "eighty"/);
});

// ---- built captures, compared with tshark ----

const client = { ip: '192.0.2.10', port: 40001 };
const server = { ip: '198.51.100.20', port: 80 };
const req = (p: string) => `GET ${p} HTTP/1.1\r\nHost: shop.example\r\nAccept: */*\r\n\r\n`;
const res = (status: number, body: string) => `HTTP/1.1 ${status} OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

function keepAlive(from: typeof client, to: typeof server, n: number, o: { mss?: number; clientIsn?: number; startNs?: bigint } = {}): TimedSegment[] {
  const c = new TcpConversation(from, to, { mss: o.mss ?? 80, clientIsn: o.clientIsn, startNs: o.startNs }).handshake();
  for (let i = 0; i < n; i++) c.exchange(req(`/p/${from.port}/${i}`), res(i % 3 === 2 ? 404 : 200, `payload ${i} `.repeat(30)));
  return c.close().segments;
}

/** Same-direction neighbours swapped and some segments sent twice: what a lossy network with retransmission shows. */
function shuffle(segs: TimedSegment[]): TimedSegment[] {
  const out = [...segs];
  for (let i = 3; i + 2 < out.length; i += 4) {
    if (out[i].src === out[i + 2].src && out[i].payload && out[i + 2].payload) [out[i], out[i + 2]] = [out[i + 2], out[i]];
    if (i % 3 === 0) out.splice(i, 0, out[i]);
  }
  return out;
}

test('built captures with reordering, duplicates, wrap-around, VLAN, IPv6 and SLL2 read as tshark reads them', { skip }, async () => {
  const v6client = { ip: '2001:db8::10', port: 40002 };
  const v6server = { ip: '2001:db8:1::20', port: 8080 };
  const conns = [
    shuffle(keepAlive(client, server, 6)),
    shuffle(keepAlive({ ...client, port: 40003 }, server, 4, { clientIsn: 0xffffff80 })),
    shuffle(keepAlive(v6client, v6server, 5, { startNs: 1_700_000_000_000_500_000n })),
  ];
  const all = interleave(...conns);
  const cases: Array<[string, Uint8Array]> = [
    ['ethernet-vlan.pcap', writePcap(toFrames(all, LinkType.ethernet, { vlans: [42] }), { linkType: LinkType.ethernet })],
    ['qinq-bigendian-nano.pcap', writePcap(toFrames(all, LinkType.ethernet, { vlans: [100, 200] }), { linkType: LinkType.ethernet, bigEndian: true, nano: true })],
    ['sll2.pcapng', writePcapng([{ interfaces: [{ linkType: LinkType.linuxSll2, tsresol: 9 }], packets: toFrames(all, LinkType.linuxSll2) }])],
    ['raw-ipv6-ext.pcap', writePcap(toFrames(all, LinkType.raw, { ipv6Extensions: ['hop', 'dest'] }), { linkType: LinkType.raw })],
    ['sll.pcap', writePcap(toFrames(all, LinkType.linuxSll), { linkType: LinkType.linuxSll })],
  ];
  for (const [name, bytes] of cases) {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    const txs = await read(file);
    assert.equal(txs.length, 15, name);
    assert.ok(txs.every((t) => !t.incomplete && !t.gapBytes), name);
    await assertAgreesWithTshark(file, txs, ['tcp.reassemble_out_of_order:TRUE', 'http.tcp.port:80,8080']);
  }
});

test('loss: our reader skips to the next message and counts the gap; where tshark still decodes, it agrees', { skip }, async () => {
  const segs = keepAlive(client, server, 6, { mss: 60 });
  const text = (s: TimedSegment) => new TextDecoder().decode(s.payload ?? new Uint8Array());
  const target = (i: number) => `/p/40001/${i}`;
  // A segment of body only (response 2), the one ending response 3's head (its body has no newline, so
  // response 4 is found only because a new message starts a new segment), and request 5's head.
  const body = segs.findIndex((s) => s.src === server && text(s).includes('payload 2') && !text(s).includes('\r\n'));
  const headEnd = segs.findIndex((s) => s.src === server && text(s).includes('\r\n\r\npayload 3'));
  const request = segs.findIndex((s) => text(s).startsWith(`GET ${target(5)}`));
  assert.ok(body > 0 && headEnd > 0 && request > 0);
  const lossy = segs.filter((_, i) => i !== body && i !== headEnd && i !== request);
  const file = join(dir, 'loss.pcap');
  writeFileSync(file, writePcap(toFrames(lossy, LinkType.ethernet), { linkType: LinkType.ethernet }));
  // Request 3 lost its response head: without a status, no status filter keeps it (not even xxx).
  const txs = await read(file, { flags: { statusCodes: 'xxx' } });
  assert.deepEqual(summary(txs), [`GET ${target(0)} -> 200`, `GET ${target(1)} -> 200`, `GET ${target(2)} -> 404`, `GET ${target(4)} -> 200`]);
  assert.equal(txs.find((t) => t.request.target === target(2))!.gapBytes, 60);
  const ts = await tsharkHttp(file);
  for (const r of ts.requests) assert.ok(requestsOf(txs).includes(r) || r === `GET ${target(3)}`, `tshark's ${r} is ours too`);
});
