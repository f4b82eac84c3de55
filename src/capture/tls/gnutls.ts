// GnuTLS: libgnutls.so.* mapped into a process (gnutls-cli, curl built against GnuTLS, wget, …).
// gnutls_record_send/recv have SSL_write/SSL_read's shape — (session, buffer, size) → bytes moved, ≤ 0 on
// failure — so the OpenSSL programs serve them unchanged (capture/probes.ts).

import type { TlsLibraryModule } from './library-module.ts';

// libgnutls.so.30 — not libgnutls-openssl.so (the OpenSSL-compatible layer over the same record functions,
// which would capture every call twice) nor libgnutls-dane / libgnutlsxx.
const LIBGNUTLS_NAME = /^libgnutls\.so(?:\.\d+)*$/;

/** The release ("3.7.9") that gnutls_check_version() returns, kept in .rodata as a bare string. */
const GNUTLS_VERSION = /^\d+\.\d+\.\d+$/;

export const gnutlsModule: TlsLibraryModule = {
  name: 'gnutls',
  kind: 'libssl',
  library: 'gnutls',
  scope: 'shared-library',
  matchesFileName: (baseName) => LIBGNUTLS_NAME.test(baseName),
  requiredSymbols: ['gnutls_record_send', 'gnutls_record_recv'],
  optionalSymbols: ['gnutls_deinit', 'gnutls_transport_set_int2', 'gnutls_transport_set_ptr'],
  markerSymbols: [],
  detectVersion(facts) {
    // The soname's numbers (libgnutls.so.30.34.3) are not the release users know (3.7.9).
    const r = facts.elf.versionString(facts.path, '3.', { accept: GNUTLS_VERSION });
    if (!r.ok || r.value === undefined) return undefined;
    return { version: r.value, text: `GnuTLS ${r.value}` };
  },
};
