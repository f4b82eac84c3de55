// Incremental decoder for the chunked transfer coding (RFC 9112 §7.1): a byte-level state machine, so chunk
// lines may be split anywhere between pushes without buffering. Chunk data is handed on in bulk; only the
// trailer section (rare, bounded by maxHeaderBytes) is collected before it is parsed as field lines.
import type { HeaderList } from '../../core/transaction.ts';
import type { BodyCollector } from './body-collector.ts';
import { CR, HTAB, latin1View, LF, parseFieldLines, SP } from './head-lines.ts';

const St = {
  size: 0,
  sizeWs: 1,
  ext: 2,
  sizeLf: 3,
  data: 4,
  dataCr: 5,
  dataLf: 6,
  trailerLineStart: 7,
  trailerLine: 8,
  trailerLf: 9,
  done: 10,
  error: 11,
} as const;
type St = (typeof St)[keyof typeof St];

/** 16^13 = 2^52: a size with more significant hex digits could not be counted exactly. */
const MAX_CHUNK_SIZE = 2 ** 52;

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

export class ChunkedDecoder {
  /** Set when the state machine hit bytes that are not chunked framing. */
  error: string | null = null;
  errorAt = 0;
  trailers: HeaderList | undefined = undefined;
  private state: St = St.size;
  private remaining = 0;
  private digits = 0;
  private lineBytes = 0;
  private maxLineBytes = 0;
  private trailerBuf: Uint8Array | null = null;
  private trailerLen = 0;

  /** `maxHeaderBytes` bounds a chunk-size line (extensions included) and the trailer section. */
  reset(maxHeaderBytes: number): void {
    this.error = null;
    this.errorAt = 0;
    this.trailers = undefined;
    this.state = St.size;
    this.remaining = 0;
    this.digits = 0;
    this.lineBytes = 0;
    this.maxLineBytes = maxHeaderBytes;
    this.trailerBuf = null;
    this.trailerLen = 0;
  }

  get done(): boolean {
    return this.state === St.done;
  }

  get failed(): boolean {
    return this.state === St.error;
  }

  /**
   * A gap of `n` bytes: absorbed (true) when it falls inside the current chunk's data, because the framing
   * after it is still known. Anywhere else the position of the next chunk line is lost (false).
   */
  skipData(n: number, body: BodyCollector): boolean {
    if (this.state !== St.data || n > this.remaining) return false;
    body.lose(n);
    this.remaining -= n;
    if (this.remaining === 0) this.state = St.dataCr;
    return true;
  }

  /** Decodes buf[pos, end), sending chunk data to `body`; returns where it stopped (end, done or error). */
  feed(buf: Uint8Array, pos: number, end: number, body: BodyCollector): number {
    let p = pos;
    while (p < end) {
      switch (this.state) {
        case St.data: {
          const take = Math.min(this.remaining, end - p);
          body.append(buf, p, p + take);
          p += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = St.dataCr;
          break;
        }
        case St.size: {
          const b = buf[p];
          const h = hexValue(b);
          if (h >= 0) {
            this.remaining = this.remaining * 16 + h;
            if (this.remaining > MAX_CHUNK_SIZE) return this.fail('chunk size too large', p);
            this.digits++;
            p++;
          } else if (this.digits === 0) {
            return this.fail('invalid chunk size', p);
          } else {
            this.state = St.sizeWs; // re-examine b there
          }
          break;
        }
        case St.sizeWs: {
          const b = buf[p];
          // BWS before an extension is tolerated, as llhttp does.
          if (b === 0x3b /* ; */) this.state = St.ext;
          else if (b === CR) this.state = St.sizeLf;
          else if (b === LF) this.endSizeLine();
          else if (b !== SP && b !== HTAB) return this.fail('invalid byte after chunk size', p);
          p++;
          break;
        }
        case St.ext: {
          // Extensions are ignored (RFC 9112 §7.1.1), but bounded: an endless "extension" is not chunked data.
          const lf = buf.indexOf(LF, p);
          const stop = lf < 0 || lf >= end ? end : lf;
          this.lineBytes += stop - p;
          if (this.lineBytes > this.maxLineBytes) return this.fail('chunk extension too long', stop);
          p = stop;
          if (stop < end) {
            this.endSizeLine();
            p++;
          }
          break;
        }
        case St.sizeLf:
          if (buf[p] !== LF) return this.fail('expected LF after chunk size', p);
          this.endSizeLine();
          p++;
          break;
        case St.dataCr: {
          const b = buf[p];
          if (b === CR) this.state = St.dataLf;
          else if (b === LF) this.startSizeLine();
          else return this.fail('missing CRLF after chunk data', p);
          p++;
          break;
        }
        case St.dataLf:
          if (buf[p] !== LF) return this.fail('missing LF after chunk data', p);
          this.startSizeLine();
          p++;
          break;
        case St.trailerLineStart: {
          const b = buf[p];
          if (b === CR) {
            this.state = St.trailerLf;
            p++;
          } else if (b === LF) {
            p = this.finishTrailers(p + 1);
          } else {
            this.state = St.trailerLine;
          }
          break;
        }
        case St.trailerLine: {
          const lf = buf.indexOf(LF, p);
          const stop = lf < 0 || lf >= end ? end : lf + 1;
          if (!this.collectTrailer(buf, p, stop)) return this.fail('trailer section exceeds maxHeaderBytes', stop);
          p = stop;
          if (lf >= 0 && lf < end) this.state = St.trailerLineStart;
          break;
        }
        case St.trailerLf:
          if (buf[p] !== LF) return this.fail('expected LF after trailer section', p);
          p = this.finishTrailers(p + 1);
          break;
        case St.done:
        case St.error:
          return p;
      }
      if (this.done) return p;
    }
    return p;
  }

  private startSizeLine(): void {
    this.state = St.size;
    this.remaining = 0;
    this.digits = 0;
    this.lineBytes = 0;
  }

  private endSizeLine(): void {
    this.state = this.remaining === 0 ? St.trailerLineStart : St.data;
  }

  private collectTrailer(buf: Uint8Array, from: number, to: number): boolean {
    const need = this.trailerLen + (to - from);
    if (need > this.maxLineBytes) return false;
    let tb = this.trailerBuf;
    if (tb === null || tb.length <= need) { // one spare byte for the closing LF (finishTrailers)
      const doubled = tb === null ? 0 : tb.length * 2;
      const grown = new Uint8Array(Math.min(this.maxLineBytes + 1, Math.max(need + 1, 256, doubled)));
      if (tb !== null) grown.set(tb.subarray(0, this.trailerLen));
      this.trailerBuf = tb = grown;
    }
    tb.set(buf.subarray(from, to), this.trailerLen);
    this.trailerLen = need;
    return true;
  }

  /** The empty line ended the trailer section at `after`; parse what was collected (usually nothing). */
  private finishTrailers(after: number): number {
    const tb = this.trailerBuf;
    if (tb !== null && this.trailerLen > 0) {
      // parseFieldLines wants the closing empty line; a bare LF is enough and always fits (capacity > need).
      tb[this.trailerLen] = LF;
      const fields = parseFieldLines(tb, latin1View(tb), 0, this.trailerLen + 1);
      if (!Array.isArray(fields)) return this.fail(`invalid trailer: ${fields.reason}`, after - 1);
      if (fields.length > 0) this.trailers = fields;
    }
    this.trailerBuf = null;
    this.state = St.done;
    return after;
  }

  private fail(reason: string, at: number): number {
    this.error = reason;
    this.errorAt = at;
    this.state = St.error;
    return at;
  }
}
