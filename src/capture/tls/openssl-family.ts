// What every OpenSSL-based target shares, whether libssl.so or OpenSSL linked into an executable (node):
// the functions to look for and how to read the version text.

import type { BinaryFacts, LibraryVersion } from './library-module.ts';

/** Without both, plaintext cannot be captured in both directions: the file is skipped. */
export const OPENSSL_REQUIRED_SYMBOLS = ['SSL_read', 'SSL_write'] as const;

export const OPENSSL_OPTIONAL_SYMBOLS = [
  // The size_t variants: Python (urllib) calls only these (kernel-notes.md).
  'SSL_read_ex',
  'SSL_write_ex',
  // Connection lifecycle: free ends per-SSL* state; handshake/connect/accept mark the TLS session start.
  'SSL_free',
  'SSL_do_handshake',
  'SSL_connect',
  'SSL_accept',
  'SSL_shutdown',
  'SSL_new',
  // SSL* → socket fd correlation (maps the plaintext to the socket-level connection).
  'SSL_set_fd',
  'SSL_set_rfd',
  'SSL_set_wfd',
  'SSL_get_fd',
  'SSL_set_bio',
  // Not exported by a stripped libssl, but visible in node: the common path under SSL_read/_ex and under
  // BIO_f_ssl users (which bypass the exported functions), so a probe here would also cover those.
  'ssl_read_internal',
  'ssl_write_internal',
] as const;

// "OpenSSL 3.0.19 27 Jan 2026", "OpenSSL 1.1.1w  11 Sep 2023", "OpenSSL 3.2.0-beta1 ..." — and not
// "OpenSSL 3.0 legacy provider", which precedes the real one in node's .rodata.
export const OPENSSL_VERSION_TEXT = /^OpenSSL \d+\.\d+\.\d+[a-z]*(?:-[A-Za-z0-9]+)?\s+\d{1,2} [A-Z][a-z]{2} \d{4}$/;

export function versionFromText(text: string): string | undefined {
  return /^OpenSSL (\d+\.\d+\.\d+[a-z]*)/.exec(text)?.[1];
}

/** The OpenSSL version text in `path`'s .rodata, if it has one. */
export function openSslVersionIn(facts: Pick<BinaryFacts, 'elf'>, path: string): LibraryVersion | undefined {
  const r = facts.elf.versionString(path, 'OpenSSL ', { accept: OPENSSL_VERSION_TEXT });
  if (!r.ok || r.value === undefined) return undefined;
  const version = versionFromText(r.value);
  return version === undefined ? undefined : { version, text: r.value };
}
