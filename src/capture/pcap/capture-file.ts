// Reads a .pcap or .pcapng file in chunks (never the whole file), hands each packet to a visitor, and keeps a
// record that straddles two chunks by moving it to the front of the buffer before the next read. One buffer is
// reused for the whole file: packets are views into it, valid only during the visit.
import { open, type FileHandle } from 'node:fs/promises';
import { CleartapError, errorCode } from '../../core/errors.ts';
import { newCapturedPacket, type PacketVisitor } from './captured-packet.ts';
import { isPcapMagic, PCAP_HEADER_BYTES, PcapFormat } from './pcap-format.ts';
import { type InterfaceFilter, PCAPNG_SHB, PcapngFormat } from './pcapng-format.ts';
import { type FormatCounters, MAX_RECORD_BYTES, newFormatCounters, type RecordFormat } from './record-format.ts';

export interface CaptureFileOptions {
  /** Bytes read per chunk (grown when a single record is larger). */
  chunkBytes?: number;
  /** pcapng only: which named interfaces to read (packets of unnamed interfaces are always read). */
  interfaceFilter?: InterfaceFilter;
}

export interface CaptureFileCounters extends FormatCounters {
  /** Bytes at the end of the file that did not make a whole record (the writer was stopped mid-record). */
  truncatedTailBytes: number;
  fileBytes: number;
}

export type CaptureFileKind = 'pcap' | 'pcapng';

const DEFAULT_CHUNK_BYTES = 4 << 20;

export class CaptureFile {
  readonly path: string;
  readonly kind: CaptureFileKind;
  readonly counters: CaptureFileCounters;
  private readonly fh: FileHandle;
  private readonly format: RecordFormat;
  private buf: Uint8Array;
  private view: DataView;
  /** File offset of buf[0]. */
  private bufFileOffset = 0;
  private start: number;
  private end: number;
  private eof = false;

  private constructor(path: string, fh: FileHandle, kind: CaptureFileKind, format: RecordFormat, buf: Uint8Array, start: number, end: number, counters: CaptureFileCounters) {
    this.path = path;
    this.fh = fh;
    this.kind = kind;
    this.format = format;
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.start = start;
    this.end = end;
    this.counters = counters;
  }

  /** Opens the file and reads its header; the format is recognised by its magic, not its name. */
  static async open(path: string, opts: CaptureFileOptions = {}): Promise<CaptureFile> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      throw new CleartapError('CT_ERR_PCAP', `${path}: cannot open (${errorCode(err) ?? String(err)})`, 'check the path and its permissions', { cause: err });
    }
    try {
      const buf = new Uint8Array(Math.max(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, 64 << 10));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const counters: CaptureFileCounters = { ...newFormatCounters(), truncatedTailBytes: 0, fileBytes: bytesRead };
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      if (bytesRead < 4) throw notCapture(path, bytesRead === 0 ? 'the file is empty' : 'the file is too short');
      const magic = view.getUint32(0, false);
      const packet = newCapturedPacket();
      if (magic === PCAPNG_SHB) {
        return new CaptureFile(path, fh, 'pcapng', new PcapngFormat(path, packet, counters, opts.interfaceFilter), buf, 0, bytesRead, counters);
      }
      if (isPcapMagic(magic)) {
        if (bytesRead < PCAP_HEADER_BYTES) throw notCapture(path, 'the pcap header is cut short');
        return new CaptureFile(path, fh, 'pcap', new PcapFormat(path, view, packet, counters), buf, PCAP_HEADER_BYTES, bytesRead, counters);
      }
      throw notCapture(path, magic >>> 16 === 0x1f8b ? 'it is gzip-compressed (gunzip it first)' : `unknown magic 0x${magic.toString(16).padStart(8, '0')}`);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** The link type of a pcap file, or of each interface of a pcapng file's current section. */
  linkTypes(): number[] {
    return this.format instanceof PcapFormat ? [this.format.linkType] : (this.format as PcapngFormat).interfaces.map((i) => i.linkType);
  }

  /**
   * Visits the packets of the next chunk of the file. Resolves false once the file is exhausted (then nothing
   * was visited). Throws CleartapError CT_ERR_PCAP on a corrupt record, after visiting the ones before it.
   */
  async readChunk(visit: PacketVisitor): Promise<boolean> {
    for (;;) {
      const before = this.start;
      this.start = this.format.parse(this.buf, this.view, this.start, this.end, this.bufFileOffset, visit);
      if (this.start > before) return true;
      if (this.eof) {
        this.counters.truncatedTailBytes += this.end - this.start;
        this.start = this.end;
        return false;
      }
      await this.refill();
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  /** Keeps the unparsed tail, grows the buffer when one record needs more, and reads after it. */
  private async refill(): Promise<void> {
    const pending = this.end - this.start;
    const need = Math.min(this.format.needed(this.view, this.start, this.end), MAX_RECORD_BYTES + 16);
    if (need > this.buf.length) {
      const bigger = new Uint8Array(Math.max(need, this.buf.length * 2));
      bigger.set(this.buf.subarray(this.start, this.end));
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    } else {
      this.buf.copyWithin(0, this.start, this.end);
    }
    this.bufFileOffset += this.start;
    this.start = 0;
    this.end = pending;
    const { bytesRead } = await this.fh.read(this.buf, this.end, this.buf.length - this.end, this.bufFileOffset + this.end);
    this.counters.fileBytes += bytesRead;
    this.end += bytesRead;
    if (bytesRead === 0) this.eof = true;
  }
}

function notCapture(path: string, why: string): CleartapError {
  return new CleartapError('CT_ERR_PCAP', `${path}: not a pcap or pcapng file: ${why}`, 'cleartap read takes files written by tcpdump, tshark, dumpcap or Wireshark');
}
