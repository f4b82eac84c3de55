import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DNS_TYPE, parseDnsMessage, type DnsMessage } from '../protocols/dns/index.ts';
import { buildMessage, rdata } from '../protocols/dns/message-builder-fixture.ts';
import { DnsAddressBook } from './dns-address-book.ts';

const msg = (bytes: Uint8Array) => (parseDnsMessage(bytes) as { frame: DnsMessage }).frame;

test('an address maps to the name asked, through a CNAME chain, for its TTL (clamped)', () => {
  const book = new DnsAddressBook();
  book.learn(msg(buildMessage({
    id: 1,
    response: true,
    questions: [{ name: 'API.example.test', type: DNS_TYPE.A }],
    answers: [
      { name: 'api.example.test', type: DNS_TYPE.CNAME, data: rdata.name('edge.cdn.test') },
      { name: 'edge.cdn.test', type: DNS_TYPE.A, ttl: 1, data: rdata.a('203.0.113.7') },
      { name: 'edge.cdn.test', type: DNS_TYPE.HTTPS, ttl: 600, data: rdata.svcb(1, '', [[4, [203, 0, 113, 8]]]) },
    ],
  })), 0);
  assert.equal(book.lookup('203.0.113.7', 4_000), 'api.example.test', 'a 1 s TTL lives 5 s');
  assert.equal(book.lookup('203.0.113.7', 6_000), undefined);
  assert.equal(book.lookup('203.0.113.8', 6_000), 'api.example.test', 'from the HTTPS record\'s ipv4hint');
  assert.deepEqual(book.counters, { learnt: 2, evicted: 0, hits: 2, expired: 1 });
});

test('NXDOMAIN and queries teach nothing; a full book evicts its oldest address', () => {
  const book = new DnsAddressBook(2);
  book.learn(msg(buildMessage({ id: 1, response: true, rcode: 3, questions: [{ name: 'x.test', type: 1 }] })), 0);
  assert.equal(book.size, 0);
  for (const [i, ip] of ['198.51.100.1', '198.51.100.2', '198.51.100.3'].entries()) {
    book.learn(msg(buildMessage({ id: i, response: true, questions: [{ name: `n${i}.test`, type: 1 }], answers: [{ name: `n${i}.test`, type: 1, data: rdata.a(ip) }] })), 0);
  }
  assert.equal(book.lookup('198.51.100.1', 0), undefined);
  assert.equal(book.lookup('198.51.100.3', 0), 'n2.test');
  assert.equal(book.counters.evicted, 1);
});
