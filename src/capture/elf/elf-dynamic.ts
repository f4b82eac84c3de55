// DT_NEEDED and DT_SONAME from the .dynamic section: which shared libraries a binary loads (libssl.so.3 needs
// libcrypto.so.3, which is where OpenSSL keeps its version string).

import { formatError, readCString, readSection } from './elf-file.ts';
import { DT, SHT, type ElfFile, type ElfResult } from './elf-types.ts';

export interface DynamicInfo {
  needed: string[];
  soname?: string;
}

// .dynamic is a few hundred bytes in practice; this only guards against a hostile size field.
const MAX_DYNAMIC_BYTES = 1 << 20;
const DYN_ENTRY_SIZE = 16;

export function readDynamic(elf: ElfFile): ElfResult<DynamicInfo> {
  const dynamic = elf.sections.find((s) => s.type === SHT.dynamic);
  // A static binary has no .dynamic: no dependencies, not an error.
  if (dynamic === undefined) return { ok: true, value: { needed: [] } };
  const strtab = elf.sections[dynamic.link];
  if (strtab === undefined || strtab.type !== SHT.strtab) return formatError(elf.path, 'malformed', '.dynamic has no string table');
  const data = readSection(elf, dynamic, MAX_DYNAMIC_BYTES);
  if (!data.ok) return data;
  const info: DynamicInfo = { needed: [] };
  for (let at = 0; at + DYN_ENTRY_SIZE <= data.value.length; at += DYN_ENTRY_SIZE) {
    const tag = data.value.readBigInt64LE(at);
    if (tag === DT.null) break;
    if (tag !== DT.needed && tag !== DT.soname) continue;
    const offset = data.value.readBigUInt64LE(at + 8);
    if (offset >= BigInt(strtab.size)) return formatError(elf.path, 'malformed', `.dynamic string offset ${offset} out of range`);
    const name = readCString(elf, strtab, Number(offset));
    if (!name.ok) return name;
    if (tag === DT.needed) info.needed.push(name.value);
    else info.soname = name.value;
  }
  return { ok: true, value: info };
}

export function readNeeded(elf: ElfFile): ElfResult<string[]> {
  const r = readDynamic(elf);
  return r.ok ? { ok: true, value: r.value.needed } : r;
}
