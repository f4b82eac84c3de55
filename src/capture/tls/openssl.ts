// Shared OpenSSL: libssl.so.* mapped into a process (curl, python, nginx, …).

import type { TlsLibraryModule } from './library-module.ts';
import { OPENSSL_OPTIONAL_SYMBOLS, OPENSSL_REQUIRED_SYMBOLS, openSslVersionIn } from './openssl-family.ts';

// libssl.so, libssl.so.3, libssl.so.1.1 — but not NSS's libssl3.so (different API, no SSL_read) and not
// GnuTLS's libgnutls-openssl.so (OpenSSL-compatible names over different internals).
const LIBSSL_NAME = /^libssl\.so(?:\.\d+)*$/;

export const opensslModule: TlsLibraryModule = {
  name: 'openssl',
  kind: 'libssl',
  library: 'openssl',
  scope: 'shared-library',
  matchesFileName: (baseName) => LIBSSL_NAME.test(baseName),
  requiredSymbols: OPENSSL_REQUIRED_SYMBOLS,
  optionalSymbols: OPENSSL_OPTIONAL_SYMBOLS,
  markerSymbols: [],
  detectVersion(facts) {
    // OpenSSL 3 keeps OPENSSL_VERSION_TEXT in libcrypto only; 1.1 builds may have it in libssl too.
    const own = openSslVersionIn(facts, facts.path);
    if (own !== undefined) return own;
    for (const needed of facts.dynamic.needed) {
      if (!needed.startsWith('libcrypto.so')) continue;
      const crypto = facts.resolveLibrary(needed);
      if (crypto !== undefined) return openSslVersionIn(facts, crypto);
    }
    return undefined;
  },
};
