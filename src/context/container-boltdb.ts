// Read-only lookup in a BoltDB file (go.etcd.io/bbolt), the format of podman 4's state database
// (/var/lib/containers/storage/libpod/bolt_state.db). The only copy of a podman container's labels and pod lives
// there, as JSON under ctr/<id>/config.
//
// Pure: takes the file's bytes, so it never blocks on I/O and tests can hand it a built file. The database is
// written in place while we read a copy, so every offset is bounds-checked and a torn or foreign file yields
// undefined, never an exception or a value from outside the file.
//
// Layout (bbolt's page.go/node.go/bucket.go): page = 16-byte header {id u64, flags u16, count u16, overflow u32}
// followed by `count` 16-byte elements; a leaf element is {flags u32, pos u32, ksize u32, vsize u32} with the key at
// element+pos and the value right after it; a branch element is {pos u32, ksize u32, pgid u64}. Pages 0 and 1 are
// meta pages; the valid one with the higher txid names the root bucket. A bucket value is {root pgid u64, sequence
// u64}, followed by the bucket's own page when root is 0 (an inline bucket).

const MAGIC = 0xed0cdaed;
const PAGE_HEADER = 16;
const ELEMENT = 16;
const BRANCH_PAGE = 0x01;
const LEAF_PAGE = 0x02;
const BUCKET_LEAF = 0x01;
const BUCKET_HEADER = 16;
// A corrupt file could describe a cycle; no real tree is this deep.
const MAX_DEPTH = 64;

interface PageRef {
  /** Bytes holding the page, starting at its header. */
  buf: Buffer;
  at: number;
}

/** Whether the bytes start with a BoltDB meta page (cheap format check before a lookup). */
export function isBoltDb(file: Buffer): boolean {
  return file.length >= PAGE_HEADER + 64 && file.readUInt32LE(PAGE_HEADER) === MAGIC;
}

// FNV-1a 64 over the meta fields before the checksum, as bbolt's meta.sum64().
function fnv1a64(bytes: Buffer): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash;
}

interface Meta {
  pageSize: number;
  rootPgid: bigint;
  txid: bigint;
}

function readMeta(file: Buffer, offset: number): Meta | undefined {
  const m = offset + PAGE_HEADER;
  if (m + 64 > file.length) return undefined;
  if (file.readUInt32LE(m) !== MAGIC || file.readUInt32LE(m + 4) !== 2) return undefined;
  if (fnv1a64(file.subarray(m, m + 56)) !== file.readBigUInt64LE(m + 56)) return undefined;
  return { pageSize: file.readUInt32LE(m + 8), rootPgid: file.readBigUInt64LE(m + 16), txid: file.readBigUInt64LE(m + 48) };
}

function currentMeta(file: Buffer): Meta | undefined {
  const first = readMeta(file, 0);
  // The second meta page sits one page in; the page size comes from whichever meta is readable.
  const pageSize = first?.pageSize ?? (file.length >= PAGE_HEADER + 12 ? file.readUInt32LE(PAGE_HEADER + 8) : 0);
  if (pageSize < 512 || pageSize > 65536) return first;
  const second = readMeta(file, pageSize);
  if (first === undefined) return second;
  if (second === undefined) return first;
  return second.txid > first.txid ? second : first;
}

function pageAt(file: Buffer, meta: Meta, pgid: bigint): PageRef | undefined {
  const at = Number(pgid) * meta.pageSize;
  if (!Number.isSafeInteger(at) || pgid < 2n || at + PAGE_HEADER > file.length) return undefined;
  return { buf: file, at };
}

function element(page: PageRef, i: number): number | undefined {
  const at = page.at + PAGE_HEADER + i * ELEMENT;
  return at + ELEMENT <= page.buf.length ? at : undefined;
}

function keyAt(buf: Buffer, start: number, length: number): Buffer | undefined {
  return start >= 0 && start + length <= buf.length ? buf.subarray(start, start + length) : undefined;
}

interface Found {
  flags: number;
  value: Buffer;
}

// Finds `key` in the tree rooted at `page`. Keys are sorted bytewise; a branch element's key is the first key of
// its subtree, so the child to follow is the last one whose key is <= the wanted key.
function seek(file: Buffer, meta: Meta, page: PageRef, key: Buffer, depth: number): Found | undefined {
  if (depth > MAX_DEPTH || page.at + PAGE_HEADER > page.buf.length) return undefined;
  const flags = page.buf.readUInt16LE(page.at + 8);
  const count = page.buf.readUInt16LE(page.at + 10);
  if (flags & BRANCH_PAGE) {
    let child: bigint | undefined;
    for (let i = 0; i < count; i++) {
      const e = element(page, i);
      if (e === undefined) return undefined;
      const k = keyAt(page.buf, e + page.buf.readUInt32LE(e), page.buf.readUInt32LE(e + 4));
      if (k === undefined) return undefined;
      if (i > 0 && Buffer.compare(k, key) > 0) break;
      child = page.buf.readBigUInt64LE(e + 8);
    }
    const next = child === undefined ? undefined : pageAt(file, meta, child);
    return next === undefined ? undefined : seek(file, meta, next, key, depth + 1);
  }
  if (!(flags & LEAF_PAGE)) return undefined;
  for (let i = 0; i < count; i++) {
    const e = element(page, i);
    if (e === undefined) return undefined;
    const pos = page.buf.readUInt32LE(e + 4);
    const ksize = page.buf.readUInt32LE(e + 8);
    const vsize = page.buf.readUInt32LE(e + 12);
    const k = keyAt(page.buf, e + pos, ksize);
    if (k === undefined) return undefined;
    if (k.equals(key)) {
      const value = keyAt(page.buf, e + pos + ksize, vsize);
      return value === undefined ? undefined : { flags: page.buf.readUInt32LE(e), value };
    }
  }
  return undefined;
}

function bucketRoot(file: Buffer, meta: Meta, bucketValue: Buffer): PageRef | undefined {
  if (bucketValue.length < BUCKET_HEADER) return undefined;
  const root = bucketValue.readBigUInt64LE(0);
  if (root === 0n) return { buf: bucketValue, at: BUCKET_HEADER };
  return pageAt(file, meta, root);
}

/**
 * The value at bucket path `buckets` and key `key` (e.g. ['ctr', id], 'config'), or undefined when any part is
 * missing or the file is not a readable BoltDB. The returned bytes are a view into `file`.
 */
export function boltGet(file: Buffer, buckets: readonly string[], key: string): Buffer | undefined {
  if (!isBoltDb(file)) return undefined;
  const meta = currentMeta(file);
  if (meta === undefined) return undefined;
  let page = pageAt(file, meta, meta.rootPgid);
  for (const name of buckets) {
    if (page === undefined) return undefined;
    const found = seek(file, meta, page, Buffer.from(name), 0);
    if (found === undefined || !(found.flags & BUCKET_LEAF)) return undefined;
    page = bucketRoot(file, meta, found.value);
  }
  if (page === undefined) return undefined;
  const found = seek(file, meta, page, Buffer.from(key), 0);
  return found === undefined || found.flags & BUCKET_LEAF ? undefined : found.value;
}
