// One error taxonomy: a stable code callers branch on, a message that says what and where, and a
// hint that says how to fix it. Tests assert on `code`, never on the text.

export type ErrorCode =
  | 'CT_ERR_NOT_ROOT'
  | 'CT_ERR_NO_CAP_BPF'
  | 'CT_ERR_NO_BTF'
  | 'CT_ERR_TRACEFS'
  | 'CT_ERR_NOT_BUILT'
  | 'CT_ERR_BPF_OPEN'
  | 'CT_ERR_BPF_LOAD'
  | 'CT_ERR_ATTACH'
  | 'CT_ERR_RINGBUF'
  | 'CT_ERR_NATIVE'
  | 'CT_ERR_ELF'
  | 'CT_ERR_ELF_IO'
  | 'CT_ERR_TLS_SCAN'
  | 'CT_ERR_TLS_DUPLICATE_MODULE'
  | 'CT_ERR_CONFIG'
  | 'CT_ERR_CONFIG_SECRET'
  | 'CT_ERR_RULE'
  | 'CT_ERR_PLUGIN'
  | 'CT_ERR_DISCOVERY_INPUT'
  | 'CT_ERR_SPEC'
  | 'CT_ERR_USAGE'
  /** cleartap serve's single sign-on cannot be set up (the OIDC issuer cannot be discovered, or refuses the client). */
  | 'CT_ERR_OIDC'
  | 'CT_ERR_PCAP' | 'CT_ERR_PACKET_SOCKET'
  /** A store could not be reached or failed a write (retried; records stay in the spool). */
  | 'CT_ERR_STORE'
  /** A store refused the credentials (retried: IAM credentials may rotate in). */
  | 'CT_ERR_STORE_AUTH'
  /** A store refuses these records whatever happens (they are dropped and counted). */
  | 'CT_ERR_STORE_REJECTED';

export class CleartapError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CleartapError';
    this.code = code;
    this.hint = hint;
  }
}

/** The `code` of an error from the native addon or Node, when it has one. */
export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
