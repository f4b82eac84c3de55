import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import {
  builtinRegistry,
  devFromMajorMinor,
  nodeModule,
  OPENSSL_VERSION_TEXT,
  opensslModule,
  parseMaps,
  TlsLibraryRegistry,
  versionFromText,
} from './index.ts';

test('registry: a duplicate module name is refused with a code, the first stays', () => {
  const r = new TlsLibraryRegistry();
  assert.deepEqual(r.register(opensslModule), { ok: true });
  const again = r.register({ ...nodeModule, name: 'openssl' });
  assert.equal(again.ok, false);
  if (!again.ok) assert.equal(again.code, 'CT_ERR_TLS_DUPLICATE_MODULE');
  assert.equal(r.modules.length, 1);
  assert.equal(r.get('openssl'), opensslModule);
});

test('registry: built-in order puts node before the generic static OpenSSL module', () => {
  const r = builtinRegistry();
  assert.deepEqual(r.modules.map((m) => m.name), ['openssl', 'gnutls', 'node', 'static-openssl']);
  assert.deepEqual(r.candidatesFor('executable', 'anything').map((m) => m.name), ['node', 'static-openssl']);
  assert.deepEqual(r.candidatesFor('shared-library', 'libssl.so.3').map((m) => m.name), ['openssl']);
  assert.deepEqual(r.candidatesFor('shared-library', 'libgnutls.so.30').map((m) => m.name), ['gnutls']);
  for (const n of ['libgnutls-openssl.so.27', 'libgnutls-dane.so.0', 'libgnutlsxx.so.30']) assert.deepEqual(r.candidatesFor('shared-library', n), [], n);
});

test('openssl module: libssl file names, not NSS libssl3.so or GnuTLS compat', () => {
  for (const n of ['libssl.so', 'libssl.so.3', 'libssl.so.1.1', 'libssl.so.10']) assert.ok(opensslModule.matchesFileName(n), n);
  for (const n of ['libssl3.so', 'libgnutls-openssl.so.27', 'libssl.so.3.bak', 'libssl.a', 'libcrypto.so.3']) {
    assert.equal(opensslModule.matchesFileName(n), false, n);
  }
});

test('OpenSSL version text: accepted forms and the decoys in node .rodata', () => {
  for (const [text, version] of [
    ['OpenSSL 3.0.19 27 Jan 2026', '3.0.19'],
    ['OpenSSL 3.5.8 25 Aug 2026', '3.5.8'],
    ['OpenSSL 1.1.1w  11 Sep 2023', '1.1.1w'],
    ['OpenSSL 3.2.0-beta1 26 Oct 2023', '3.2.0'],
  ] as const) {
    assert.ok(OPENSSL_VERSION_TEXT.test(text), text);
    assert.equal(versionFromText(text), version);
  }
  for (const text of ['OpenSSL 3.0 legacy provider', 'OpenSSL 3.0.19', 'OpenSSL default', 'OpenSSL 3.0.19 27 Jan 2026 extra']) {
    assert.equal(OPENSSL_VERSION_TEXT.test(text), false, text);
  }
});

test('maps: one entry per file, exec flag merged, deleted marker stripped, pseudo mappings ignored', () => {
  const text = [
    '557a81cd2000-557a81cd3000 r--p 00000000 fe:00 26723                      /usr/bin/python3.11',
    '557a81cd3000-557a81cd4000 r-xp 00001000 fe:00 26723                      /usr/bin/python3.11',
    '7f2f29210000-7f2f2922f000 r--p 00000000 00:2f 339900                     /usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)',
    '7f2f2922f000-7f2f2928c000 r-xp 0001f000 00:2f 339900                     /usr/lib/x86_64-linux-gnu/libssl.so.3 (deleted)',
    '7f2f29300000-7f2f29301000 r-xp 00000000 fe:00 1234                       /opt/my app/lib with space.so',
    '7f2f29400000-7f2f29401000 rw-p 00000000 00:00 0                          [heap]',
    '7f2f29500000-7f2f29501000 r-xp 00000000 00:00 0 ',
    '7ffd1000-7ffd2000 r-xp 00000000 00:00 0                                  [vdso]',
    'garbage line',
    '',
  ].join('\n');
  assert.deepEqual(parseMaps(text), [
    { path: '/usr/bin/python3.11', deleted: false, dev: 65024, ino: 26723, executable: true, range: '557a81cd2000-557a81cd3000' },
    {
      path: '/usr/lib/x86_64-linux-gnu/libssl.so.3',
      deleted: true,
      dev: 47,
      ino: 339900,
      executable: true,
      range: '7f2f29210000-7f2f2922f000',
    },
    { path: '/opt/my app/lib with space.so', deleted: false, dev: 65024, ino: 1234, executable: true, range: '7f2f29300000-7f2f29301000' },
  ]);
});

test('maps dev numbers equal stat() dev numbers (same encoding as glibc makedev)', () => {
  assert.equal(devFromMajorMinor(0xfe, 0x00), 65024);
  assert.equal(devFromMajorMinor(8, 1), 2049);
  assert.equal(devFromMajorMinor(259, 0x1234), 0x12 * 0x100000 + 259 * 0x100 + 0x34);
  // This process's own executable mapping must carry the same (dev, ino) as stat() reports.
  const exe = parseMaps(readFileSync('/proc/self/maps', 'utf8')).find((f) => f.path === process.execPath);
  assert.ok(exe);
  const st = statSync(process.execPath);
  assert.deepEqual([exe.dev, exe.ino], [st.dev, st.ino]);
});
