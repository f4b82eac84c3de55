// cleartap serve as an OpenID Connect relying party, through openid-client: the provider's metadata discovered
// once at startup from its issuer URL (a server that cannot discover it refuses to start), then per login an
// authorization-code request with PKCE (S256), state and nonce, and at the callback the code exchanged, the ID
// token validated (signature, issuer, audience, expiry, nonce) and the userinfo endpoint asked for the claims the
// ID token may leave out (groups, roles). Plain http is allowed only for an issuer on the loopback (a local test
// provider): anywhere else the tokens would cross the network in the clear.
import * as oidc from 'openid-client';
import { CleartapError } from '../../core/errors.ts';
import type { RoleMapping } from './oidc-roles.ts';
import { SsoFailure } from './sso-failure.ts';
import type { OidcIdentity } from '../state/users.ts';

export interface OidcSettings {
  /** The provider's issuer URL (discovery reads <issuer>/.well-known/openid-configuration). */
  issuer: string;
  clientId: string;
  /** From $CLEARTAP_OIDC_CLIENT_SECRET; none: a public client (PKCE only). */
  clientSecret?: string;
  /** Space-separated scopes; openid is required. */
  scope: string;
  /** The callback URL registered at the provider; unset: the server's public URL, else the request's own. */
  redirectUrl?: string;
  /** What the login button says (`Sign in with <name>`); default the issuer's host. */
  displayName?: string;
  roles: RoleMapping;
}

/** What the callback must find again: kept server-side under the login cookie (state/oidc-logins.ts). */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  /** Where the UI goes after the login (a path on this server). */
  returnTo: string;
}

export interface SignedIn {
  identity: OidcIdentity;
  /** The ID token's claims over the userinfo endpoint's. */
  claims: Record<string, unknown>;
}

const DISCOVERY_TIMEOUT_S = 10;
const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** What went wrong, with the causes fetch hides behind "fetch failed" (ECONNREFUSED, ENOTFOUND, a certificate). */
function reasonOf(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  const response = (err as { cause?: unknown }).cause;
  if (response instanceof Response) parts.push(`HTTP ${response.status} from ${response.url}`);
  return parts.join(': ') || String(err);
}

/** The client authentication the provider supports: client_secret_basic (the spec's default), else _post. */
function clientAuth(server: oidc.ServerMetadata, secret: string | undefined): oidc.ClientAuth {
  if (secret === undefined) return oidc.None();
  const methods = server.token_endpoint_auth_methods_supported;
  return methods === undefined || methods.includes('client_secret_basic') ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret);
}

export class OidcRelyingParty {
  readonly settings: OidcSettings;
  readonly displayName: string;
  readonly #config: oidc.Configuration;

  private constructor(settings: OidcSettings, config: oidc.Configuration) {
    this.settings = settings;
    this.#config = config;
    this.displayName = settings.displayName ?? new URL(config.serverMetadata().issuer).host;
  }

  /** Discovers the provider; throws CT_ERR_OIDC naming the issuer URL and the reason when it cannot. */
  static async discover(settings: OidcSettings): Promise<OidcRelyingParty> {
    let issuer: URL;
    try {
      issuer = new URL(settings.issuer);
    } catch {
      throw new CleartapError('CT_ERR_OIDC', `--oidc-issuer "${settings.issuer}" is not a URL`, 'give the provider\'s issuer URL, e.g. https://login.example.com/realms/main');
    }
    const insecure = issuer.protocol === 'http:';
    if (insecure && !isLoopback(issuer.host.replace(/:\d+$/, ''))) {
      throw new CleartapError('CT_ERR_OIDC', `--oidc-issuer ${issuer.href}: plain http is allowed only on the loopback`, 'give the provider\'s https URL');
    }
    const execute = insecure ? [oidc.allowInsecureRequests] : [];
    try {
      const discovered = await oidc.discovery(issuer, settings.clientId, undefined, undefined, { execute, timeout: DISCOVERY_TIMEOUT_S });
      const server = discovered.serverMetadata();
      const config = new oidc.Configuration(server, settings.clientId, settings.clientSecret, clientAuth(server, settings.clientSecret));
      config.timeout = DISCOVERY_TIMEOUT_S;
      for (const fn of execute) fn(config);
      return new OidcRelyingParty(settings, config);
    } catch (err) {
      throw new CleartapError(
        'CT_ERR_OIDC',
        `single sign-on: cannot discover the OIDC issuer ${issuer.href} (${new URL('.well-known/openid-configuration', issuer.href.endsWith('/') ? issuer.href : `${issuer.href}/`).href}): ${reasonOf(err)}`,
        'check --oidc-issuer (the issuer URL exactly as the provider states it) and that this host can reach it',
        { cause: err },
      );
    }
  }

  get issuer(): string {
    return this.#config.serverMetadata().issuer;
  }

  /** The provider's authorization URL for a new login, and what the callback will need to finish it. */
  async begin(redirectUri: string, returnTo: string): Promise<{ url: URL; pending: PendingLogin }> {
    const pending: PendingLogin = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), redirectUri, returnTo };
    const url = oidc.buildAuthorizationUrl(this.#config, {
      redirect_uri: redirectUri,
      scope: this.settings.scope,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** Finishes a login from the callback's query string; throws SsoFailure with the reason. */
  async complete(query: URLSearchParams, pending: PendingLogin): Promise<SignedIn> {
    // Checked here first so that a forged or stale callback is told apart from the provider's own errors.
    if (query.get('state') !== pending.state) throw new SsoFailure('CT_ERR_SSO_STATE', 'the state in the callback is not the one this browser was sent with');
    const error = query.get('error');
    if (error !== null) {
      const text = `the identity provider answered error=${error}${query.has('error_description') ? ` (${query.get('error_description')})` : ''}`;
      throw new SsoFailure(error === 'access_denied' ? 'CT_ERR_SSO_ACCESS_DENIED' : 'CT_ERR_SSO_IDP_ERROR', text);
    }
    const callback = new URL(pending.redirectUri);
    callback.search = query.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(this.#config, callback, { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    } catch (err) {
      throw failureOf(err, 'the code exchange failed');
    }
    const idClaims = tokens.claims();
    if (idClaims === undefined) throw new SsoFailure('CT_ERR_SSO_INVALID_RESPONSE', 'the token response has no ID token');
    let userinfo: Record<string, unknown> = {};
    if (this.#config.serverMetadata().userinfo_endpoint !== undefined) {
      try {
        userinfo = await oidc.fetchUserInfo(this.#config, tokens.access_token, idClaims.sub);
      } catch (err) {
        throw failureOf(err, 'the userinfo request failed');
      }
    }
    return { identity: { issuer: idClaims.iss, subject: idClaims.sub }, claims: { ...userinfo, ...idClaims } };
  }
}

/** The provider answered, but with an error (or not as OAuth answers): its side, not a failed validation. */
const PROVIDER_ANSWERS = new Set([
  'OAUTH_RESPONSE_BODY_ERROR',
  'OAUTH_AUTHORIZATION_RESPONSE_ERROR',
  'OAUTH_WWW_AUTHENTICATE_CHALLENGE',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_RESPONSE_IS_NOT_JSON',
]);

/** An openid-client error as a failure: the provider's own error answers (and fetch's failures to reach it), or an
 *  answer that did not pass the library's checks. */
function failureOf(err: unknown, what: string): SsoFailure {
  const e = err as { code?: unknown; error?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (e.error === 'access_denied') return new SsoFailure('CT_ERR_SSO_ACCESS_DENIED', `${what}: ${reasonOf(err)}`, { cause: err });
  const invalid = code.startsWith('OAUTH_') && !PROVIDER_ANSWERS.has(code);
  return new SsoFailure(invalid ? 'CT_ERR_SSO_INVALID_RESPONSE' : 'CT_ERR_SSO_IDP_ERROR', `${what}: ${reasonOf(err)}`, { cause: err });
}
