// Go's crypto/tls, linked into every Go program that speaks TLS. Its functions are found through the
// runtime's own function table (stripped binaries keep it), and their results are read at each RET
// instruction rather than with a uretprobe, which would corrupt Go's stacks (bpf/tls/go.h).

import { readAt, readGoBinary, type ElfFile, type ElfResult } from '../elf/index.ts';
import { x86ReturnOffsets } from './x86-returns.ts';

const WRITE = 'crypto/tls.(*Conn).Write';
const READ = 'crypto/tls.(*Conn).Read';
const EM_X86_64 = 62;
/** Go passes arguments in registers on amd64 since 1.17 (the ABI bpf/tls/go.h reads). */
const FIRST_REGISTER_ABI = [1, 17] as const;
/** Larger "functions" mean a corrupt table; Write is about 2 KiB. */
const MAX_FUNCTION_BYTES = 64 << 10;

/** One uprobe: a BPF program at an instruction of the file. */
export interface ProbePoint {
  prog: string;
  fileOffset: number;
  /** "crypto/tls.(*Conn).Write", "crypto/tls.(*Conn).Write (return +0x3d2)". */
  label: string;
}

export type GoTlsVerdict =
  | { go: true; version?: string; points: ProbePoint[] }
  /** A Go binary whose TLS cannot be captured: the reason is for `status` and the logs. */
  | { go: true; version?: string; unsupported: string; noTls?: boolean }
  | { go: false };

function registerAbi(version: string): boolean | undefined {
  const m = /^go(\d+)\.(\d+)/.exec(version);
  if (!m) return undefined;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > FIRST_REGISTER_ABI[0] || (major === FIRST_REGISTER_ABI[0] && minor >= FIRST_REGISTER_ABI[1]);
}

/** Whether `elf` is a Go program, and if so where crypto/tls's Read and Write and their RETs are. */
export function goTlsProbes(elf: ElfFile): ElfResult<GoTlsVerdict> {
  const info = readGoBinary(elf, [WRITE, READ]);
  if (!info.ok) return info;
  if (info.value === undefined) return { ok: true, value: { go: false } };
  const { version, functions } = info.value;
  const verdict = (unsupported: string, noTls = false): ElfResult<GoTlsVerdict> => ({
    ok: true,
    value: { go: true, ...(version === undefined ? {} : { version }), unsupported, ...(noTls ? { noTls } : {}) },
  });
  const write = functions.get(WRITE);
  const read = functions.get(READ);
  if (write === undefined || read === undefined) return verdict('no crypto/tls in it', true);
  if (elf.machine !== EM_X86_64) return verdict('Go TLS capture supports x86-64 binaries only');
  if (version === undefined || registerAbi(version) !== true) {
    return verdict(`${version ?? 'an unknown Go version'} passes arguments on the stack (Go 1.17 or later is needed)`);
  }
  const points: ProbePoint[] = [];
  for (const [name, fn, entryProg] of [
    [WRITE, write, 'ct_uprobe_go_write'],
    [READ, read, 'ct_uprobe_go_read'],
  ] as const) {
    if (fn.size > MAX_FUNCTION_BYTES) return verdict(`${name} is ${fn.size} bytes long: the function table looks corrupt`);
    const code = readAt(elf, fn.fileOffset, fn.size);
    if (!code.ok) return code;
    const rets = x86ReturnOffsets(code.value);
    if (rets === undefined || rets.length === 0) return verdict(`${name} did not disassemble into returns`);
    points.push({ prog: entryProg, fileOffset: fn.fileOffset, label: name });
    for (const r of rets) points.push({ prog: 'ct_uprobe_go_return', fileOffset: fn.fileOffset + r, label: `${name} (return +0x${r.toString(16)})` });
  }
  return { ok: true, value: { go: true, ...(version === undefined ? {} : { version }), points } };
}
