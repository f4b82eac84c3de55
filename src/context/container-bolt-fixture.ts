// Test support: writes small BoltDB files in bbolt's on-disk format, so the reader is tested against files with
// inline buckets, paged buckets behind a branch page, overflow values and two meta pages, without podman.
// Not part of the folder's public surface.

export const FIXTURE_PAGE_SIZE = 4096;

const LEAF = 0x02;
const BRANCH = 0x01;
const META = 0x04;
const FREELIST = 0x10;
const BUCKET_LEAF = 0x01;

export interface BoltItem {
  key: string;
  /** Bytes (or text) of a plain value, or the bucket value made by inlineBucket()/pagedBucket(). */
  value: Buffer | string;
  bucket?: boolean;
}

function fnv1a64(bytes: Buffer): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash;
}

// Elements then key/value data; an element's pos is relative to the element itself.
function leafBody(items: readonly BoltItem[]): Buffer {
  const sorted = [...items].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const elems = Buffer.alloc(16 * sorted.length);
  const data: Buffer[] = [];
  let dataOff = elems.length;
  sorted.forEach((item, i) => {
    const key = Buffer.from(item.key);
    const value = Buffer.isBuffer(item.value) ? item.value : Buffer.from(item.value);
    elems.writeUInt32LE(item.bucket === true ? BUCKET_LEAF : 0, 16 * i);
    elems.writeUInt32LE(dataOff - 16 * i, 16 * i + 4);
    elems.writeUInt32LE(key.length, 16 * i + 8);
    elems.writeUInt32LE(value.length, 16 * i + 12);
    data.push(key, value);
    dataOff += key.length + value.length;
  });
  return Buffer.concat([elems, ...data]);
}

function pageHeader(id: bigint, flags: number, count: number, overflow: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeBigUInt64LE(id, 0);
  h.writeUInt16LE(flags, 8);
  h.writeUInt16LE(count, 10);
  h.writeUInt32LE(overflow, 12);
  return h;
}

export class BoltFileBuilder {
  readonly #pages = new Map<number, Buffer>();
  #next = 3; // 0 and 1: meta pages, 2: the freelist

  #place(flags: number, count: number, body: Buffer): bigint {
    const pages = Math.ceil((16 + body.length) / FIXTURE_PAGE_SIZE);
    const pgid = this.#next;
    this.#next += pages;
    const buf = Buffer.alloc(pages * FIXTURE_PAGE_SIZE);
    pageHeader(BigInt(pgid), flags, count, pages - 1).copy(buf, 0);
    body.copy(buf, 16);
    this.#pages.set(pgid, buf);
    return BigInt(pgid);
  }

  /** A bucket stored inside its parent's value (what bbolt does for small buckets). */
  inlineBucket(items: readonly BoltItem[]): Buffer {
    return Buffer.concat([Buffer.alloc(16), pageHeader(0n, LEAF, items.length, 0), leafBody(items)]);
  }

  /** A bucket on its own pages: leaves of `perLeaf` items, under a branch page when there is more than one. */
  pagedBucket(items: readonly BoltItem[], perLeaf = items.length): Buffer {
    const sorted = [...items].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
    const leaves: Array<{ first: string; pgid: bigint }> = [];
    for (let i = 0; i < sorted.length; i += Math.max(1, perLeaf)) {
      const chunk = sorted.slice(i, i + Math.max(1, perLeaf));
      leaves.push({ first: chunk[0]?.key ?? '', pgid: this.#place(LEAF, chunk.length, leafBody(chunk)) });
    }
    let root = leaves[0]?.pgid ?? this.#place(LEAF, 0, Buffer.alloc(0));
    if (leaves.length > 1) {
      const elems = Buffer.alloc(16 * leaves.length);
      const keys: Buffer[] = [];
      let dataOff = elems.length;
      leaves.forEach((leaf, i) => {
        const key = Buffer.from(leaf.first);
        elems.writeUInt32LE(dataOff - 16 * i, 16 * i);
        elems.writeUInt32LE(key.length, 16 * i + 4);
        elems.writeBigUInt64LE(leaf.pgid, 16 * i + 8);
        keys.push(key);
        dataOff += key.length;
      });
      root = this.#place(BRANCH, leaves.length, Buffer.concat([elems, ...keys]));
    }
    const header = Buffer.alloc(16);
    header.writeBigUInt64LE(root, 0);
    return header;
  }

  /**
   * The file, with the root bucket holding `rootItems` in the newest transaction (meta page 1) and
   * `olderRootItems` in the previous one (meta page 0; default: a root pointing at the freelist, which holds
   * nothing). `corruptNewest` breaks the newest meta's checksum, as a torn write would.
   */
  build(rootItems: readonly BoltItem[], options: { txid?: bigint; corruptNewest?: boolean; olderRootItems?: readonly BoltItem[] } = {}): Buffer {
    const root = this.#place(LEAF, rootItems.length, leafBody(rootItems));
    const older = options.olderRootItems === undefined ? 2n : this.#place(LEAF, options.olderRootItems.length, leafBody(options.olderRootItems));
    const txid = options.txid ?? 7n;
    const meta = (pageId: number, tx: bigint, rootPgid: bigint, corrupt: boolean): Buffer => {
      const page = Buffer.alloc(FIXTURE_PAGE_SIZE);
      pageHeader(BigInt(pageId), META, 0, 0).copy(page, 0);
      const m = page.subarray(16);
      m.writeUInt32LE(0xed0cdaed, 0);
      m.writeUInt32LE(2, 4);
      m.writeUInt32LE(FIXTURE_PAGE_SIZE, 8);
      m.writeBigUInt64LE(rootPgid, 16);
      m.writeBigUInt64LE(2n, 32);
      m.writeBigUInt64LE(BigInt(this.#next), 40);
      m.writeBigUInt64LE(tx, 48);
      m.writeBigUInt64LE(fnv1a64(m.subarray(0, 56)) ^ (corrupt ? 1n : 0n), 56);
      return page;
    };
    const pages: Buffer[] = [meta(0, txid - 1n, older, false), meta(1, txid, root, options.corruptNewest === true)];
    const freelist = Buffer.alloc(FIXTURE_PAGE_SIZE);
    pageHeader(2n, FREELIST, 0, 0).copy(freelist, 0);
    pages.push(freelist);
    for (let pgid = 3; pgid < this.#next; ) {
      const page = this.#pages.get(pgid);
      if (page === undefined) throw new Error(`bolt fixture: no page ${pgid}`);
      pages.push(page);
      pgid += page.length / FIXTURE_PAGE_SIZE;
    }
    return Buffer.concat(pages);
  }
}
