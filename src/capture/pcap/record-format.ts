// The contract between the file reader (which owns the buffer and the file offset) and the two file formats.
import { CleartapError } from '../../core/errors.ts';
import type { PacketVisitor } from './captured-packet.ts';

/**
 * A record or block larger than this is taken for corruption rather than read: the largest real packets
 * (loopback GSO, BIG TCP) stay well below it, and it bounds the reader's buffer.
 */
export const MAX_RECORD_BYTES = 16 << 20;

/** Bytes of a record the caller must supply before `parse` can make progress. */
export type NeedBytes = number;

export interface RecordFormat {
  /**
   * Visits every whole record in bytes[pos, end) and returns the offset of the first one that is not whole
   * (`end` when all were). `fileOffset` is the file position of bytes[0], for error messages.
   */
  parse(bytes: Uint8Array, view: DataView, pos: number, end: number, fileOffset: number, visit: PacketVisitor): number;
  /** How many bytes the record starting at `pos` needs in all (its header must be there), else a header's size. */
  needed(view: DataView, pos: number, end: number): NeedBytes;
}

export interface FormatCounters {
  /** Packet records read. */
  records: number;
  /** pcapng blocks that carry no packets and are not needed (statistics, name resolution, custom). */
  blocksSkipped: number;
  /** Packets whose interface is unknown (an EPB naming an interface no IDB described). */
  unknownInterface: number;
  /** Packets on interfaces the interface filter leaves out. */
  interfaceFiltered: number;
}

export function newFormatCounters(): FormatCounters {
  return { records: 0, blocksSkipped: 0, unknownInterface: 0, interfaceFiltered: 0 };
}

export function corrupt(path: string, fileOffset: number, what: string): CleartapError {
  return new CleartapError(
    'CT_ERR_PCAP',
    `${path}: corrupt capture file at byte ${fileOffset}: ${what}`,
    'the file is damaged or was cut while being written; packets before this point were read',
  );
}
