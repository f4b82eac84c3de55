// One DNS message (RFC 1035 §4) from its bytes: header, questions and the three record sections, with name
// compression. Pure; a malformed message is an 'invalid' result naming the offset, never an exception.
// Bounded by construction: every read is checked against the message length, a name is at most 255 bytes
// and 127 labels, and compression pointers must point strictly backwards (so they cannot loop).

import { formatAddress } from '../../core/address-text.ts';
import type { ParseResult } from '../contract.ts';
import { DNS_TYPE } from './codes.ts';
import type { DnsMessage, DnsQuestion, DnsRecord, DnsRecordData, SvcbData } from './types.ts';

const HEADER_BYTES = 12;
const MAX_NAME_BYTES = 255;
const MAX_LABELS = 127;
const AF_INET = 2;
const AF_INET6 = 10;

/** Thrown only inside this module and turned into an 'invalid' result at its one entry point. */
class Malformed {
  readonly reason: string;
  readonly at: number;
  constructor(reason: string, at: number) {
    this.reason = reason;
    this.at = at;
  }
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

class Reader {
  readonly b: Uint8Array;
  at = 0;
  constructor(b: Uint8Array) {
    this.b = b;
  }
  need(n: number, what: string): void {
    if (this.at + n > this.b.length) throw new Malformed(`${what} runs past the end of the message`, this.at);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.b[this.at++];
  }
  u16(what: string): number {
    this.need(2, what);
    const v = (this.b[this.at] << 8) | this.b[this.at + 1];
    this.at += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = ((this.b[this.at] << 24) >>> 0) + ((this.b[this.at + 1] << 16) | (this.b[this.at + 2] << 8) | this.b[this.at + 3]);
    this.at += 4;
    return v;
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  /** A possibly compressed name starting here; the reader moves past its in-place part only. */
  name(what: string): string {
    const { text, end } = readName(this.b, this.at, what);
    this.at = end;
    return text;
  }
}

/** Labels joined with '.', no trailing dot; pointers must point before the label that holds them. */
function readName(b: Uint8Array, start: number, what: string): { text: string; end: number } {
  const labels: string[] = [];
  let at = start;
  let end = -1;
  let bytes = 0;
  let floor = start; // a pointer must go below every position seen so far
  for (;;) {
    if (at >= b.length) throw new Malformed(`${what}: name runs past the end`, at);
    const len = b[at];
    if (len === 0) {
      if (end < 0) end = at + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (at + 1 >= b.length) throw new Malformed(`${what}: truncated compression pointer`, at);
      const target = ((len & 0x3f) << 8) | b[at + 1];
      if (target >= floor) throw new Malformed(`${what}: compression pointer does not point backwards`, at);
      if (end < 0) end = at + 2;
      floor = target;
      at = target;
      continue;
    }
    if (kind !== 0) throw new Malformed(`${what}: unknown label type 0x${kind.toString(16)}`, at);
    if (at + 1 + len > b.length) throw new Malformed(`${what}: label runs past the end`, at);
    bytes += len + 1;
    if (bytes > MAX_NAME_BYTES || labels.length >= MAX_LABELS) throw new Malformed(`${what}: name longer than 255 bytes`, at);
    labels.push(latin1.decode(b.subarray(at + 1, at + 1 + len)));
    at += 1 + len;
  }
  return { text: labels.join('.'), end };
}

function address(bytes: Uint8Array): string {
  return formatAddress(bytes.length === 4 ? AF_INET : AF_INET6, bytes);
}

function characterStrings(r: Reader, end: number, what: string): string[] {
  const out: string[] = [];
  while (r.at < end) {
    const len = r.u8(what);
    if (r.at + len > end) throw new Malformed(`${what}: string runs past its record`, r.at);
    out.push(utf8.decode(r.bytes(len, what)));
  }
  return out;
}

function svcb(r: Reader, end: number): SvcbData {
  const priority = r.u16('SVCB priority');
  const target = r.name('SVCB target') || '.';
  const data: SvcbData = { priority, target };
  while (r.at < end) {
    const key = r.u16('SVCB key');
    const len = r.u16('SVCB value length');
    if (r.at + len > end) throw new Malformed('SVCB value runs past its record', r.at);
    const v = r.bytes(len, 'SVCB value');
    switch (key) {
      case 0: {
        const keys: number[] = [];
        for (let i = 0; i + 1 < v.length; i += 2) keys.push((v[i] << 8) | v[i + 1]);
        data.mandatory = keys;
        break;
      }
      case 1: {
        const ids: string[] = [];
        for (let i = 0; i < v.length; ) {
          const n = v[i];
          ids.push(latin1.decode(v.subarray(i + 1, i + 1 + n)));
          i += 1 + n;
        }
        data.alpn = ids;
        break;
      }
      case 2:
        data.noDefaultAlpn = true;
        break;
      case 3:
        if (v.length === 2) data.port = (v[0] << 8) | v[1];
        break;
      case 4:
        data.ipv4hint = [];
        for (let i = 0; i + 4 <= v.length; i += 4) data.ipv4hint.push(address(v.subarray(i, i + 4)));
        break;
      case 5:
        data.echBytes = v.length;
        break;
      case 6:
        data.ipv6hint = [];
        for (let i = 0; i + 16 <= v.length; i += 16) data.ipv6hint.push(address(v.subarray(i, i + 16)));
        break;
    }
  }
  return data;
}

function recordData(r: Reader, type: number, cls: number, ttl: number, len: number): DnsRecordData {
  const end = r.at + len;
  r.need(len, 'record data');
  const what = 'record data';
  let data: DnsRecordData;
  switch (type) {
    case DNS_TYPE.A:
    case DNS_TYPE.AAAA:
      if (len !== (type === DNS_TYPE.A ? 4 : 16)) throw new Malformed(`an ${type === DNS_TYPE.A ? 'A' : 'AAAA'} record of ${len} bytes`, r.at);
      data = { kind: 'address', address: address(r.bytes(len, what)) };
      break;
    case DNS_TYPE.CNAME:
    case DNS_TYPE.NS:
    case DNS_TYPE.PTR:
    case DNS_TYPE.DNAME:
      data = { kind: 'name', name: r.name(what) };
      break;
    case DNS_TYPE.MX:
      data = { kind: 'mx', preference: r.u16(what), exchange: r.name(what) };
      break;
    case DNS_TYPE.TXT:
      data = { kind: 'txt', strings: characterStrings(r, end, 'TXT') };
      break;
    case DNS_TYPE.SOA:
      data = { kind: 'soa', mname: r.name(what), rname: r.name(what), serial: r.u32(what), refresh: r.u32(what), retry: r.u32(what), expire: r.u32(what), minimum: r.u32(what) };
      break;
    case DNS_TYPE.SRV:
      data = { kind: 'srv', priority: r.u16(what), weight: r.u16(what), port: r.u16(what), target: r.name(what) };
      break;
    case DNS_TYPE.CAA: {
      const flags = r.u8(what);
      const tagLen = r.u8(what);
      const tag = latin1.decode(r.bytes(tagLen, what));
      if (r.at > end) throw new Malformed('CAA tag runs past its record', r.at);
      data = { kind: 'caa', flags, tag, value: utf8.decode(r.bytes(end - r.at, what)) };
      break;
    }
    case DNS_TYPE.SVCB:
    case DNS_TYPE.HTTPS:
      data = { kind: 'svcb', svcb: svcb(r, end) };
      break;
    case DNS_TYPE.OPT:
      data = { kind: 'opt', udpSize: cls, extendedRcode: ttl >>> 24, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0 };
      break;
    default:
      data = { kind: 'raw', bytes: r.bytes(len, what) };
  }
  if (r.at !== end) {
    if (r.at > end) throw new Malformed(`record data longer than its length ${len}`, end);
    r.at = end; // e.g. OPT options: not needed
  }
  return data;
}

function records(r: Reader, count: number, section: string): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (let i = 0; i < count; i++) {
    // The smallest record (root name, no data) is 11 bytes: a count the rest cannot hold is refused up front.
    if (r.at + 11 > r.b.length) throw new Malformed(`${section} section: record ${i + 1} of ${count} runs past the end`, r.at);
    const name = r.name(`${section} record name`);
    const type = r.u16('record type');
    const cls = r.u16('record class');
    const ttl = r.u32('record TTL');
    const len = r.u16('record data length');
    out.push({ name, type, class: cls, ttl, data: recordData(r, type, cls, ttl, len) });
  }
  return out;
}

/** Parses one whole DNS message (a UDP datagram's payload, or a TCP message without its length prefix). */
export function parseDnsMessage(bytes: Uint8Array): ParseResult<DnsMessage> {
  if (bytes.length < HEADER_BYTES) return { kind: 'invalid', reason: `${bytes.length} bytes is shorter than a DNS header`, at: 0 };
  const r = new Reader(bytes);
  try {
    const id = r.u16('id');
    const flags = r.u16('flags');
    const qd = r.u16('question count');
    const an = r.u16('answer count');
    const ns = r.u16('authority count');
    const ar = r.u16('additional count');
    const questions: DnsQuestion[] = [];
    for (let i = 0; i < qd; i++) {
      if (r.at + 5 > bytes.length) throw new Malformed(`question ${i + 1} of ${qd} runs past the end`, r.at);
      questions.push({ name: r.name('question name'), type: r.u16('question type'), class: r.u16('question class') });
    }
    const msg: DnsMessage = {
      id,
      response: (flags & 0x8000) !== 0,
      opcode: (flags >> 11) & 0xf,
      authoritative: (flags & 0x0400) !== 0,
      truncated: (flags & 0x0200) !== 0,
      recursionDesired: (flags & 0x0100) !== 0,
      recursionAvailable: (flags & 0x0080) !== 0,
      authenticData: (flags & 0x0020) !== 0,
      checkingDisabled: (flags & 0x0010) !== 0,
      rcode: flags & 0xf,
      questions,
      answers: records(r, an, 'answer'),
      authority: records(r, ns, 'authority'),
      additional: records(r, ar, 'additional'),
    };
    const opt = msg.additional.find((rec) => rec.type === DNS_TYPE.OPT);
    if (opt !== undefined && opt.data.kind === 'opt') {
      msg.rcode |= opt.data.extendedRcode << 4;
      msg.edns = { udpSize: opt.data.udpSize, version: opt.data.version, dnssecOk: opt.data.dnssecOk };
    }
    return { kind: 'ok', frame: msg, consumed: r.at };
  } catch (err) {
    if (err instanceof Malformed) return { kind: 'invalid', reason: err.reason, at: err.at };
    throw err;
  }
}
