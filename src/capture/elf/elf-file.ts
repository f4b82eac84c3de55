// Opening an ELF64 file and reading its header and section table with positioned reads.
// Binaries we inspect are up to ~130 MB (node), so nothing here reads a whole file: every read names an offset
// and a length, and both are checked against the file size first, so a truncated or hostile file yields a
// CT_ERR_ELF value instead of a short read or an exception.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  ELF64_HEADER_SIZE,
  ELF_ERROR_CODES,
  SECTION_HEADER_SIZE,
  SHN,
  SHT,
  type ElfError,
  type ElfErrorReason,
  type ElfFile,
  type ElfResult,
  type ElfSection,
  type FileIdentity,
} from './elf-types.ts';

// Sanity bounds for values read from the file; real binaries are far below them.
const MAX_SECTIONS = 1 << 16;
const MAX_SHSTRTAB_BYTES = 1 << 20;
export const MAX_CSTRING_BYTES = 4096;

export function formatError(path: string, reason: ElfErrorReason, detail: string): { ok: false; error: ElfError } {
  return { ok: false, error: { code: ELF_ERROR_CODES.format, reason, message: `${path}: ${detail}`, path } };
}

export function ioError(path: string, err: unknown, doing: string): { ok: false; error: ElfError } {
  const errno = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'EIO';
  return {
    ok: false,
    error: { code: ELF_ERROR_CODES.io, reason: 'io', message: `${path}: ${doing} failed (${errno})`, path, errno },
  };
}

/** u64 fields become numbers for offsets and sizes; anything past 2^53 cannot be a real offset in a file. */
function safeNumber(v: bigint): number | undefined {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/** Reads exactly `length` bytes at `offset`, or says why not (past the end = truncated). */
export function readAt(elf: Pick<ElfFile, 'fd' | 'path' | 'identity'>, offset: number, length: number): ElfResult<Buffer> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    return formatError(elf.path, 'malformed', `bad read range ${offset}+${length}`);
  }
  if (offset + length > elf.identity.size) {
    return formatError(elf.path, 'truncated', `needs bytes ${offset}..${offset + length} of a ${elf.identity.size}-byte file`);
  }
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  try {
    while (done < length) {
      const n = readSync(elf.fd, buf, done, length - done, offset + done);
      if (n === 0) return formatError(elf.path, 'truncated', `file shrank while reading at ${offset + done}`);
      done += n;
    }
  } catch (err) {
    return ioError(elf.path, err, 'read');
  }
  return { ok: true, value: buf };
}

/** Reads a section's bytes, refusing sections larger than maxBytes (a scan bound, not a format rule). */
export function readSection(elf: ElfFile, section: ElfSection, maxBytes: number): ElfResult<Buffer> {
  if (section.type === SHT.nobits) return { ok: true, value: Buffer.alloc(0) };
  if (section.size > maxBytes) {
    return formatError(elf.path, 'too-large', `section ${section.name || section.index} is ${section.size} bytes (limit ${maxBytes})`);
  }
  return readAt(elf, section.offset, section.size);
}

/** A NUL-terminated string at `offset` inside a string-table section (bounded). */
export function readCString(elf: ElfFile, strtab: ElfSection, offset: number): ElfResult<string> {
  if (offset >= strtab.size) return formatError(elf.path, 'malformed', `string offset ${offset} outside ${strtab.name}`);
  let want = Math.min(256, strtab.size - offset);
  for (;;) {
    const r = readAt(elf, strtab.offset + offset, want);
    if (!r.ok) return r;
    const nul = r.value.indexOf(0);
    if (nul >= 0) return { ok: true, value: r.value.toString('latin1', 0, nul) };
    if (want >= MAX_CSTRING_BYTES || offset + want >= strtab.size) {
      return formatError(elf.path, 'malformed', `unterminated string at ${strtab.name}+${offset}`);
    }
    want = Math.min(MAX_CSTRING_BYTES, strtab.size - offset);
  }
}

function parseSection(buf: Buffer, at: number, index: number): ElfSection | undefined {
  const addr = buf.readBigUInt64LE(at + 16);
  const offset = safeNumber(buf.readBigUInt64LE(at + 24));
  const size = safeNumber(buf.readBigUInt64LE(at + 32));
  const flags = safeNumber(buf.readBigUInt64LE(at + 8));
  const entsize = safeNumber(buf.readBigUInt64LE(at + 56));
  if (offset === undefined || size === undefined || flags === undefined || entsize === undefined) return undefined;
  return {
    index,
    name: '',
    type: buf.readUInt32LE(at + 4),
    flags,
    addr,
    offset,
    size,
    link: buf.readUInt32LE(at + 40),
    info: buf.readUInt32LE(at + 44),
    entsize,
  };
}

function readHeaderAndSections(elf: ElfFile): ElfResult<ElfFile> {
  const { path } = elf;
  if (elf.identity.size < 4) return formatError(path, 'not-elf', 'too short to be ELF');
  const magic = readAt(elf, 0, Math.min(ELF64_HEADER_SIZE, elf.identity.size));
  if (!magic.ok) return magic;
  const h = magic.value;
  if (h[0] !== 0x7f || h[1] !== 0x45 || h[2] !== 0x4c || h[3] !== 0x46) return formatError(path, 'not-elf', 'no ELF magic');
  if (h.length < ELF64_HEADER_SIZE) return formatError(path, 'truncated', 'ELF header cut short');
  if (h[4] !== 2) return formatError(path, 'unsupported', `ELF class ${h[4]} (only ELF64 is supported)`);
  if (h[5] !== 1) return formatError(path, 'unsupported', `data encoding ${h[5]} (only little-endian is supported)`);
  elf.type = h.readUInt16LE(16);
  elf.machine = h.readUInt16LE(18);
  const shoff = safeNumber(h.readBigUInt64LE(40));
  const shentsize = h.readUInt16LE(58);
  let shnum = h.readUInt16LE(60);
  let shstrndx = h.readUInt16LE(62);
  if (shoff === undefined) return formatError(path, 'malformed', 'section header offset out of range');
  // No section table (sstrip'ed files) is legal: such a file simply has no symbols we can find.
  if (shoff === 0) return { ok: true, value: elf };
  if (shentsize !== SECTION_HEADER_SIZE) return formatError(path, 'malformed', `section header size ${shentsize}`);
  const first = readAt(elf, shoff, SECTION_HEADER_SIZE);
  if (!first.ok) return first;
  // Extended numbering: with ≥ 0xff00 sections the real count and string-table index live in section 0.
  if (shnum === 0) {
    const n = safeNumber(first.value.readBigUInt64LE(32));
    if (n === undefined || n > MAX_SECTIONS) return formatError(path, 'malformed', 'section count out of range');
    shnum = n;
  }
  if (shstrndx === SHN.xindex) shstrndx = first.value.readUInt32LE(40);
  if (shnum > MAX_SECTIONS) return formatError(path, 'malformed', `${shnum} sections`);
  const table = readAt(elf, shoff, shnum * SECTION_HEADER_SIZE);
  if (!table.ok) return table;
  const sections: ElfSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const s = parseSection(table.value, i * SECTION_HEADER_SIZE, i);
    if (s === undefined) return formatError(path, 'malformed', `section ${i} has an out-of-range field`);
    sections.push(s);
  }
  const shstrtab = sections[shstrndx];
  if (shstrtab !== undefined && shstrndx !== SHN.undef && shstrtab.type === SHT.strtab) {
    const names = readSection(elf, shstrtab, MAX_SHSTRTAB_BYTES);
    if (!names.ok) return names;
    for (const s of sections) {
      const nameOffset = table.value.readUInt32LE(s.index * SECTION_HEADER_SIZE);
      if (nameOffset >= names.value.length) continue;
      const end = names.value.indexOf(0, nameOffset);
      s.name = names.value.toString('latin1', nameOffset, end < 0 ? names.value.length : end);
    }
  }
  elf.sections = sections;
  return { ok: true, value: elf };
}

/** Opens and validates an ELF64 file. The caller must closeElf() it (ElfCache does this for you). */
export function openElf(path: string): ElfResult<ElfFile> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return ioError(path, err, 'open');
  }
  let identity: FileIdentity;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      return formatError(path, 'not-elf', 'not a regular file');
    }
    identity = { dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, size: st.size };
  } catch (err) {
    closeSync(fd);
    return ioError(path, err, 'fstat');
  }
  const elf: ElfFile = { path, fd, identity, type: 0, machine: 0, sections: [], memo: {} };
  const parsed = readHeaderAndSections(elf);
  if (!parsed.ok) closeSync(fd);
  return parsed;
}

export function closeElf(elf: ElfFile): void {
  if (elf.fd < 0) return;
  try {
    closeSync(elf.fd);
  } catch {
    // Already closed: nothing else holds this descriptor, so there is nothing to recover.
  }
  elf.fd = -1;
}

/** Opens, runs fn, and always closes: the shape most callers want. */
export function withElf<T>(path: string, fn: (elf: ElfFile) => ElfResult<T>): ElfResult<T> {
  const opened = openElf(path);
  if (!opened.ok) return opened;
  try {
    return fn(opened.value);
  } finally {
    closeElf(opened.value);
  }
}

export function sectionByName(elf: ElfFile, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.name === name);
}

export function sectionByType(elf: ElfFile, type: number): ElfSection | undefined {
  return elf.sections.find((s) => s.type === type);
}
