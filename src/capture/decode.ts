// Decodes a ring-buffer batch (native/cleartap.c: [u32 len][u32 0][record, padded to 8]…) with one
// DataView, handing each record to a handler. The record objects are reused between calls (no
// allocation per event besides the payload view): a handler copies what it keeps.
import * as W from './wire.ts';

export interface DataRecord {
  source: number; // W.CT_SRC_*
  op: number; // W.CT_OP_*
  gap: boolean; // W.CT_F_GAP: `callLen` bytes at `offset` were not captured
  pid: number;
  tid: number;
  tsNs: number;
  /** syscall: conn id; tls: the SSL* (user-space pointers fit a double exactly). */
  stream: number;
  offset: number;
  callLen: number;
  cookie: number;
  payload: Uint8Array;
}

export interface ConnRecord {
  dir: number;
  family: number;
  pid: number;
  tsNs: number;
  connId: number;
  fd: number;
  localAddr: Uint8Array;
  localPort: number;
  remoteAddr: Uint8Array;
  remotePort: number;
}

export interface CloseRecord {
  pid: number;
  tsNs: number;
  connId: number;
  ssl: number;
  fd: number;
  sent: number;
  received: number;
}

export interface BindRecord {
  pid: number;
  tsNs: number;
  ssl: number;
  connId: number;
  fd: number;
  cookie: number;
}

export interface ExecRecord {
  pid: number;
  ppid: number;
  uid: number;
  tsNs: number;
  filename: string;
  argv: string[];
  /** The kernel copied only the first CT_EXEC_ARGS_LEN bytes of argv. */
  argvTruncated: boolean;
}

export interface CaptureHandler {
  onData(r: DataRecord): void;
  onConn(r: ConnRecord): void;
  onClose(r: CloseRecord): void;
  onBind(r: BindRecord): void;
  onExec(r: ExecRecord): void;
  onExit(pid: number, tsNs: number): void;
}

export interface DecodeStats {
  records: number;
  malformed: number;
}

const TWO32 = 2 ** 32;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function u64(v: DataView, at: number): number {
  return v.getUint32(at, true) + v.getUint32(at + 4, true) * TWO32;
}

export class BatchDecoder {
  readonly stats: DecodeStats = { records: 0, malformed: 0 };
  private readonly handler: CaptureHandler;
  private readonly data: DataRecord = { source: 0, op: 0, gap: false, pid: 0, tid: 0, tsNs: 0, stream: 0, offset: 0, callLen: 0, cookie: 0, payload: new Uint8Array(0) };
  private readonly conn: ConnRecord = { dir: 0, family: 0, pid: 0, tsNs: 0, connId: 0, fd: 0, localAddr: new Uint8Array(0), localPort: 0, remoteAddr: new Uint8Array(0), remotePort: 0 };
  private readonly close: CloseRecord = { pid: 0, tsNs: 0, connId: 0, ssl: 0, fd: 0, sent: 0, received: 0 };
  private readonly bind: BindRecord = { pid: 0, tsNs: 0, ssl: 0, connId: 0, fd: 0, cookie: 0 };

  constructor(handler: CaptureHandler) {
    this.handler = handler;
  }

  decode(batch: ArrayBuffer): void {
    const view = new DataView(batch);
    const bytes = new Uint8Array(batch);
    let pos = 0;
    while (pos + 8 <= batch.byteLength) {
      const len = view.getUint32(pos, true);
      const at = pos + 8;
      pos = at + ((len + 7) & ~7);
      if (len < 8 || at + len > batch.byteLength) {
        this.stats.malformed++;
        break;
      }
      this.stats.records++;
      this.record(view, bytes, at, len);
    }
  }

  private record(v: DataView, bytes: Uint8Array, at: number, len: number): void {
    switch (v.getUint8(at)) {
      case W.CT_EV_DATA: {
        const E = W.dataEvent;
        const payloadLen = v.getUint32(at + E.len, true);
        if (len < E.SIZE + payloadLen) return void this.stats.malformed++;
        const d = this.data;
        d.source = v.getUint8(at + E.source);
        d.op = v.getUint8(at + E.op);
        d.gap = (v.getUint8(at + E.flags) & W.CT_F_GAP) !== 0;
        d.pid = v.getUint32(at + E.pid, true);
        d.tid = v.getUint32(at + E.tid, true);
        d.tsNs = u64(v, at + E.ts_ns);
        d.stream = u64(v, at + E.stream);
        d.offset = u64(v, at + E.offset);
        d.callLen = v.getUint32(at + E.call_len, true);
        d.cookie = v.getUint32(at + E.cookie, true);
        d.payload = bytes.subarray(at + E.data, at + E.data + payloadLen);
        return this.handler.onData(d);
      }
      case W.CT_EV_CONN: {
        const E = W.connEvent;
        if (len < E.SIZE) return void this.stats.malformed++;
        const c = this.conn;
        c.dir = v.getUint8(at + E.dir);
        c.family = v.getUint16(at + E.family, true);
        c.pid = v.getUint32(at + E.pid, true);
        c.tsNs = u64(v, at + E.ts_ns);
        c.connId = u64(v, at + E.conn_id);
        c.fd = v.getUint32(at + E.fd, true);
        c.localPort = v.getUint16(at + E.lport, true);
        c.remotePort = v.getUint16(at + E.rport, true);
        c.localAddr = bytes.subarray(at + E.laddr, at + E.laddr + 16);
        c.remoteAddr = bytes.subarray(at + E.raddr, at + E.raddr + 16);
        return this.handler.onConn(c);
      }
      case W.CT_EV_CLOSE: {
        const E = W.closeEvent;
        if (len < E.SIZE) return void this.stats.malformed++;
        const c = this.close;
        c.pid = v.getUint32(at + E.pid, true);
        c.tsNs = u64(v, at + E.ts_ns);
        c.connId = u64(v, at + E.conn_id);
        c.ssl = u64(v, at + E.ssl);
        c.fd = v.getUint32(at + E.fd, true);
        c.sent = u64(v, at + E.sent);
        c.received = u64(v, at + E.received);
        return this.handler.onClose(c);
      }
      case W.CT_EV_BIND: {
        const E = W.bindEvent;
        if (len < E.SIZE) return void this.stats.malformed++;
        const b = this.bind;
        b.pid = v.getUint32(at + E.pid, true);
        b.tsNs = u64(v, at + E.ts_ns);
        b.ssl = u64(v, at + E.ssl);
        b.connId = u64(v, at + E.conn_id);
        b.fd = v.getUint32(at + E.fd, true);
        b.cookie = v.getUint32(at + E.cookie, true);
        return this.handler.onBind(b);
      }
      case W.CT_EV_EXEC: {
        const E = W.execEvent;
        if (len < E.SIZE) return void this.stats.malformed++;
        const fnLen = Math.min(v.getUint32(at + E.filename_len, true), W.CT_EXEC_FILENAME_LEN);
        const argLen = Math.min(v.getUint32(at + E.args_len, true), W.CT_EXEC_ARGS_LEN);
        const args = utf8.decode(bytes.subarray(at + E.args, at + E.args + argLen));
        const argv = args.split('\0');
        while (argv.length && argv[argv.length - 1] === '') argv.pop(); // NUL-terminated, maybe padded
        return this.handler.onExec({
          pid: v.getUint32(at + E.pid, true),
          ppid: v.getUint32(at + E.ppid, true),
          uid: v.getUint32(at + E.uid, true),
          tsNs: u64(v, at + E.ts_ns),
          filename: latin1.decode(bytes.subarray(at + E.filename, at + E.filename + fnLen)),
          argv,
          argvTruncated: argLen >= W.CT_EXEC_ARGS_LEN,
        });
      }
      case W.CT_EV_EXIT: {
        const E = W.exitEvent;
        if (len < E.SIZE) return void this.stats.malformed++;
        return this.handler.onExit(v.getUint32(at + E.pid, true), u64(v, at + E.ts_ns));
      }
      default:
        this.stats.malformed++;
    }
  }
}
