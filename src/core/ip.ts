// IP addresses as eight 16-bit groups, so that rules can compare addresses and test CIDR membership without
// allocating (16-bit values are always small integers to V8; 32-bit words would be boxed doubles), and the
// internal/external split that Qtap's `egress-internal` / `egress-external` rests on. An IPv4 address is kept in
// its IPv4-mapped IPv6 form (::ffff:a.b.c.d) with family 4, so `1.2.3.4` and `::ffff:1.2.3.4` (what a dual-stack
// socket reports) are the same address, as they are to Go's net.IP.

/** The 128-bit address as big-endian 16-bit groups; family 4 means g0..g5 are 0, 0, 0, 0, 0, 0xffff. */
export interface IpGroups {
  family: 4 | 6;
  g0: number;
  g1: number;
  g2: number;
  g3: number;
  g4: number;
  g5: number;
  g6: number;
  g7: number;
}

export class IpAddress implements IpGroups {
  readonly family: 4 | 6;
  readonly g0: number;
  readonly g1: number;
  readonly g2: number;
  readonly g3: number;
  readonly g4: number;
  readonly g5: number;
  readonly g6: number;
  readonly g7: number;

  constructor(ip: Readonly<IpGroups>) {
    this.family = ip.family;
    this.g0 = ip.g0;
    this.g1 = ip.g1;
    this.g2 = ip.g2;
    this.g3 = ip.g3;
    this.g4 = ip.g4;
    this.g5 = ip.g5;
    this.g6 = ip.g6;
    this.g7 = ip.g7;
  }
}

/** A network: `prefix` counts bits of the family's own width (≤ 32 for IPv4, ≤ 128 for IPv6). */
export class Cidr {
  readonly family: 4 | 6;
  readonly prefix: number;
  /** Per-group masks over the 128-bit form, and the base address with host bits cleared. */
  readonly m: readonly number[];
  readonly base: Readonly<IpGroups>;

  constructor(base: Readonly<IpGroups>, prefix: number) {
    this.family = base.family;
    this.prefix = prefix;
    const bits = base.family === 4 ? prefix + 96 : prefix;
    const m = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => groupMask(bits - 16 * k));
    this.m = m;
    this.base = {
      family: base.family,
      g0: base.g0 & m[0],
      g1: base.g1 & m[1],
      g2: base.g2 & m[2],
      g3: base.g3 & m[3],
      g4: base.g4 & m[4],
      g5: base.g5 & m[5],
      g6: base.g6 & m[6],
      g7: base.g7 & m[7],
    };
  }
}

/** The leading `bits` (clamped to 0..16) of a 16-bit group set. */
function groupMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 16) return 0xffff;
  return (0xffff << (16 - bits)) & 0xffff;
}

const DOT = 46;
const COLON = 58;

function digitAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57 ? c - 48 : -1;
}

function hexDigitAt(text: string, i: number): number {
  const c = text.charCodeAt(i) | 0x20;
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

// Where parseIpv4Range leaves its result: a returned number above 2^30 would be boxed (allocated) by V8.
const ipv4Result = new Uint32Array(1);

/** Dotted-quad text[from, to) → ipv4Result[0]; false when it is not one. Leading zeros are refused, as Go does. */
function parseIpv4Range(text: string, from: number, to: number): boolean {
  let value = 0;
  let i = from;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= to || text.charCodeAt(i) !== DOT) return false;
      i++;
    }
    const start = i;
    let n = 0;
    while (i < to && digitAt(text, i) >= 0) {
      n = n * 10 + digitAt(text, i);
      i++;
      if (i - start > 3) return false;
    }
    if (i === start || n > 255 || (i - start > 1 && text.charCodeAt(start) === 48)) return false;
    value = value * 256 + n;
  }
  ipv4Result[0] = value;
  return i === to;
}

// Groups of the IPv6 address being parsed; parsing is synchronous, so one scratch array serves every call.
const groups = new Uint16Array(8);

function parseIpv6Into(text: string, out: IpGroups): boolean {
  const len = text.length;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
  }
  while (i < len) {
    if (count === 8) return false;
    const start = i;
    let value = 0;
    while (i < len && hexDigitAt(text, i) >= 0 && i - start < 5) {
      value = value * 16 + hexDigitAt(text, i);
      i++;
    }
    if (i < len && text.charCodeAt(i) === DOT) {
      // An embedded IPv4 address ends the text and fills the last two groups.
      if (!parseIpv4Range(text, start, len) || count > 6) return false;
      groups[count++] = ipv4Result[0] >>> 16;
      groups[count++] = ipv4Result[0] & 0xffff;
      i = len;
      break;
    }
    if (i === start || i - start > 4) return false;
    groups[count++] = value;
    if (i === len) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === len) {
      return false;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  if (gap >= 0) {
    // Move the groups after "::" to the end and zero the run it stands for.
    const tail = count - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k];
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  out.g0 = groups[0];
  out.g1 = groups[1];
  out.g2 = groups[2];
  out.g3 = groups[3];
  out.g4 = groups[4];
  out.g5 = groups[5];
  out.g6 = groups[6];
  out.g7 = groups[7];
  const mapped = (groups[0] | groups[1] | groups[2] | groups[3] | groups[4]) === 0 && groups[5] === 0xffff;
  out.family = mapped ? 4 : 6;
  return true;
}

/**
 * Parses IPv4 or IPv6 text (no zone, no brackets) into `out` without allocating; false when it is not an address.
 * IPv4-mapped IPv6 comes out as family 4.
 */
export function parseIpInto(text: string, out: IpGroups): boolean {
  if (text.indexOf(':') >= 0) return parseIpv6Into(text, out);
  if (!parseIpv4Range(text, 0, text.length)) return false;
  out.family = 4;
  out.g0 = 0;
  out.g1 = 0;
  out.g2 = 0;
  out.g3 = 0;
  out.g4 = 0;
  out.g5 = 0xffff;
  out.g6 = ipv4Result[0] >>> 16;
  out.g7 = ipv4Result[0] & 0xffff;
  return true;
}

/** A fresh scratch for parseIpInto. */
export function ipScratch(): IpGroups {
  return { family: 4, g0: 0, g1: 0, g2: 0, g3: 0, g4: 0, g5: 0, g6: 0, g7: 0 };
}

const parseScratch = ipScratch();

export function parseIp(text: string): IpAddress | undefined {
  return parseIpInto(text, parseScratch) ? new IpAddress(parseScratch) : undefined;
}

/** `addr/prefix`; host bits are cleared (as Go's ParseCIDR does). A v4-mapped base with prefix ≥ 96 is an IPv4 network. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const digits = text.length - slash - 1;
  if (digits < 1 || digits > 3 || (digits > 1 && text.charCodeAt(slash + 1) === 48)) return undefined;
  let prefix = 0;
  for (let i = slash + 1; i < text.length; i++) {
    const d = digitAt(text, i);
    if (d < 0) return undefined;
    prefix = prefix * 10 + d;
  }
  if (!parseIpInto(text.slice(0, slash), parseScratch)) return undefined;
  if (parseScratch.family === 4 && text.indexOf(':') >= 0) {
    // Written as IPv6 (::ffff:a.b.c.d/NN): the prefix counts IPv6 bits.
    if (prefix > 128) return undefined;
    if (prefix < 96) parseScratch.family = 6;
    else prefix -= 96;
  }
  if (prefix > (parseScratch.family === 4 ? 32 : 128)) return undefined;
  return new Cidr(parseScratch, prefix);
}

export function cidrContains(cidr: Cidr, ip: Readonly<IpGroups>): boolean {
  const { m, base } = cidr;
  if (cidr.family !== ip.family || (ip.g7 & m[7]) !== base.g7 || (ip.g6 & m[6]) !== base.g6) return false;
  // Family 4 fixes g0..g5 (the ::ffff: prefix) on both sides.
  if (ip.family === 4) return true;
  return (
    (ip.g0 & m[0]) === base.g0 &&
    (ip.g1 & m[1]) === base.g1 &&
    (ip.g2 & m[2]) === base.g2 &&
    (ip.g3 & m[3]) === base.g3 &&
    (ip.g4 & m[4]) === base.g4 &&
    (ip.g5 & m[5]) === base.g5
  );
}

export function ipEquals(a: Readonly<IpGroups>, b: Readonly<IpGroups>): boolean {
  return (
    a.family === b.family && a.g7 === b.g7 && a.g6 === b.g6 && a.g5 === b.g5 && a.g4 === b.g4 &&
    a.g3 === b.g3 && a.g2 === b.g2 && a.g1 === b.g1 && a.g0 === b.g0
  );
}

/** Dotted quad for IPv4, RFC 5952 text for IPv6 (lowercase, the longest run of two or more zero groups as "::"). */
export function formatIp(ip: Readonly<IpGroups>): string {
  if (ip.family === 4) return `${ip.g6 >>> 8}.${ip.g6 & 0xff}.${ip.g7 >>> 8}.${ip.g7 & 0xff}`;
  const g = [ip.g0, ip.g1, ip.g2, ip.g3, ip.g4, ip.g5, ip.g6, ip.g7];
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (part: number[]): string => part.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.base)}/${cidr.prefix}`;
}

/** What counts as "internal" (Qtap: a private destination makes a connection egress-internal). */
export const INTERNAL_RANGES: readonly { readonly cidr: string; readonly label: string }[] = [
  { cidr: '10.0.0.0/8', label: 'private (RFC 1918)' },
  { cidr: '172.16.0.0/12', label: 'private (RFC 1918)' },
  { cidr: '192.168.0.0/16', label: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', label: 'carrier-grade NAT (RFC 6598)' },
  { cidr: '169.254.0.0/16', label: 'link-local (RFC 3927)' },
  { cidr: '127.0.0.0/8', label: 'loopback' },
  { cidr: '0.0.0.0/32', label: 'unspecified' },
  { cidr: 'fc00::/7', label: 'unique local (RFC 4193)' },
  { cidr: 'fe80::/10', label: 'link-local' },
  { cidr: '::1/128', label: 'loopback' },
  { cidr: '::/128', label: 'unspecified' },
];

function compileRange(text: string): Cidr {
  const cidr = parseCidr(text);
  if (cidr === undefined) throw new Error(`bad built-in range ${text}`);
  return cidr;
}

const INTERNAL_CIDRS: readonly Cidr[] = INTERNAL_RANGES.map((r) => compileRange(r.cidr));
const LOOPBACK_CIDRS: readonly Cidr[] = [compileRange('127.0.0.0/8'), compileRange('::1/128')];

export function isLoopbackIp(ip: Readonly<IpGroups>): boolean {
  return cidrContains(LOOPBACK_CIDRS[0], ip) || cidrContains(LOOPBACK_CIDRS[1], ip);
}

export function isInternalIp(ip: Readonly<IpGroups>): boolean {
  for (const cidr of INTERNAL_CIDRS) if (cidrContains(cidr, ip)) return true;
  return false;
}

export type QtapDirection = 'ingress' | 'egress-internal' | 'egress-external';

const directionScratch = ipScratch();

/**
 * Qtap's three-way direction: accepted connections are ingress; an outgoing one is egress-internal when its
 * destination is in INTERNAL_RANGES and egress-external otherwise, which includes an unknown or unparsable
 * remote address (Qtap's rule reads "internal when private, else external").
 */
export function qtapDirection(direction: 'egress' | 'ingress', remoteIp: string | undefined): QtapDirection {
  if (direction === 'ingress') return 'ingress';
  if (remoteIp !== undefined && parseIpInto(remoteIp, directionScratch) && isInternalIp(directionScratch)) {
    return 'egress-internal';
  }
  return 'egress-external';
}
