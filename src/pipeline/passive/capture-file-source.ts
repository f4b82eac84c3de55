// `cleartap read FILE`: a .pcap/.pcapng file through the passive stages, as a stream of transaction batches (one
// per chunk of the file that completed any), so a consumer writes each batch before the next is read and
// memory stays flat however large the file is.
import { CaptureFile, type CaptureFileCounters } from '../../capture/pcap/index.ts';
import type { Transaction } from '../../core/transaction.ts';
import { PassiveStages, type PassiveStageOptions, type PassiveStageStatus } from './passive-stages.ts';

export interface CaptureFileSourceOptions extends PassiveStageOptions {
  /** Bytes read per chunk. */
  chunkBytes?: number;
}

export interface CaptureFileStatus extends PassiveStageStatus {
  file: CaptureFileCounters & { path: string; kind: string; linkTypes: number[] };
}

export class CaptureFileSource {
  private readonly file: CaptureFile;
  private readonly stages: PassiveStages;

  private constructor(file: CaptureFile, stages: PassiveStages) {
    this.file = file;
    this.stages = stages;
  }

  /** Opens the file (CT_ERR_PCAP when it is missing or not a capture file). */
  static async open(path: string, o: CaptureFileSourceOptions): Promise<CaptureFileSource> {
    const interfaces = o.passive.interfaces;
    const file = await CaptureFile.open(path, {
      chunkBytes: o.chunkBytes,
      interfaceFilter: interfaces ? (name) => name === undefined || interfaces.includes(name) : undefined,
    });
    return new CaptureFileSource(file, new PassiveStages(o));
  }

  /**
   * Transaction batches in file order; the file is closed when the loop ends (or breaks). A corrupt record
   * ends it with CT_ERR_PCAP after the batches read before it — and after the connections open at that point
   * are finished, so nothing captured is lost to the damage.
   */
  async *batches(): AsyncGenerator<Transaction[], void, undefined> {
    let failure: unknown;
    try {
      for (;;) {
        let more: boolean;
        try {
          more = await this.file.readChunk(this.stages.visit);
        } catch (err) {
          failure = err;
          break;
        }
        if (!more) break;
        const batch = this.stages.take();
        if (batch.length > 0) yield batch;
      }
      const last = this.stages.finish();
      if (last.length > 0) yield last;
      if (failure !== undefined) throw failure;
    } finally {
      await this.file.close();
    }
  }

  status(): CaptureFileStatus {
    const f = this.file;
    return { ...this.stages.status(), file: { ...f.counters, path: f.path, kind: f.kind, linkTypes: f.linkTypes() } };
  }
}
