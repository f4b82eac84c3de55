// Finding defined FUNC symbols by name in .dynsym (via .gnu.hash) and .symtab.
//
// Only definitions count: an executable that merely imports SSL_write from libssl has an SHN_UNDEF entry for it,
// and attaching there would probe nothing. .dynsym lookups go through the GNU hash table, so finding ten names in
// node's 1.8 MB .dynsym costs a few dozen small reads instead of reading the table; .symtab has no hash table and
// is scanned only for names .dynsym lacks (e.g. internal functions), in bounded chunks.

import { formatError, readAt, readCString, readSection } from './elf-file.ts';
import {
  SHN,
  SHT,
  STB,
  STT,
  SYMBOL_ENTRY_SIZE,
  type ElfFile,
  type ElfResult,
  type ElfSection,
} from './elf-types.ts';

export type SymbolBinding = 'local' | 'global' | 'weak' | 'unique' | 'other';

export interface ElfSymbol {
  name: string;
  /** "SSL_read@@OPENSSL_3.0.0" (default version) or "name@VER" (hidden) when the symbol carries a version. */
  versionedName?: string;
  version?: string;
  /** st_value: the symbol's virtual address in the file's own address space. */
  value: bigint;
  size: number;
  /** Where the code is in the file: the offset a uprobe is attached at (value − sh_addr + sh_offset). */
  fileOffset?: number;
  section: string;
  sectionIndex: number;
  binding: SymbolBinding;
  type: 'func' | 'ifunc';
  table: 'dynsym' | 'symtab';
}

export interface FindSymbolsOptions {
  /** Also look in .symtab for names .dynsym lacks (default true). */
  symtab?: boolean;
}

// Scans read this much at a time, and refuse tables beyond the limit (node's .strtab is ~10 MB).
const SCAN_CHUNK_BYTES = 4 << 20;
const MAX_SCAN_SECTION_BYTES = 512 << 20;
const MAX_VERDEF_BYTES = 1 << 20;
// A hash chain longer than this means a corrupt table, not a real one.
const MAX_CHAIN = 1 << 16;

interface Query {
  key: string;
  base: string;
  /** Wanted version when the query names one ("SSL_read@@OPENSSL_3.0.0"). */
  version?: string;
}

function parseQuery(key: string): Query {
  const at = key.indexOf('@');
  if (at <= 0) return { key, base: key };
  const version = key.slice(key.startsWith('@@', at) ? at + 2 : at + 1);
  return { key, base: key.slice(0, at), version };
}

function bindingOf(info: number): SymbolBinding {
  const b = info >> 4;
  return b === STB.global ? 'global' : b === STB.weak ? 'weak' : b === STB.local ? 'local' : b === STB.gnuUnique ? 'unique' : 'other';
}

/** A FUNC (or IFUNC) defined in this file; everything else is not a place to attach a probe. */
function definedFunction(info: number, shndx: number): 'func' | 'ifunc' | undefined {
  if (shndx === SHN.undef || (shndx >= SHN.loreserve && shndx !== SHN.xindex)) return undefined;
  const t = info & 0xf;
  return t === STT.func ? 'func' : t === STT.gnuIfunc ? 'ifunc' : undefined;
}

function makeSymbol(elf: ElfFile, name: string, entry: Buffer, at: number, table: 'dynsym' | 'symtab'): ElfSymbol | undefined {
  const info = entry.readUInt8(at + 4);
  const shndx = entry.readUInt16LE(at + 6);
  const type = definedFunction(info, shndx);
  if (type === undefined) return undefined;
  const value = entry.readBigUInt64LE(at + 8);
  const size = entry.readBigUInt64LE(at + 16);
  const section = shndx === SHN.xindex ? undefined : elf.sections[shndx];
  const sym: ElfSymbol = {
    name,
    value,
    size: size <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(size) : 0,
    section: section?.name ?? '',
    sectionIndex: shndx,
    binding: bindingOf(info),
    type,
    table,
  };
  if (section !== undefined && section.type !== SHT.nobits && value >= section.addr && value - section.addr < BigInt(section.size)) {
    sym.fileOffset = section.offset + Number(value - section.addr);
  }
  return sym;
}

// ---- version names (.gnu.version + .gnu.version_d) ----

function verdefNames(elf: ElfFile): Map<number, string> {
  if (elf.memo.verdef !== undefined) return elf.memo.verdef;
  const names = new Map<number, string>();
  elf.memo.verdef = names;
  const verdef = elf.sections.find((s) => s.type === SHT.gnuVerdef);
  const strtab = verdef === undefined ? undefined : elf.sections[verdef.link];
  if (verdef === undefined || strtab === undefined) return names;
  const data = readSection(elf, verdef, MAX_VERDEF_BYTES);
  if (!data.ok) return names;
  const buf = data.value;
  let at = 0;
  // sh_info is the entry count; also stop on a zero vd_next or a loop that leaves the section.
  for (let i = 0; i < verdef.info && at + 20 <= buf.length; i++) {
    const ndx = buf.readUInt16LE(at + 4);
    const aux = buf.readUInt32LE(at + 12);
    const next = buf.readUInt32LE(at + 16);
    if (at + aux + 8 <= buf.length) {
      const name = readCString(elf, strtab, buf.readUInt32LE(at + aux));
      if (name.ok) names.set(ndx, name.value);
    }
    if (next === 0) break;
    at += next;
  }
  return names;
}

function applyVersion(elf: ElfFile, sym: ElfSymbol, index: number, dynsym: ElfSection): void {
  const versym = elf.sections.find((s) => s.type === SHT.gnuVersym && s.link === dynsym.index);
  if (versym === undefined || (index + 1) * 2 > versym.size) return;
  const raw = readAt(elf, versym.offset + index * 2, 2);
  if (!raw.ok) return;
  const v = raw.value.readUInt16LE(0);
  const ndx = v & 0x7fff;
  // 0 = local, 1 = global without a version.
  if (ndx <= 1) return;
  const version = verdefNames(elf).get(ndx);
  if (version === undefined) return;
  sym.version = version;
  sym.versionedName = `${sym.name}${(v & 0x8000) !== 0 ? '@' : '@@'}${version}`;
}

// ---- .gnu.hash lookup ----

interface GnuHash {
  nbuckets: number;
  symoffset: number;
  bloomSize: number;
  bloomShift: number;
  bloomAt: number;
  bucketsAt: number;
  chainAt: number;
  nsyms: number;
}

function gnuHashOf(name: Buffer): number {
  let h = 5381;
  for (const c of name) h = (h * 33 + c) >>> 0;
  return h;
}

function readGnuHash(elf: ElfFile, section: ElfSection, dynsym: ElfSection): ElfResult<GnuHash> {
  const head = readAt(elf, section.offset, 16);
  if (!head.ok) return head;
  const nbuckets = head.value.readUInt32LE(0);
  const symoffset = head.value.readUInt32LE(4);
  const bloomSize = head.value.readUInt32LE(8);
  const bloomShift = head.value.readUInt32LE(12);
  const bloomAt = section.offset + 16;
  const bucketsAt = bloomAt + bloomSize * 8;
  const chainAt = bucketsAt + nbuckets * 4;
  if (nbuckets === 0 || bloomSize === 0 || chainAt > section.offset + section.size) {
    return formatError(elf.path, 'malformed', '.gnu.hash header does not fit its section');
  }
  return {
    ok: true,
    value: { nbuckets, symoffset, bloomSize, bloomShift, bloomAt, bucketsAt, chainAt, nsyms: Math.floor(dynsym.size / SYMBOL_ENTRY_SIZE) },
  };
}

function bitSet(word: Buffer, bit: number): boolean {
  return bit < 32 ? ((word.readUInt32LE(0) >>> bit) & 1) === 1 : ((word.readUInt32LE(4) >>> (bit - 32)) & 1) === 1;
}

/** Symbol indices in .dynsym whose name is `name`, found through the hash table (several if versioned). */
function hashLookup(elf: ElfFile, gh: GnuHash, dynsym: ElfSection, dynstr: ElfSection, name: string): ElfResult<Array<{ index: number; entry: Buffer }>> {
  const nameBytes = Buffer.from(name, 'latin1');
  const h = gnuHashOf(nameBytes);
  const word = readAt(elf, gh.bloomAt + (Math.floor(h / 64) % gh.bloomSize) * 8, 8);
  if (!word.ok) return word;
  // The bloom filter rules out most absent names with one 8-byte read.
  if (!bitSet(word.value, h % 64) || !bitSet(word.value, (h >>> gh.bloomShift) % 64)) return { ok: true, value: [] };
  const bucket = readAt(elf, gh.bucketsAt + (h % gh.nbuckets) * 4, 4);
  if (!bucket.ok) return bucket;
  let index = bucket.value.readUInt32LE(0);
  const found: Array<{ index: number; entry: Buffer }> = [];
  if (index < gh.symoffset) return { ok: true, value: found };
  const wanted = Buffer.concat([nameBytes, Buffer.from([0])]);
  for (let steps = 0; steps < MAX_CHAIN && index < gh.nsyms; steps++, index++) {
    const cv = readAt(elf, gh.chainAt + (index - gh.symoffset) * 4, 4);
    if (!cv.ok) return cv;
    const chainValue = cv.value.readUInt32LE(0);
    if (((chainValue | 1) >>> 0) === ((h | 1) >>> 0)) {
      const entry = readAt(elf, dynsym.offset + index * SYMBOL_ENTRY_SIZE, SYMBOL_ENTRY_SIZE);
      if (!entry.ok) return entry;
      const stName = entry.value.readUInt32LE(0);
      if (stName + wanted.length <= dynstr.size) {
        const candidate = readAt(elf, dynstr.offset + stName, wanted.length);
        if (!candidate.ok) return candidate;
        if (candidate.value.equals(wanted)) found.push({ index, entry: entry.value });
      }
    }
    // The low bit marks the end of this bucket's chain.
    if ((chainValue & 1) === 1) break;
  }
  return { ok: true, value: found };
}

// ---- linear scan (symtab, or a dynsym without .gnu.hash) ----

/** Offsets in a string table where each wanted name starts (a name may also be the tail of a longer string). */
function nameOffsets(elf: ElfFile, strtab: ElfSection, names: string[]): ElfResult<Map<number, string>> {
  const offsets = new Map<number, string>();
  if (strtab.size > MAX_SCAN_SECTION_BYTES) {
    return formatError(elf.path, 'too-large', `${strtab.name} is ${strtab.size} bytes (scan limit ${MAX_SCAN_SECTION_BYTES})`);
  }
  const needles = names.map((n) => ({ name: n, bytes: Buffer.from(`${n}\0`, 'latin1') }));
  const overlap = Math.max(0, ...needles.map((n) => n.bytes.length)) - 1;
  for (let start = 0; start < strtab.size; start += SCAN_CHUNK_BYTES) {
    const len = Math.min(SCAN_CHUNK_BYTES + overlap, strtab.size - start);
    const chunk = readAt(elf, strtab.offset + start, len);
    if (!chunk.ok) return chunk;
    for (const n of needles) {
      for (let i = chunk.value.indexOf(n.bytes); i >= 0; i = chunk.value.indexOf(n.bytes, i + 1)) {
        offsets.set(start + i, n.name);
      }
    }
  }
  return { ok: true, value: offsets };
}

function scanTable(
  elf: ElfFile,
  table: ElfSection,
  names: string[],
  kind: 'dynsym' | 'symtab',
  onMatch: (name: string, index: number, entry: Buffer, at: number) => void,
): ElfResult<void> {
  const strtab = elf.sections[table.link];
  if (strtab === undefined || strtab.type !== SHT.strtab) return formatError(elf.path, 'malformed', `${kind} has no string table`);
  if (table.size > MAX_SCAN_SECTION_BYTES) {
    return formatError(elf.path, 'too-large', `${table.name} is ${table.size} bytes (scan limit ${MAX_SCAN_SECTION_BYTES})`);
  }
  const offsets = nameOffsets(elf, strtab, names);
  if (!offsets.ok) return offsets;
  // None of the names occur as strings: no symbol can have them, so the table itself is never read.
  if (offsets.value.size === 0) return { ok: true, value: undefined };
  const count = Math.floor(table.size / SYMBOL_ENTRY_SIZE);
  const perChunk = Math.floor(SCAN_CHUNK_BYTES / SYMBOL_ENTRY_SIZE);
  for (let first = 0; first < count; first += perChunk) {
    const n = Math.min(perChunk, count - first);
    const chunk = readAt(elf, table.offset + first * SYMBOL_ENTRY_SIZE, n * SYMBOL_ENTRY_SIZE);
    if (!chunk.ok) return chunk;
    for (let i = 0; i < n; i++) {
      const at = i * SYMBOL_ENTRY_SIZE;
      const name = offsets.value.get(chunk.value.readUInt32LE(at));
      if (name !== undefined) onMatch(name, first + i, chunk.value, at);
    }
  }
  return { ok: true, value: undefined };
}

// ---- choosing among several definitions of one name ----

function rank(sym: ElfSymbol): number {
  // Default-version exports first, then other globals, weak, and local (static) functions last.
  if (sym.versionedName?.includes('@@') === true) return 0;
  if (sym.binding === 'global' || sym.binding === 'unique') return sym.version === undefined ? 1 : 2;
  return sym.binding === 'weak' ? 3 : 4;
}

function better(a: ElfSymbol | undefined, b: ElfSymbol): boolean {
  return a === undefined || rank(b) < rank(a);
}

function versionMatches(q: Query, sym: ElfSymbol): boolean {
  return q.version === undefined || sym.version === q.version;
}

/**
 * Defined FUNC symbols for each requested name. Names may carry a version ("SSL_read@@OPENSSL_3.0.0") to
 * require it; plain names match any version and prefer the default one. Missing names are absent from the map.
 */
export function findSymbols(elf: ElfFile, names: readonly string[], options: FindSymbolsOptions = {}): ElfResult<Map<string, ElfSymbol>> {
  const queries = [...new Set(names)].filter((n) => n !== '').map(parseQuery);
  const result = new Map<string, ElfSymbol>();
  const consider = (sym: ElfSymbol): void => {
    for (const q of queries) {
      if (q.base === sym.name && versionMatches(q, sym) && better(result.get(q.key), sym)) result.set(q.key, sym);
    }
  };
  const bases = (qs: Query[]): string[] => [...new Set(qs.map((q) => q.base))];

  const dynsym = elf.sections.find((s) => s.type === SHT.dynsym);
  const dynstr = dynsym === undefined ? undefined : elf.sections[dynsym.link];
  if (dynsym !== undefined && dynstr !== undefined) {
    const hashSection = elf.sections.find((s) => s.type === SHT.gnuHash && s.link === dynsym.index);
    if (hashSection !== undefined) {
      const gh = readGnuHash(elf, hashSection, dynsym);
      if (!gh.ok) return gh;
      for (const base of bases(queries)) {
        const hits = hashLookup(elf, gh.value, dynsym, dynstr, base);
        if (!hits.ok) return hits;
        for (const { index, entry } of hits.value) {
          const sym = makeSymbol(elf, base, entry, 0, 'dynsym');
          if (sym === undefined) continue;
          applyVersion(elf, sym, index, dynsym);
          consider(sym);
        }
      }
    } else {
      const scanned = scanTable(elf, dynsym, bases(queries), 'dynsym', (name, index, entry, at) => {
        const sym = makeSymbol(elf, name, entry, at, 'dynsym');
        if (sym === undefined) return;
        applyVersion(elf, sym, index, dynsym);
        consider(sym);
      });
      if (!scanned.ok) return scanned;
    }
  }

  const missing = queries.filter((q) => !result.has(q.key));
  const symtab = elf.sections.find((s) => s.type === SHT.symtab);
  if (options.symtab !== false && missing.length > 0 && symtab !== undefined) {
    const scanned = scanTable(elf, symtab, bases(missing), 'symtab', (name, _index, entry, at) => {
      const sym = makeSymbol(elf, name, entry, at, 'symtab');
      if (sym === undefined) return;
      for (const q of missing) {
        if (q.base === name && versionMatches(q, sym) && better(result.get(q.key), sym)) result.set(q.key, sym);
      }
    });
    if (!scanned.ok) return scanned;
  }
  return { ok: true, value: result };
}

/** True when the file defines (not merely imports) a function of this name. */
export function definesFunction(elf: ElfFile, name: string): ElfResult<boolean> {
  const r = findSymbols(elf, [name], { symtab: false });
  return r.ok ? { ok: true, value: r.value.has(name) } : r;
}
