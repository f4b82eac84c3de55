// The RET instructions of one x86-64 function, found by decoding it from its first byte (scanning for 0xC3
// would also hit that byte inside other instructions' immediates and displacements). iced-x86 is a
// WebAssembly build, loaded on first use: most hosts never run a Go binary with TLS in it.

import { createRequire } from 'node:module';

type Iced = typeof import('iced-x86');
let iced: Iced | undefined;

/** Offsets (from the function's first byte) of every RET; undefined when the bytes do not decode cleanly. */
export function x86ReturnOffsets(code: Uint8Array): number[] | undefined {
  iced ??= createRequire(import.meta.url)('iced-x86') as Iced;
  const { Decoder, DecoderOptions, FlowControl, Instruction, Code } = iced;
  const decoder = new Decoder(64, code, DecoderOptions.None);
  const instr = new Instruction();
  const out: number[] = [];
  try {
    let at = 0;
    while (decoder.canDecode) {
      decoder.decodeOut(instr);
      if (instr.code === Code.INVALID) {
        // Go pads between functions with INT3 (0xCC), which decodes; an invalid opcode means we are lost.
        return out.length > 0 && allPadding(code, at) ? out : undefined;
      }
      if (instr.flowControl === FlowControl.Return) out.push(at);
      at += instr.length;
    }
    return out;
  } finally {
    instr.free();
    decoder.free();
  }
}

function allPadding(code: Uint8Array, from: number): boolean {
  for (let i = from; i < code.length; i++) if (code[i] !== 0xcc && code[i] !== 0x00) return false;
  return true;
}
