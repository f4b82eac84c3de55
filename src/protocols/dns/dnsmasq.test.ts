// Real bytes: Debian's dnsmasq answers on 127.0.0.1 (a private instance with its own records, no upstream), over
// UDP and TCP; the parser reads what it sends.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { dnsAnswersAsText, dnsRcodeName, DNS_TYPE, DnsTcpReader, parseDnsMessage, type DnsMessage } from './index.ts';
import { buildQuery } from './message-builder-fixture.ts';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

let port = 0;
let dnsmasq: ReturnType<typeof spawn> | undefined;

before(async () => {
  port = await freePort();
  dnsmasq = spawn('/usr/sbin/dnsmasq', [
    '--no-daemon', '--conf-file=/dev/null', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
    '--no-resolv', '--no-hosts', '--user=root', '--pid-file=',
    '--address=/api.example.test/203.0.113.7',
    '--host-record=db.example.test,198.51.100.20,2001:db8::20',
    '--cname=www.example.test,db.example.test',
    '--txt-record=txt.example.test,hello dns',
    '--mx-host=example.test,mail.example.test,10',
    '--srv-host=_https._tcp.example.test,api.example.test,443,1,5',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  dnsmasq.stderr?.on('data', (d: Buffer) => (err += d));
  for (let i = 0; i < 50; i++) {
    try {
      await udpQuery(buildQuery(1, 'api.example.test', 1), 200);
      return;
    } catch {
      if (dnsmasq.exitCode !== null) throw new Error(`dnsmasq exited: ${err}`);
    }
  }
  throw new Error(`dnsmasq did not answer: ${err}`);
});

after(() => {
  dnsmasq?.kill('SIGKILL');
});

function udpQuery(q: Uint8Array, timeoutMs = 2000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('no UDP answer'));
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(new Uint8Array(m));
    });
    s.send(q, port, '127.0.0.1');
  });
}

function tcpQuery(q: Uint8Array): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const reader = new DnsTcpReader();
    const c = connect(port, '127.0.0.1', () => c.end(Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q])));
    c.on('data', (d) => reader.push(d));
    c.on('error', reject);
    c.on('close', () => resolve(reader.take()));
  });
}

function parsed(bytes: Uint8Array): DnsMessage {
  const r = parseDnsMessage(bytes);
  assert.equal(r.kind, 'ok', JSON.stringify(r));
  return (r as { frame: DnsMessage }).frame;
}

describe('dnsmasq on 127.0.0.1', () => {
  test('A over UDP', async () => {
    const m = parsed(await udpQuery(buildQuery(0x4242, 'api.example.test', DNS_TYPE.A)));
    assert.equal(m.id, 0x4242);
    assert.equal(m.response, true);
    assert.equal(dnsRcodeName(m.rcode), 'NOERROR');
    assert.deepEqual(m.questions, [{ name: 'api.example.test', type: 1, class: 1 }]);
    assert.deepEqual(dnsAnswersAsText(m), ['A 203.0.113.7']);
    assert.equal(m.answers[0].name, 'api.example.test');
  });

  test('AAAA, TXT, MX and SRV', async () => {
    assert.deepEqual(dnsAnswersAsText(parsed(await udpQuery(buildQuery(2, 'db.example.test', DNS_TYPE.AAAA)))), ['AAAA 2001:db8::20']);
    assert.deepEqual(dnsAnswersAsText(parsed(await udpQuery(buildQuery(3, 'txt.example.test', DNS_TYPE.TXT)))), ['TXT "hello dns"']);
    assert.deepEqual(dnsAnswersAsText(parsed(await udpQuery(buildQuery(4, 'example.test', DNS_TYPE.MX)))), ['MX 10 mail.example.test']);
    assert.deepEqual(dnsAnswersAsText(parsed(await udpQuery(buildQuery(5, '_https._tcp.example.test', DNS_TYPE.SRV)))), ['SRV 1 5 443 api.example.test']);
  });

  test('a CNAME chain, over TCP', async () => {
    const msgs = await tcpQuery(buildQuery(6, 'www.example.test', DNS_TYPE.A));
    assert.equal(msgs.length, 1);
    assert.deepEqual(dnsAnswersAsText(parsed(msgs[0])), ['CNAME db.example.test', 'A 198.51.100.20']);
  });

  test('NXDOMAIN', async () => {
    const m = parsed(await udpQuery(buildQuery(7, 'missing.example.test', DNS_TYPE.A)));
    // dnsmasq answers names it is not authoritative for with REFUSED (no upstream), or NXDOMAIN for its own domain.
    assert.ok(['NXDOMAIN', 'REFUSED'].includes(dnsRcodeName(m.rcode)), dnsRcodeName(m.rcode));
    assert.deepEqual(m.answers, []);
  });
});
