// What a Go executable says about itself: its toolchain version (.go.buildinfo) and where its functions are
// (.gopclntab, the runtime's own function table, which `strip` and `-ldflags=-s -w` keep because tracebacks
// need it). Symbols are not required: most Go binaries shipped in containers are stripped.

import { formatError, readAt, readSection, sectionByName } from './elf-file.ts';
import { SHT, type ElfFile, type ElfResult, type ElfSection } from './elf-types.ts';

export interface GoFunction {
  /** Virtual address of the first instruction. */
  entry: bigint;
  /** Bytes up to the next function's entry (padding included). */
  size: number;
  /** Where the function's code is in the file (what a uprobe by offset needs). */
  fileOffset: number;
}

export interface GoBinaryInfo {
  /** "go1.19.8"; undefined when the build info is missing or unreadable. */
  version?: string;
  /** The functions asked for that the table defines. */
  functions: Map<string, GoFunction>;
}

const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** The runtime's function table is at most this large in any real binary (a 1 GiB binary has ~100 MiB). */
const MAX_PCLNTAB_BYTES = 256 << 20;

// pclntab header magics: Go 1.16–1.17, Go 1.18–1.19, Go 1.20 and later (same layout as 1.18).
const PCLN_GO116 = 0xfffffffa;
const PCLN_GO118 = 0xfffffff0;
const PCLN_GO120 = 0xfffffff1;

/** True when the file carries Go's build info or function table: cheap, section headers only. */
export function isGoBinary(elf: ElfFile): boolean {
  return sectionByName(elf, '.go.buildinfo') !== undefined || sectionByName(elf, '.gopclntab') !== undefined;
}

/** The Go version and the named functions of a Go executable; undefined when it is not one. */
export function readGoBinary(elf: ElfFile, names: readonly string[]): ElfResult<GoBinaryInfo | undefined> {
  if (!isGoBinary(elf)) return { ok: true, value: undefined };
  const info: GoBinaryInfo = { functions: new Map() };
  const version = readBuildVersion(elf);
  if (!version.ok) return version;
  if (version.value !== undefined) info.version = version.value;
  const pcln = sectionByName(elf, '.gopclntab');
  if (pcln === undefined) return formatError(elf.path, 'unsupported', 'a Go binary without a .gopclntab section (PIE built by an external linker?)');
  const table = readSection(elf, pcln, MAX_PCLNTAB_BYTES);
  if (!table.ok) return table;
  const found = functionTable(elf, table.value, new Set(names));
  if (!found.ok) return found;
  info.functions = found.value;
  return { ok: true, value: info };
}

/** The toolchain version: inline after the header since Go 1.18, behind two pointers before that. */
function readBuildVersion(elf: ElfFile): ElfResult<string | undefined> {
  const section = sectionByName(elf, '.go.buildinfo');
  if (section === undefined) return { ok: true, value: undefined };
  const head = readAt(elf, section.offset, Math.min(section.size, 64));
  if (!head.ok) return head;
  const b = head.value;
  if (b.length < 32 || !b.subarray(0, BUILDINFO_MAGIC.length).equals(BUILDINFO_MAGIC)) return { ok: true, value: undefined };
  const ptrSize = b[14];
  const flags = b[15];
  if (flags & 2) {
    const text = readAt(elf, section.offset + 32, Math.min(section.size - 32, 64));
    if (!text.ok) return text;
    const [len, at] = uvarint(text.value, 0);
    return { ok: true, value: at + len <= text.value.length ? text.value.toString('utf8', at, at + len) : undefined };
  }
  if (flags & 1 || (ptrSize !== 8 && ptrSize !== 4)) return { ok: true, value: undefined }; // big-endian or odd
  // Go ≤ 1.17: a pointer to a Go string header {data, len}.
  const headerAddr = ptrSize === 8 ? b.readBigUInt64LE(16) : BigInt(b.readUInt32LE(16));
  const header = readVirtual(elf, headerAddr, 2 * ptrSize);
  if (!header.ok) return { ok: true, value: undefined };
  const dataAddr = ptrSize === 8 ? header.value.readBigUInt64LE(0) : BigInt(header.value.readUInt32LE(0));
  const len = ptrSize === 8 ? Number(header.value.readBigUInt64LE(8)) : header.value.readUInt32LE(4);
  if (len > 64) return { ok: true, value: undefined };
  const data = readVirtual(elf, dataAddr, len);
  return { ok: true, value: data.ok ? data.value.toString('utf8') : undefined };
}

function uvarint(b: Buffer, at: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0; at < b.length && shift < 35; shift += 7) {
    const byte = b[at++];
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return [value, at];
  }
  return [Number.MAX_SAFE_INTEGER, at];
}

function sectionAt(elf: ElfFile, addr: bigint): ElfSection | undefined {
  return elf.sections.find((s) => s.addr !== 0n && addr >= s.addr && addr < s.addr + BigInt(s.size) && s.type !== SHT.nobits);
}

function readVirtual(elf: ElfFile, addr: bigint, length: number): ElfResult<Buffer> {
  const s = sectionAt(elf, addr);
  if (s === undefined) return formatError(elf.path, 'malformed', `address 0x${addr.toString(16)} is in no section`);
  return readAt(elf, s.offset + Number(addr - s.addr), length);
}

/**
 * Walks the function table for the wanted names. Entries are sorted by address, so a function ends where
 * the next begins. Every offset is checked against the table's size: a corrupt table yields an error, not
 * a read past the buffer.
 */
function functionTable(elf: ElfFile, t: Buffer, wanted: ReadonlySet<string>): ElfResult<Map<string, GoFunction>> {
  const bad = (why: string) => formatError(elf.path, 'malformed', `.gopclntab: ${why}`);
  if (t.length < 16) return bad('too short');
  const magic = t.readUInt32LE(0);
  const ptrSize = t[7];
  if (ptrSize !== 8) return bad(`pointer size ${ptrSize} (only 64-bit binaries are supported)`);
  const word = (i: number): number => {
    const at = 8 + i * 8;
    return at + 8 <= t.length ? Number(t.readBigUInt64LE(at)) : Number.NaN;
  };
  const nfunc = word(0);
  let textStart = 0n;
  let nameBase: number;
  let tableBase: number;
  // Go 1.16/1.17 entries are {entry pc, func offset} words; 1.18+ are {entry offset from textStart, func offset} u32s.
  let wide: boolean;
  if (magic === PCLN_GO118 || magic === PCLN_GO120) {
    textStart = t.readBigUInt64LE(8 + 2 * 8);
    nameBase = word(3);
    tableBase = word(7);
    wide = false;
  } else if (magic === PCLN_GO116) {
    nameBase = word(2);
    tableBase = word(6);
    wide = true;
  } else {
    return bad(`unknown header magic 0x${magic.toString(16)} (Go older than 1.16?)`);
  }
  const entrySize = wide ? 16 : 8;
  if (!Number.isSafeInteger(nfunc) || nfunc < 0 || !(tableBase + (nfunc + 1) * entrySize <= t.length) || !(nameBase < t.length)) {
    return bad('function count or table offsets out of range');
  }
  const entryOf = (i: number): bigint =>
    wide ? t.readBigUInt64LE(tableBase + i * 16) : textStart + BigInt(t.readUInt32LE(tableBase + i * 8));
  const funcOffOf = (i: number): number => (wide ? Number(t.readBigUInt64LE(tableBase + i * 16 + 8)) : t.readUInt32LE(tableBase + i * 8 + 4));
  const found = new Map<string, GoFunction>();
  for (let i = 0; i < nfunc && found.size < wanted.size; i++) {
    const funcAt = tableBase + funcOffOf(i);
    const nameOffAt = funcAt + (wide ? 8 : 4);
    if (nameOffAt + 4 > t.length) return bad(`function ${i} is outside the table`);
    const nameAt = nameBase + t.readInt32LE(nameOffAt);
    const name = cString(t, nameAt);
    if (name === undefined || !wanted.has(name)) continue;
    const entry = entryOf(i);
    const end = entryOf(i + 1);
    const text = sectionAt(elf, entry);
    if (text === undefined || end <= entry) return bad(`${name} has no code in any section`);
    found.set(name, { entry, size: Number(end - entry), fileOffset: text.offset + Number(entry - text.addr) });
  }
  return { ok: true, value: found };
}

function cString(t: Buffer, at: number): string | undefined {
  if (at < 0 || at >= t.length) return undefined;
  const end = t.indexOf(0, at);
  return end < 0 || end - at > 1024 ? undefined : t.toString('latin1', at, end);
}
