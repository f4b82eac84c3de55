// Shared types and the ELF constants this reader needs (from elf.h). Only ELF64 little-endian is supported:
// every binary cleartap attaches to on x86_64 and arm64 Linux is one.

/** Stable error codes: callers branch on these, never on message text. */
export const ELF_ERROR_CODES = {
  /** The file is not a usable ELF64 object: not ELF, unsupported class/endianness, truncated or malformed. */
  format: 'CT_ERR_ELF',
  /** The OS refused: missing file, permission, I/O error. */
  io: 'CT_ERR_ELF_IO',
} as const;

export type ElfErrorCode = (typeof ELF_ERROR_CODES)[keyof typeof ELF_ERROR_CODES];

export type ElfErrorReason = 'not-elf' | 'unsupported' | 'truncated' | 'malformed' | 'too-large' | 'io';

export interface ElfError {
  code: ElfErrorCode;
  reason: ElfErrorReason;
  message: string;
  path: string;
  /** For CT_ERR_ELF_IO: the errno code (ENOENT, EACCES, …). */
  errno?: string;
}

export type ElfResult<T> = { ok: true; value: T } | { ok: false; error: ElfError };

/** Identifies one version of one file: uprobes attach per inode, and a rewritten file is a new version. */
export interface FileIdentity {
  dev: number;
  ino: number;
  mtimeMs: number;
  size: number;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
}

export const ELF_TYPES = { rel: 1, exec: 2, dyn: 3, core: 4 } as const;

export interface ElfFile {
  path: string;
  fd: number;
  identity: FileIdentity;
  /** e_type: 2 = executable, 3 = shared object or PIE. */
  type: number;
  machine: number;
  sections: ElfSection[];
  /** Lazily parsed, per open file: version index → version name from .gnu.version_d. */
  memo: { verdef?: Map<number, string> };
}

export const SHT = {
  null: 0,
  progbits: 1,
  symtab: 2,
  strtab: 3,
  hash: 5,
  dynamic: 6,
  nobits: 8,
  dynsym: 11,
  gnuHash: 0x6ffffff6,
  gnuVerdef: 0x6ffffffd,
  gnuVerneed: 0x6ffffffe,
  gnuVersym: 0x6fffffff,
} as const;

export const SHN = { undef: 0, loreserve: 0xff00, abs: 0xfff1, common: 0xfff2, xindex: 0xffff } as const;

export const STT = { func: 2, gnuIfunc: 10 } as const;

export const STB = { local: 0, global: 1, weak: 2, gnuUnique: 10 } as const;

export const DT = { null: 0n, needed: 1n, soname: 14n } as const;

export const SYMBOL_ENTRY_SIZE = 24;
export const SECTION_HEADER_SIZE = 64;
export const ELF64_HEADER_SIZE = 64;
