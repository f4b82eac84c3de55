// Test-only: DNS messages built from parts (uncompressed names, except where a test asks for a pointer), so
// tests can state exactly which bytes they feed the parser.

export interface BuiltRecord {
  name: string;
  type: number;
  ttl?: number;
  cls?: number;
  /** Raw record data. */
  data: Uint8Array;
}

export function encodeName(name: string): number[] {
  const out: number[] = [];
  if (name !== '') for (const label of name.split('.')) out.push(label.length, ...Buffer.from(label, 'latin1'));
  out.push(0);
  return out;
}

const u16 = (v: number) => [v >> 8, v & 0xff];
const u32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

export function buildMessage(opts: {
  id: number;
  response?: boolean;
  rcode?: number;
  flags?: number;
  questions?: Array<{ name: string; type: number }>;
  answers?: BuiltRecord[];
  authority?: BuiltRecord[];
  additional?: BuiltRecord[];
}): Uint8Array {
  const flags = (opts.flags ?? 0x0100) | (opts.response ? 0x8080 : 0) | (opts.rcode ?? 0);
  const qs = opts.questions ?? [];
  const sections = [opts.answers ?? [], opts.authority ?? [], opts.additional ?? []];
  const out = [...u16(opts.id), ...u16(flags), ...u16(qs.length), ...sections.flatMap((s) => u16(s.length))];
  for (const q of qs) out.push(...encodeName(q.name), ...u16(q.type), ...u16(1));
  for (const s of sections) {
    for (const r of s) out.push(...encodeName(r.name), ...u16(r.type), ...u16(r.cls ?? 1), ...u32(r.ttl ?? 300), ...u16(r.data.length), ...r.data);
  }
  return Uint8Array.from(out);
}

export const rdata = {
  a: (ip: string) => Uint8Array.from(ip.split('.').map(Number)),
  name: (n: string) => Uint8Array.from(encodeName(n)),
  txt: (...strings: string[]) => Uint8Array.from(strings.flatMap((s) => [Buffer.byteLength(s), ...Buffer.from(s)])),
  mx: (pref: number, n: string) => Uint8Array.from([...u16(pref), ...encodeName(n)]),
  srv: (prio: number, weight: number, port: number, n: string) => Uint8Array.from([...u16(prio), ...u16(weight), ...u16(port), ...encodeName(n)]),
  svcb: (prio: number, target: string, params: Array<[key: number, value: number[]]>) =>
    Uint8Array.from([...u16(prio), ...encodeName(target), ...params.flatMap(([k, v]) => [...u16(k), ...u16(v.length), ...v])]),
};

/** A query as a stub resolver sends it (RD set, one question). */
export function buildQuery(id: number, name: string, type: number): Uint8Array {
  return buildMessage({ id, questions: [{ name, type }] });
}
