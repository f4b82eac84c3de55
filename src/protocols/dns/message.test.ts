import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SeededRandom } from '../../core/fixtures/seeded-random.ts';
import { dnsAnswersAsText, dnsRcodeName, dnsTypeName, DNS_TYPE, DnsExchangeMatcher, DnsTcpReader, parseDnsMessage, type DnsMessage } from './index.ts';
import { buildMessage, buildQuery, rdata } from './message-builder-fixture.ts';

function ok(bytes: Uint8Array): DnsMessage {
  const r = parseDnsMessage(bytes);
  assert.equal(r.kind, 'ok', JSON.stringify(r));
  return (r as { frame: DnsMessage }).frame;
}

const answerFor = (name: string) => buildMessage({
  id: 0x1234,
  response: true,
  questions: [{ name, type: DNS_TYPE.A }],
  answers: [
    { name, type: DNS_TYPE.CNAME, data: rdata.name('edge.example.test') },
    { name: 'edge.example.test', type: DNS_TYPE.A, ttl: 60, data: rdata.a('203.0.113.7') },
  ],
});

describe('DNS messages', () => {
  test('a query: header flags and the question', () => {
    const m = ok(buildQuery(7, 'api.example.test', DNS_TYPE.AAAA));
    assert.equal(m.id, 7);
    assert.equal(m.response, false);
    assert.equal(m.recursionDesired, true);
    assert.deepEqual(m.questions, [{ name: 'api.example.test', type: DNS_TYPE.AAAA, class: 1 }]);
  });

  test('every record type decoded, and shown as text', () => {
    const name = 'x.example.test';
    const bytes = buildMessage({
      id: 1,
      response: true,
      questions: [{ name, type: DNS_TYPE.A }],
      answers: [
        { name, type: DNS_TYPE.A, data: rdata.a('198.51.100.4') },
        { name, type: DNS_TYPE.AAAA, data: Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]) },
        { name, type: DNS_TYPE.CNAME, data: rdata.name('y.example.test') },
        { name, type: DNS_TYPE.TXT, data: rdata.txt('v=spf1 -all', 'héllo') },
        { name, type: DNS_TYPE.MX, data: rdata.mx(10, 'mail.example.test') },
        { name, type: DNS_TYPE.SRV, data: rdata.srv(1, 2, 443, 'svc.example.test') },
        { name, type: DNS_TYPE.HTTPS, data: rdata.svcb(1, '', [[1, [2, 0x68, 0x32, 2, 0x68, 0x33]], [3, [0x01, 0xbb]], [4, [203, 0, 113, 9]]]) },
        { name, type: 4242, data: Uint8Array.from([1, 2, 3]) },
      ],
    });
    const m = ok(bytes);
    assert.deepEqual(dnsAnswersAsText(m), [
      'A 198.51.100.4',
      'AAAA 2001:db8::1',
      'CNAME y.example.test',
      'TXT "v=spf1 -all" "héllo"',
      'MX 10 mail.example.test',
      'SRV 1 2 443 svc.example.test',
      'HTTPS 1 . alpn=h2,h3 port=443 ipv4hint=203.0.113.9',
      'TYPE4242 \\# 3',
    ]);
  });

  test('compressed names: a pointer back to the question', () => {
    // header, question x.test A IN, answer name = pointer to offset 12
    const q = [1, 120, 4, 116, 101, 115, 116, 0, 0, 1, 0, 1];
    const bytes = Uint8Array.from([0, 9, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, ...q, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 203, 0, 113, 1]);
    const m = ok(bytes);
    assert.equal(m.answers[0].name, 'x.test');
    assert.deepEqual(dnsAnswersAsText(m), ['A 203.0.113.1']);
  });

  test('pointer loops, forward pointers and oversized names are invalid, not hangs', () => {
    const header = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    const loop = Uint8Array.from([...header, 0xc0, 12, 0, 1, 0, 1]);
    assert.match((parseDnsMessage(loop) as { reason: string }).reason, /backwards/);
    const forward = Uint8Array.from([...header, 0xc0, 20, 0, 1, 0, 1, 0, 0, 1, 97, 0]);
    assert.equal(parseDnsMessage(forward).kind, 'invalid');
    const long = Uint8Array.from([...header, ...new Array(5).fill([63, ...new Array(63).fill(97)]).flat(), 0, 0, 1, 0, 1]);
    assert.match((parseDnsMessage(long) as { reason: string }).reason, /255/);
  });

  test('EDNS: the OPT record, and the extended rcode it carries', () => {
    const opt = { name: '', type: DNS_TYPE.OPT, cls: 1232, ttl: (1 << 24) | 0x8000, data: new Uint8Array(0) };
    const m = ok(buildMessage({ id: 2, response: true, rcode: 0, questions: [{ name: 'a.test', type: 1 }], additional: [opt] }));
    assert.deepEqual(m.edns, { udpSize: 1232, version: 0, dnssecOk: true });
    assert.equal(m.rcode, 16);
    assert.equal(dnsRcodeName(m.rcode), 'BADVERS');
  });

  test('names of types and rcodes', () => {
    assert.deepEqual([dnsTypeName(65), dnsTypeName(28), dnsTypeName(65534)], ['HTTPS', 'AAAA', 'TYPE65534']);
    assert.deepEqual([dnsRcodeName(0), dnsRcodeName(3), dnsRcodeName(5), dnsRcodeName(12)], ['NOERROR', 'NXDOMAIN', 'REFUSED', 'RCODE12']);
  });

  test('the TC bit', () => {
    assert.equal(ok(buildMessage({ id: 3, response: true, flags: 0x0200, questions: [{ name: 'a.test', type: 1 }] })).truncated, true);
  });

  test('truncated at every offset: invalid, never an exception', () => {
    const full = answerFor('api.example.test');
    for (let n = 0; n < full.length; n++) assert.equal(parseDnsMessage(full.subarray(0, n)).kind, 'invalid', `cut at ${n}`);
    assert.equal(parseDnsMessage(full).kind, 'ok');
  });

  for (const seed of [1, 2, 3]) {
    test(`fuzz (seed ${seed}): random bytes and mutations never throw; a clean message round-trips`, () => {
      const rnd = new SeededRandom(seed);
      const base = answerFor('fuzz.example.test');
      for (let i = 0; i < 3000; i++) {
        const b = rnd.chance(0.3) ? Uint8Array.from({ length: rnd.int(0, 200) }, () => rnd.int(0, 255)) : Uint8Array.from(base);
        for (let k = rnd.int(0, 4); k > 0; k--) b[rnd.int(0, b.length - 1)] = rnd.int(0, 255);
        const r = parseDnsMessage(b);
        assert.ok(r.kind === 'ok' || r.kind === 'invalid');
      }
      assert.deepEqual(dnsAnswersAsText(ok(base)), ['CNAME edge.example.test', 'A 203.0.113.7']);
    });
  }
});

describe('DNS over TCP framing', () => {
  test('messages split anywhere come out whole, in order', () => {
    const msgs = [buildQuery(1, 'a.test', 1), answerFor('b.test'), buildQuery(3, 'c.test', 28)];
    const stream = Buffer.concat(msgs.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 0xff]), Buffer.from(m)]));
    const rnd = new SeededRandom(9);
    for (let round = 0; round < 50; round++) {
      const reader = new DnsTcpReader();
      for (let at = 0; at < stream.length; ) {
        const n = rnd.int(1, 40);
        reader.push(stream.subarray(at, at + n));
        at += n;
      }
      assert.deepEqual(reader.take().map((m) => Buffer.from(m)), msgs.map((m) => Buffer.from(m)));
    }
  });

  test('a gap loses the message it falls in and stops the framing, counted', () => {
    const m = buildQuery(1, 'a.test', 1);
    const reader = new DnsTcpReader();
    reader.push(Uint8Array.from([0, m.length, ...m.subarray(0, 5)]));
    reader.gap(3);
    reader.push(Uint8Array.from([0, m.length, ...m]));
    assert.deepEqual(reader.take(), []);
    assert.deepEqual(reader.counters, { messages: 0, messagesLost: 1, bytesAfterGap: m.length + 2 });
  });
});

describe('DNS query/answer pairing', () => {
  test('by flow, id and question; latency from the query', () => {
    const matcher = new DnsExchangeMatcher();
    matcher.query(1, ok(buildQuery(5, 'a.test', 1)), 1000);
    matcher.query(2, ok(buildQuery(5, 'a.test', 1)), 1500);
    const ex = matcher.response(1, ok(buildMessage({ id: 5, response: true, questions: [{ name: 'A.test', type: 1 }] })), 4000);
    assert.equal(ex.latencyNs, 3000);
    assert.equal(ex.query?.id, 5);
    assert.equal(matcher.pending, 1);
    const late = matcher.response(3, ok(buildMessage({ id: 6, response: true, questions: [{ name: 'b.test', type: 1 }] })), 5000);
    assert.equal(late.query, undefined);
    assert.deepEqual(matcher.expire(1e10, 1e9).map((e) => e.startNs), [1500]);
    assert.deepEqual(matcher.counters, { queries: 2, responses: 2, paired: 1, unmatchedResponses: 1, unanswered: 1, evicted: 0 });
  });

  test('a full table drops its oldest query, counted', () => {
    const matcher = new DnsExchangeMatcher(2);
    for (let i = 0; i < 3; i++) matcher.query(1, ok(buildQuery(i, 'a.test', 1)), i);
    assert.equal(matcher.pending, 2);
    assert.equal(matcher.counters.evicted, 1);
  });
});
