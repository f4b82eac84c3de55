// Why a single sign-on did not end in a session. The browser is on its way back from the identity provider, so
// these are not JSON errors: the callback sends it to the UI's login page with `?sso_error=<code>`, and the UI says
// what happened. The codes are stable (the UI and scripts branch on them); the message goes to the audit log.
export const SSO_ERRORS = {
  /** The identity provider said error=access_denied: the user refused, or is not allowed to use this client. */
  CT_ERR_SSO_ACCESS_DENIED: 'the identity provider refused the sign-in',
  /** Any other error from the identity provider (in the redirect or at its token endpoint), or it was unreachable. */
  CT_ERR_SSO_IDP_ERROR: 'the identity provider answered with an error',
  /** No login under way in this browser, or it expired, or the state does not match it (a forged or stale link). */
  CT_ERR_SSO_STATE: 'the sign-in expired or did not start here',
  /** The provider's answer did not validate (ID token signature, audience, nonce, issuer, subject). */
  CT_ERR_SSO_INVALID_RESPONSE: "the identity provider's answer did not validate",
  /** No claim value maps to a role, and the default role is none. */
  CT_ERR_SSO_NO_ROLE: 'no cleartap role is granted to this account',
  /** The account cannot be created (no free user name for it). */
  CT_ERR_SSO_ACCOUNT: 'no cleartap user can be made for this account',
  /** The server failed on its side (logged); the user may try again. */
  CT_ERR_SSO_INTERNAL: 'the server could not finish the sign-in',
} as const;

export type SsoErrorCode = keyof typeof SSO_ERRORS;

export class SsoFailure extends Error {
  readonly code: SsoErrorCode;

  constructor(code: SsoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SsoFailure';
    this.code = code;
  }
}
