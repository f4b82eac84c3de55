// A message's answers as one line each ("A 203.0.113.7", "CNAME edge.example.test"), as audit records show them.
import { dnsTypeName } from './codes.ts';
import type { DnsMessage, DnsRecord } from './types.ts';

function dataText(rec: DnsRecord): string {
  const d = rec.data;
  switch (d.kind) {
    case 'address':
      return d.address;
    case 'name':
      return d.name;
    case 'mx':
      return `${d.preference} ${d.exchange}`;
    case 'txt':
      return d.strings.map((s) => JSON.stringify(s)).join(' ');
    case 'soa':
      return `${d.mname} ${d.rname} ${d.serial}`;
    case 'srv':
      return `${d.priority} ${d.weight} ${d.port} ${d.target}`;
    case 'caa':
      return `${d.flags} ${d.tag} ${JSON.stringify(d.value)}`;
    case 'svcb': {
      const s = d.svcb;
      const params: string[] = [];
      if (s.alpn) params.push(`alpn=${s.alpn.join(',')}`);
      if (s.noDefaultAlpn) params.push('no-default-alpn');
      if (s.port !== undefined) params.push(`port=${s.port}`);
      if (s.ipv4hint) params.push(`ipv4hint=${s.ipv4hint.join(',')}`);
      if (s.echBytes !== undefined) params.push(`ech=${s.echBytes}B`);
      if (s.ipv6hint) params.push(`ipv6hint=${s.ipv6hint.join(',')}`);
      return [String(s.priority), s.target, ...params].join(' ');
    }
    case 'opt':
      return `udp=${d.udpSize}`;
    case 'raw':
      return `\\# ${d.bytes.length}`;
  }
}

export function dnsAnswersAsText(msg: DnsMessage): string[] {
  return msg.answers.map((rec) => `${dnsTypeName(rec.type)} ${dataText(rec)}`);
}
