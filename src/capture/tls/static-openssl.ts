// Any other executable with OpenSSL linked in and its SSL_* functions exported (custom builds, some proxies).
// Registered after node so node keeps its own library name.

import type { TlsLibraryModule } from './library-module.ts';
import { OPENSSL_OPTIONAL_SYMBOLS, OPENSSL_REQUIRED_SYMBOLS, openSslVersionIn } from './openssl-family.ts';

export const staticOpensslModule: TlsLibraryModule = {
  name: 'static-openssl',
  kind: 'static-openssl',
  library: 'openssl',
  scope: 'executable',
  matchesFileName: () => true,
  requiredSymbols: OPENSSL_REQUIRED_SYMBOLS,
  optionalSymbols: OPENSSL_OPTIONAL_SYMBOLS,
  markerSymbols: [],
  detectVersion: (facts) => openSslVersionIn(facts, facts.path),
};
