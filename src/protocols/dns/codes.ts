// DNS's numbers as the names people read (RFC 1035, 3596, 6891, 9460 and the IANA registries).

const TYPES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR',
  39: 'DNAME', 41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY', 257: 'CAA',
};

const RCODES: readonly string[] = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

const CLASSES: Readonly<Record<number, string>> = { 1: 'IN', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY' };

export const DNS_TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, DNAME: 39, OPT: 41, SVCB: 64, HTTPS: 65, CAA: 257 } as const;

/** 'A', 'HTTPS', … and 'TYPE65534' for types without a mnemonic (RFC 3597). */
export function dnsTypeName(type: number): string {
  return TYPES[type] ?? `TYPE${type}`;
}

/** 'NOERROR', 'NXDOMAIN', … and 'RCODE23' for the rest (BADVERS is 16 with EDNS). */
export function dnsRcodeName(rcode: number): string {
  if (rcode === 16) return 'BADVERS';
  return RCODES[rcode] ?? `RCODE${rcode}`;
}

export function dnsClassName(cls: number): string {
  return CLASSES[cls] ?? `CLASS${cls}`;
}
