// Node.js: OpenSSL linked statically into the node executable and exported from .dynsym (so native addons
// can use it), which is what lets uprobes attach to SSL_read/SSL_write by name.

import type { TlsLibraryModule } from './library-module.ts';
import { OPENSSL_OPTIONAL_SYMBOLS, OPENSSL_REQUIRED_SYMBOLS, openSslVersionIn } from './openssl-family.ts';

export const nodeModule: TlsLibraryModule = {
  name: 'node',
  kind: 'static-openssl',
  library: 'node-openssl',
  scope: 'executable',
  matchesFileName: () => true,
  requiredSymbols: OPENSSL_REQUIRED_SYMBOLS,
  optionalSymbols: OPENSSL_OPTIONAL_SYMBOLS,
  // Node's own exported API, whatever the executable is called (nodejs, node20, a renamed copy).
  markerSymbols: ['napi_module_register', 'node_module_register'],
  detectVersion: (facts) => openSslVersionIn(facts, facts.path),
};
