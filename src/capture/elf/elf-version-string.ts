// Finding a library's version text ("OpenSSL 3.0.19 27 Jan 2026") in its read-only data, as ecapture does:
// the library itself is the only reliable witness of its version (sonames stay libssl.so.3 across 3.0 → 3.5).
// The scan is bounded and chunked: node's .rodata alone is ~50 MB.

import { readAt, withElf } from './elf-file.ts';
import { SHT, type ElfFile, type ElfResult } from './elf-types.ts';

export interface VersionStringOptions {
  /** Only strings passing this test count (e.g. reject "OpenSSL 3.0 legacy provider"). */
  accept?: RegExp;
  /** Sections to scan, in order (default .rodata). */
  sections?: readonly string[];
  /** Stop after this many bytes in total (default 256 MiB). */
  maxScanBytes?: number;
}

const CHUNK_BYTES = 4 << 20;
const MAX_STRING_BYTES = 256;

function stringAt(elf: ElfFile, offset: number, limit: number): string | undefined {
  const r = readAt(elf, offset, Math.min(MAX_STRING_BYTES, limit - offset));
  if (!r.ok) return undefined;
  const nul = r.value.indexOf(0);
  return r.value.toString('latin1', 0, nul < 0 ? r.value.length : nul);
}

export function findVersionStringIn(elf: ElfFile, prefix: string, options: VersionStringOptions = {}): ElfResult<string | undefined> {
  const needle = Buffer.from(prefix, 'latin1');
  if (needle.length === 0) return { ok: true, value: undefined };
  let budget = options.maxScanBytes ?? 256 << 20;
  for (const name of options.sections ?? ['.rodata']) {
    const section = elf.sections.find((s) => s.name === name && s.type !== SHT.nobits);
    if (section === undefined) continue;
    const end = section.offset + section.size;
    // Each chunk starts one byte early (to see the byte before a hit) and overlaps the next by the needle length.
    for (let start = section.offset; start < end && budget > 0; start += CHUNK_BYTES) {
      const from = start === section.offset ? start : start - 1;
      const len = Math.min(CHUNK_BYTES + needle.length + (start - from), end - from, budget);
      const chunk = readAt(elf, from, len);
      if (!chunk.ok) return chunk;
      budget -= len;
      for (let i = chunk.value.indexOf(needle); i >= 0; i = chunk.value.indexOf(needle, i + 1)) {
        const at = from + i;
        if (at >= start + CHUNK_BYTES) break;
        // A version string is a whole string: it starts the section or follows a NUL.
        if (at !== section.offset && chunk.value[i - 1] !== 0) continue;
        const text = stringAt(elf, at, end);
        if (text !== undefined && (options.accept === undefined || options.accept.test(text))) return { ok: true, value: text };
      }
    }
  }
  return { ok: true, value: undefined };
}

export function findVersionString(path: string, prefix: string, options: VersionStringOptions = {}): ElfResult<string | undefined> {
  return withElf(path, (elf) => findVersionStringIn(elf, prefix, options));
}
