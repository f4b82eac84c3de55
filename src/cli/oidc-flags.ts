// `cleartap serve`'s single sign-on flags, and the settings they make. The client secret is read from
// $CLEARTAP_OIDC_CLIENT_SECRET only: a flag's value would show in `ps` and in unit files.
import { Command, InvalidArgumentError, Option } from 'commander';
import { CleartapError } from '../core/errors.ts';
import { ROLES, type OidcSettings, type Role } from '../server/index.ts';

export interface OidcFlags {
  publicUrl?: string;
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcRedirectUrl?: string;
  oidcScope: string;
  oidcName?: string;
  oidcRoleClaim?: string;
  oidcRoleMap: Map<string, Role>;
  oidcDefaultRole: Role | 'none';
}

export const OIDC_SECRET_ENV = 'CLEARTAP_OIDC_CLIENT_SECRET';
const DEFAULT_SCOPE = 'openid profile email';

function httpUrl(flag: string) {
  return (value: string): string => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidArgumentError(`${flag} must be a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArgumentError(`${flag} must be an http(s) URL`);
    return value;
  };
}

const isRole = (v: string): v is Role => (ROLES as readonly string[]).includes(v);

/** `admins=admin,devs=editor`, repeatable (entries add up); a claim value is what comes before its last `=`. */
export function roleMapArg(value: string, previous: Map<string, Role>): Map<string, Role> {
  const map = new Map(previous);
  for (const entry of value.split(',')) {
    const at = entry.lastIndexOf('=');
    const claimValue = entry.slice(0, at).trim();
    const role = entry.slice(at + 1).trim();
    if (at <= 0 || claimValue === '') throw new InvalidArgumentError(`"${entry}" is not CLAIM_VALUE=ROLE (admins=admin,devs=editor)`);
    if (!isRole(role)) throw new InvalidArgumentError(`"${entry}": the role must be one of ${ROLES.join(', ')}`);
    map.set(claimValue, role);
  }
  return map;
}

export function addOidcOptions(command: Command): Command {
  return command
    .option('--public-url <url>', 'where users reach this server (scheme://host:port), when a proxy in front makes it differ from what requests say', httpUrl('--public-url'))
    .option('--oidc-issuer <url>', `single sign-on: the OIDC provider's issuer URL (client secret: $${OIDC_SECRET_ENV})`, httpUrl('--oidc-issuer'))
    .option('--oidc-client-id <id>', "this server's client id at the provider")
    .option('--oidc-redirect-url <url>', 'the callback URL registered at the provider (default: <public URL>/api/v1/auth/oidc/callback)', httpUrl('--oidc-redirect-url'))
    .option('--oidc-scope <scopes>', 'scopes to ask for (space-separated; openid required)', DEFAULT_SCOPE)
    .option('--oidc-name <name>', 'the provider\'s name on the login button (default: the issuer\'s host)')
    .option('--oidc-role-claim <claim>', 'the claim that lists the user\'s groups or roles; a dotted path reaches inside (default: groups, then roles)')
    .option('--oidc-role-map <value=role,...>', 'claim values and the role each grants (admin, editor, viewer); the highest wins; repeatable', roleMapArg, new Map<string, Role>())
    .addOption(new Option('--oidc-default-role <role>', 'the role when no claim value maps (none: refuse the sign-in)').choices([...ROLES, 'none']).default('viewer'));
}

/** The single sign-on settings the flags ask for, or undefined without --oidc-issuer. */
export function oidcSettings(flags: OidcFlags, env: NodeJS.ProcessEnv, given: (flag: keyof OidcFlags) => boolean): OidcSettings | undefined {
  if (flags.oidcIssuer === undefined) {
    const stray = (['oidcClientId', 'oidcRedirectUrl', 'oidcScope', 'oidcName', 'oidcRoleClaim', 'oidcRoleMap', 'oidcDefaultRole'] as const).filter(given);
    if (stray.length > 0) throw new CleartapError('CT_ERR_USAGE', `${stray.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} without --oidc-issuer`, 'give --oidc-issuer to turn single sign-on on');
    return undefined;
  }
  if (flags.oidcClientId === undefined || flags.oidcClientId === '') throw new CleartapError('CT_ERR_USAGE', '--oidc-issuer needs --oidc-client-id', "give the client id this server has at the provider");
  if (!flags.oidcScope.split(/\s+/).includes('openid')) throw new CleartapError('CT_ERR_USAGE', `--oidc-scope "${flags.oidcScope}" lacks openid`, `add openid (default: ${DEFAULT_SCOPE})`);
  const secret = env[OIDC_SECRET_ENV];
  return {
    issuer: flags.oidcIssuer,
    clientId: flags.oidcClientId,
    ...(secret !== undefined && secret !== '' && { clientSecret: secret }),
    scope: flags.oidcScope,
    ...(flags.oidcRedirectUrl !== undefined && { redirectUrl: flags.oidcRedirectUrl }),
    ...(flags.oidcName !== undefined && { displayName: flags.oidcName }),
    roles: {
      ...(flags.oidcRoleClaim !== undefined && { claim: flags.oidcRoleClaim }),
      map: flags.oidcRoleMap,
      defaultRole: flags.oidcDefaultRole === 'none' ? null : flags.oidcDefaultRole,
    },
  };
}
