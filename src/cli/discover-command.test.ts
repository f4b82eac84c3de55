// `cleartap discover` end to end on files: HAR and JSON-lines inputs, documents and inventory written, drift
// against a spec, and the errors a user can cause.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compileErrors, validate } from '@readme/openapi-parser';
import { parse } from 'yaml';
import { CleartapError } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import { toQtapRecord } from '../sinks/stdout/index.ts';
import { runDiscover, type DiscoverFlags } from './discover-command.ts';
import { shopTraffic } from '../discovery/fixtures/shop-traffic.ts';
import { LinkType } from '../capture/pcap/captured-packet.ts';
import { writePcap } from '../capture/pcap/fixtures/file-writers.ts';
import { TcpConversation, toFrames } from '../capture/pcap/fixtures/tcp-conversation.ts';

const log = createLogger('silent');

function flags(over: Partial<DiscoverFlags>): DiscoverFlags {
  return { from: [], format: 'both', hint: [], json: false, failOnDrift: false, logLevel: 'silent', ...over };
}

function capture(): { write(text: string): void; text: () => string } {
  let out = '';
  return { write: (t) => (out += t), text: () => out };
}

function withFiles(fn: (dir: string, jsonl: string, har: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ct-discover-'));
  const txs = shopTraffic();
  const jsonl = join(dir, 'capture.jsonl');
  writeFileSync(jsonl, txs.slice(0, 60).map((tx) => JSON.stringify(toQtapRecord(tx, 'full'))).join('\n') + '\n');
  const har = join(dir, 'browser.har');
  const entries = txs.slice(60).map((tx) => ({
    startedDateTime: new Date(tx.startTime).toISOString(),
    time: tx.durationMs,
    request: { method: tx.request.method, url: tx.request.url, headers: tx.request.headers.map(([name, value]) => ({ name, value })), ...(tx.request.body.byteLength > 0 && { postData: { mimeType: 'application/octet-stream', text: new TextDecoder().decode(tx.request.body) } }) },
    response: tx.response === undefined ? { status: 0 } : { status: tx.response.status, headers: tx.response.headers.map(([name, value]) => ({ name, value })), content: { size: tx.response.bodySize, text: new TextDecoder().decode(tx.response.body) } },
  }));
  writeFileSync(har, JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } }));
  return fn(dir, jsonl, har).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('HAR + JSON lines -> one valid OpenAPI document per server (YAML and JSON) and inventory.json', () =>
  withFiles(async (dir, jsonl, har) => {
    const out = join(dir, 'specs');
    const o = capture();
    const result = await runDiscover(flags({ from: [jsonl, har], out }), o, log);
    assert.equal(result.transactions, 126);
    assert.deepEqual(readdirSync(out).sort(), ['inventory.json', 'shop.example.com.openapi.json', 'shop.example.com.openapi.yaml']);
    for (const file of ['shop.example.com.openapi.json', 'shop.example.com.openapi.yaml']) {
      const text = readFileSync(join(out, file), 'utf8');
      const doc = file.endsWith('.json') ? JSON.parse(text) : parse(text);
      const r = await validate(doc);
      assert.ok(r.valid, r.valid ? '' : compileErrors(r));
      assert.ok('/api/v1/orders/{orderId}' in doc.paths);
    }
    const index = JSON.parse(readFileSync(join(out, 'inventory.json'), 'utf8'));
    assert.equal(index.endpoints.length, 10);
    assert.match(o.text(), /^https:\/\/shop\.example\.com {2}10 endpoints, 126 calls$/m);
  }));

test('--host limits the servers; --hint regroups; --format yaml', () =>
  withFiles(async (dir, jsonl) => {
    const out = join(dir, 'specs');
    const none = await runDiscover(flags({ from: [jsonl], host: 'other.example', out }), capture(), log);
    assert.equal(none.servers, 0);
    const o = capture();
    const r = await runDiscover(flags({ from: [jsonl], host: 'shop.example.com', out, format: 'yaml', hint: ['GET /api/v1/products/{sku}'], json: true }), o, log);
    assert.equal(r.servers, 1);
    assert.deepEqual(readdirSync(out).sort(), ['inventory.json', 'shop.example.com.openapi.yaml']);
    const index = JSON.parse(o.text());
    assert.ok(index.endpoints.some((e: { path: string }) => e.path === '/api/v1/products/{sku}'));
  }));

test('--against: drift as text and JSON', () =>
  withFiles(async (dir, jsonl, har) => {
    const spec = join(dir, 'spec.yaml');
    writeFileSync(spec, 'openapi: 3.1.0\ninfo: { title: t, version: "1" }\nservers: [{ url: "https://shop.example.com/api/v1" }]\npaths:\n  /products/{id}:\n    get:\n      responses: { "200": { description: ok } }\n  /gone:\n    get:\n      responses: { "200": { description: ok } }\n');
    const text = capture();
    const r = await runDiscover(flags({ from: [jsonl, har], against: spec }), text, log);
    assert.ok(r.drift > 0);
    assert.match(text.text(), /^Zombie operations \(documented, never seen\) \(1\)\n {2}GET \/gone$/m);
    const json = capture();
    await runDiscover(flags({ from: [jsonl, har], against: spec, json: true }), json, log);
    const report = JSON.parse(json.text());
    assert.equal(report.summary.zombie, 1);
    assert.ok(report.shadow.some((e: { path: string }) => e.path === '/api/v1/orders'));
  }));

test('pcap files: HTTP/1 exchanges reassembled by the passive stages, every status kept', () =>
  withFiles(async (dir) => {
    const client = { ip: '192.0.2.10', port: 40001 };
    const server = { ip: '198.51.100.20', port: 8080 };
    const res = (status: number, body: string) => `HTTP/1.1 ${status} X\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const conv = new TcpConversation(client, server).handshake();
    for (let i = 1; i <= 3; i++) conv.exchange(`GET /api/items/${i} HTTP/1.1\r\nHost: shop.test:8080\r\n\r\n`, res(200, `{"id":${i},"name":"n${i}"}`));
    conv.exchange('GET /api/items/999 HTTP/1.1\r\nHost: shop.test:8080\r\n\r\n', res(404, '{"error":"not_found"}')).close();
    const pcap = join(dir, 'shop.pcap');
    writeFileSync(pcap, writePcap(toFrames(conv.segments, LinkType.ethernet), { linkType: LinkType.ethernet }));
    const o = capture();
    const r = await runDiscover(flags({ from: [pcap], json: true }), o, log);
    assert.equal(r.transactions, 4);
    const index = JSON.parse(o.text());
    assert.deepEqual(index.endpoints.map((e: { method: string; path: string; statuses: unknown }) => [e.method, e.path, e.statuses]), [['GET', '/api/items/{itemId}', { '200': 3, '404': 1 }]]);
  }));

test('unusable inputs and specs fail with their codes', () =>
  withFiles(async (dir) => {
    const code = (c: string) => (e: unknown) => e instanceof CleartapError && e.code === c;
    const text = join(dir, 'x.txt');
    writeFileSync(text, 'hello');
    await assert.rejects(runDiscover(flags({ from: [text] }), capture(), log), code('CT_ERR_DISCOVERY_INPUT'));
    await assert.rejects(runDiscover(flags({ from: [join(dir, 'missing')] }), capture(), log), code('CT_ERR_DISCOVERY_INPUT'));
    await assert.rejects(runDiscover(flags({ from: [`store:${join(dir, 'no-store')}`] }), capture(), log), code('CT_ERR_DISCOVERY_INPUT'));
    await assert.rejects(runDiscover(flags({ from: [text], against: join(dir, 'missing.yaml') }), capture(), log), code('CT_ERR_SPEC'));
    await assert.rejects(runDiscover(flags({ from: [text], hint: ['users'] }), capture(), log), code('CT_ERR_USAGE'));
  }));

test('wired as a subcommand beside the capture options: --format and --fail-on-drift', () =>
  withFiles(async (dir, jsonl) => {
    const script = `
      import { Command, Option } from 'commander';
      import { discoverCommand } from ${JSON.stringify(new URL('./discover-command.ts', import.meta.url).href)};
      await new Command('cleartap').addOption(new Option('-f, --format <format>').choices(['json', 'text']).default('json'))
        .action(() => { throw new Error('root action ran'); })
        .enablePositionalOptions().addCommand(discoverCommand())
        .parseAsync(process.argv.slice(1), { from: 'user' });`;
    const spec = join(dir, 'spec.yaml');
    writeFileSync(spec, 'openapi: 3.1.0\ninfo: { title: t, version: "1" }\npaths: {}\n');
    const run = promisify(execFile);
    const args = ['--input-type=module', '-e', script, 'discover', '--from', jsonl, '--format', 'yaml', '--out', join(dir, 'o'), '--log-level', 'silent'];
    const ok = await run(process.execPath, args, { cwd: new URL('../..', import.meta.url).pathname });
    assert.match(ok.stdout, /4 endpoints, 60 calls/);
    assert.deepEqual(readdirSync(join(dir, 'o')).sort(), ['inventory.json', 'shop.example.com.openapi.yaml']);
    await assert.rejects(run(process.execPath, [...args, '--against', spec, '--fail-on-drift'], { cwd: new URL('../..', import.meta.url).pathname }), (e: { code?: number }) => e.code === 2);
  }));
