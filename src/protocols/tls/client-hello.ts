// The server name (SNI) of a TLS ClientHello: the first bytes a TLS client sends, seen in the clear before
// any key exchange. A pure function over bytes; anything that is not a well-formed ClientHello with a
// server_name extension gives undefined, never an exception. Only the first record is read (a ClientHello
// larger than one record, rare, yields nothing).
//
// record:    type(1)=22 version(2) length(2) | handshake: type(1)=1 length(3) | version(2) random(32)
//            session_id<1> cipher_suites<2> compression_methods<1> extensions<2>
// extension: type(2) length(2) data; server_name (0): list<2> of { name_type(1)=0 host_name<2> }

const HANDSHAKE = 22;
const CLIENT_HELLO = 1;
const SERVER_NAME = 0;
const HOST_NAME = 0;

export function clientHelloServerName(bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  const u16 = (at: number) => (bytes[at] << 8) | bytes[at + 1];
  if (n < 9 || bytes[0] !== HANDSHAKE || bytes[1] !== 3 || bytes[5] !== CLIENT_HELLO) return undefined;
  const recordEnd = Math.min(n, 5 + u16(3));
  let at = 9 + 2 + 32; // handshake header, client version, random
  if (at + 1 > recordEnd) return undefined;
  at += 1 + bytes[at]; // session id
  if (at + 2 > recordEnd) return undefined;
  at += 2 + u16(at); // cipher suites
  if (at + 1 > recordEnd) return undefined;
  at += 1 + bytes[at]; // compression methods
  if (at + 2 > recordEnd) return undefined;
  const extEnd = Math.min(recordEnd, at + 2 + u16(at));
  at += 2;
  while (at + 4 <= extEnd) {
    const type = u16(at);
    const len = u16(at + 2);
    at += 4;
    if (at + len > extEnd) return undefined;
    if (type === SERVER_NAME) return hostName(bytes, at, at + len);
    at += len;
  }
  return undefined;
}

function hostName(bytes: Uint8Array, at: number, end: number): string | undefined {
  if (at + 2 > end) return undefined;
  const listEnd = Math.min(end, at + 2 + ((bytes[at] << 8) | bytes[at + 1]));
  at += 2;
  while (at + 3 <= listEnd) {
    const type = bytes[at];
    const len = (bytes[at + 1] << 8) | bytes[at + 2];
    at += 3;
    if (at + len > listEnd) return undefined;
    if (type === HOST_NAME) return asciiHost(bytes, at, at + len);
    at += len;
  }
  return undefined;
}

/** Host names are ASCII (IDNs travel as punycode); anything else is not a name we report. */
function asciiHost(bytes: Uint8Array, from: number, to: number): string | undefined {
  if (to === from || to - from > 253) return undefined;
  let s = '';
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    if (c <= 0x20 || c >= 0x7f) return undefined;
    s += String.fromCharCode(c);
  }
  return s.toLowerCase();
}
