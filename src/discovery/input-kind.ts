// Which reader an input file needs, from its first bytes (extensions lie: a `.json` may be HAR or JSON lines).

export type InputKind = 'har' | 'jsonl' | 'pcap' | 'unknown';

/** `head` is the file's first bytes (a few KiB are enough). */
export function inputKindOf(head: Uint8Array): InputKind {
  if (head.length >= 4) {
    const magic = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    // pcap (µs and ns, either byte order) and pcapng's section header block.
    if (magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1 || magic === 0xa1b23c4d || magic === 0x4d3cb2a1 || magic === 0x0a0d0d0a) return 'pcap';
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\uFEFF/, '').trimStart();
  if (!text.startsWith('{')) return 'unknown';
  // HAR opens with its one "log" object; a JSON-lines record with its own fields, on a line of its own.
  if (/^\{\s*"log"\s*:/.test(text)) return 'har';
  const firstLine = text.split('\n', 1)[0];
  if (/"request"\s*:/.test(firstLine) && /"(?:response|metadata)"\s*:/.test(firstLine)) return 'jsonl';
  if (/"log"\s*:\s*\{/.test(text) && /"entries"\s*:/.test(text)) return 'har';
  return 'unknown';
}
