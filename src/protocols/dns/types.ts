// The shapes the DNS parser hands out. Names are as sent (case kept), without the trailing dot; the root is ''.

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface SvcbData {
  priority: number;
  /** '.' for the owner name itself (alias form target '' is shown as '.'). */
  target: string;
  alpn?: string[];
  port?: number;
  ipv4hint?: string[];
  ipv6hint?: string[];
  /** Bytes of the encrypted ClientHello config, when present. */
  echBytes?: number;
  mandatory?: number[];
  noDefaultAlpn?: boolean;
}

export type DnsRecordData =
  | { kind: 'address'; address: string }
  | { kind: 'name'; name: string }
  | { kind: 'mx'; preference: number; exchange: string }
  | { kind: 'txt'; strings: string[] }
  | { kind: 'soa'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { kind: 'srv'; priority: number; weight: number; port: number; target: string }
  | { kind: 'caa'; flags: number; tag: string; value: string }
  | { kind: 'svcb'; svcb: SvcbData }
  | { kind: 'opt'; udpSize: number; extendedRcode: number; version: number; dnssecOk: boolean }
  | { kind: 'raw'; bytes: Uint8Array };

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: DnsRecordData;
}

export interface DnsMessage {
  id: number;
  /** A response (QR bit). */
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  authenticData: boolean;
  checkingDisabled: boolean;
  /** The full response code: the header's 4 bits and, with EDNS, the OPT record's upper 8. */
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  /** EDNS (the OPT pseudo-record), when present. */
  edns?: { udpSize: number; version: number; dnssecOk: boolean };
}
