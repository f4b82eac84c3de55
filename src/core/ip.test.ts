import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  cidrContains,
  formatCidr,
  formatIp,
  INTERNAL_RANGES,
  ipEquals,
  ipScratch,
  isInternalIp,
  isLoopbackIp,
  parseCidr,
  parseIp,
  parseIpInto,
  qtapDirection,
  type IpAddress,
} from './ip.ts';

function ip(text: string): IpAddress {
  const parsed = parseIp(text);
  assert.ok(parsed, `${text} should parse`);
  return parsed;
}

describe('parseIp / formatIp', () => {
  const valid: Array<[text: string, canonical: string, family: 4 | 6]> = [
    ['0.0.0.0', '0.0.0.0', 4],
    ['1.2.3.4', '1.2.3.4', 4],
    ['255.255.255.255', '255.255.255.255', 4],
    ['10.0.0.1', '10.0.0.1', 4],
    ['::', '::', 6],
    ['::1', '::1', 6],
    ['1::', '1::', 6],
    ['2001:db8::1', '2001:db8::1', 6],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', 6],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', 6],
    ['fe80::1:2', 'fe80::1:2', 6],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8', 6],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0', 6],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8', 6],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3', 6],
    ['0001:0002::', '1:2::', 6],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 6],
    ['::ffff:1.2.3.4', '1.2.3.4', 4],
    ['::FFFF:102:304', '1.2.3.4', 4],
    ['0:0:0:0:0:ffff:10.0.0.1', '10.0.0.1', 4],
    ['::1.2.3.4', '::102:304', 6],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221', 6],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304', 6],
  ];
  for (const [text, canonical, family] of valid) {
    test(`${text} → ${canonical}`, () => {
      const parsed = ip(text);
      assert.equal(parsed.family, family);
      assert.equal(formatIp(parsed), canonical);
      assert.ok(ipEquals(parsed, ip(canonical)), 'round trip');
    });
  }

  const invalid = [
    '', '1', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.04', '1..2.3', '1.2.3.4 ', ' 1.2.3.4', '-1.2.3.4',
    '1.2.3.a', ':', ':::', '1:', ':1', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8',
    'g::1', '::1.2.3', '::1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4', 'fe80::1%eth0', '[::1]', 'example.com', '::ffff:256.1.1.1',
  ];
  for (const text of invalid) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseIp(text), undefined));
  }

  test('parseIpInto fills the caller\'s groups', () => {
    const out = ipScratch();
    assert.equal(parseIpInto('10.1.2.3', out), true);
    assert.deepEqual({ ...out }, { family: 4, g0: 0, g1: 0, g2: 0, g3: 0, g4: 0, g5: 0xffff, g6: 0x0a01, g7: 0x0203 });
    assert.equal(parseIpInto('2001:db8::ff00:42:8329', out), true);
    assert.deepEqual({ ...out }, { family: 6, g0: 0x2001, g1: 0xdb8, g2: 0, g3: 0, g4: 0, g5: 0xff00, g6: 0x42, g7: 0x8329 });
    assert.equal(parseIpInto('nope', out), false);
  });

  test('IPv4 and its IPv4-mapped form are one address; ::1.2.3.4 is not', () => {
    assert.ok(ipEquals(ip('1.2.3.4'), ip('::ffff:1.2.3.4')));
    assert.ok(!ipEquals(ip('1.2.3.4'), ip('::1.2.3.4')));
    assert.ok(!ipEquals(ip('::1'), ip('0.0.0.1')));
  });
});

describe('parseCidr / cidrContains', () => {
  const cases: Array<[cidr: string, canonical: string, inside: string[], outside: string[]]> = [
    ['10.0.0.0/8', '10.0.0.0/8', ['10.0.0.1', '10.255.255.255', '::ffff:10.1.1.1'], ['11.0.0.0', '9.255.255.255', '::a00:1']],
    ['10.1.2.3/8', '10.0.0.0/8', ['10.200.0.0'], ['11.0.0.1']],
    ['192.168.1.0/24', '192.168.1.0/24', ['192.168.1.0', '192.168.1.255'], ['192.168.2.1']],
    ['1.2.3.4/32', '1.2.3.4/32', ['1.2.3.4'], ['1.2.3.5']],
    ['0.0.0.0/0', '0.0.0.0/0', ['1.2.3.4', '255.255.255.255', '::ffff:8.8.8.8'], ['::1', '2001:db8::1']],
    ['172.16.0.0/12', '172.16.0.0/12', ['172.31.255.255', '172.16.0.0'], ['172.32.0.0', '172.15.255.255']],
    ['128.0.0.0/1', '128.0.0.0/1', ['200.1.1.1', '128.0.0.0'], ['127.255.255.255']],
    ['::/0', '::/0', ['::1', '2001:db8::1', 'ffff::'], ['1.2.3.4']],
    ['2001:db8::/32', '2001:db8::/32', ['2001:db8::1', '2001:db8:ffff::'], ['2001:db9::', '::1']],
    ['fe80::/10', 'fe80::/10', ['fe80::1', 'febf::1'], ['fec0::1', 'fe7f::1']],
    ['::1/128', '::1/128', ['::1'], ['::2', '127.0.0.1']],
    ['2001:db8::1:2:3/100', '2001:db8::1:0:0/100', ['2001:db8::1:fff:ffff'], ['2001:db8::2:0:0', '2001:db8::1:1000:0']],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8', ['10.9.9.9'], ['11.0.0.0']],
    ['::ffff:0:0/96', '0.0.0.0/0', ['1.2.3.4'], ['::1']],
  ];
  for (const [text, canonical, inside, outside] of cases) {
    test(text, () => {
      const cidr = parseCidr(text);
      assert.ok(cidr);
      assert.equal(formatCidr(cidr), canonical);
      for (const a of inside) assert.ok(cidrContains(cidr, ip(a)), `${a} in ${text}`);
      for (const a of outside) assert.ok(!cidrContains(cidr, ip(a)), `${a} not in ${text}`);
    });
  }

  for (const text of ['10.0.0.0', '10.0.0.0/', '10.0.0.0/33', '10.0.0.0/08', '10.0.0.0/-1', '::/129', '::/1000', 'x/8', '10.0.0.0/8/8', '/8']) {
    test(`rejects ${text}`, () => assert.equal(parseCidr(text), undefined));
  }
});

describe('internal / loopback classification', () => {
  const table: Array<[address: string, internal: boolean, loopback: boolean]> = [
    ['10.0.0.1', true, false],
    ['10.255.255.255', true, false],
    ['11.0.0.1', false, false],
    ['172.16.0.1', true, false],
    ['172.31.255.255', true, false],
    ['172.32.0.1', false, false],
    ['192.168.0.1', true, false],
    ['192.169.0.1', false, false],
    ['100.64.0.1', true, false],
    ['100.127.255.255', true, false],
    ['100.128.0.1', false, false],
    ['169.254.169.254', true, false],
    ['127.0.0.1', true, true],
    ['127.255.0.9', true, true],
    ['0.0.0.0', true, false],
    ['0.0.0.1', false, false],
    ['8.8.8.8', false, false],
    ['93.184.216.34', false, false],
    ['::ffff:192.168.1.1', true, false],
    ['::ffff:127.0.0.1', true, true],
    ['::1', true, true],
    ['::', true, false],
    ['fc00::1', true, false],
    ['fd12:3456::1', true, false],
    ['fe80::1', true, false],
    ['febf::1', true, false],
    ['fec0::1', false, false],
    ['2001:4860:4860::8888', false, false],
    ['::2', false, false],
  ];
  for (const [address, internal, loopback] of table) {
    test(`${address}: internal=${internal} loopback=${loopback}`, () => {
      assert.equal(isInternalIp(ip(address)), internal);
      assert.equal(isLoopbackIp(ip(address)), loopback);
    });
  }

  test('every documented range parses and has a label', () => {
    for (const r of INTERNAL_RANGES) {
      assert.ok(parseCidr(r.cidr), r.cidr);
      assert.ok(r.label.length > 0);
    }
  });
});

describe('qtapDirection', () => {
  const table: Array<[direction: 'egress' | 'ingress', remote: string | undefined, expected: string]> = [
    ['ingress', '8.8.8.8', 'ingress'],
    ['ingress', '10.0.0.1', 'ingress'],
    ['ingress', undefined, 'ingress'],
    ['egress', '10.0.0.1', 'egress-internal'],
    ['egress', '127.0.0.1', 'egress-internal'],
    ['egress', '::1', 'egress-internal'],
    ['egress', 'fd00::5', 'egress-internal'],
    ['egress', '::ffff:192.168.1.9', 'egress-internal'],
    ['egress', '8.8.8.8', 'egress-external'],
    ['egress', '2606:4700::1111', 'egress-external'],
    ['egress', undefined, 'egress-external'],
    ['egress', 'not-an-ip', 'egress-external'],
    ['egress', '', 'egress-external'],
  ];
  for (const [direction, remote, expected] of table) {
    test(`${direction} to ${remote} → ${expected}`, () => assert.equal(qtapDirection(direction, remote), expected));
  }
});
