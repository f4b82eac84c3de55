// `cleartap serve`: the control plane — REST API (OpenAPI at /api/openapi.json) over the local store the agent
// writes, the API inventory, agents and their configs, with users, tokens and roles.
//
//   cleartap serve [--port 10001] [--host 127.0.0.1] [--data-dir DIR] [--store-dir DIR] [--init-admin NAME]
//                  [--secure-cookies] [--trust-proxy] [--session-ttl 12h] [--log-level info] [--public-url URL]
//                  [--oidc-issuer URL --oidc-client-id ID [--oidc-role-map admins=admin,…] …]   (see oidc-flags.ts)
//                  [--clickhouse-url URL] [--object-store-config FILE] [--presign-ttl 300]   (see gateway-flags.ts)
//
// --data-dir defaults to the agent's ($CLEARTAP_DATA_DIR, else /var/lib/cleartap); the server keeps its own state
// in <data-dir>/server. The store is read where the agent's config puts it (its local store's path, else the data
// directory) unless --store-dir says. --init-admin NAME creates the first admin (password from
// $CLEARTAP_ADMIN_PASSWORD, else the first line of stdin), then serves; a user of that name that exists is kept.
// With --oidc-issuer, users can also sign in through that OIDC provider; a provider that cannot be discovered stops
// the server from starting.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CleartapError } from '../core/errors.ts';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '../core/logger.ts';
import { dataDir as defaultDataDir } from '../pipeline/configured-pipeline.ts';
import { bootstrapAdmin, DEFAULT_HOST, DEFAULT_PORT, startServer, type ControlPlane } from '../server/index.ts';
import { localStoreSettings, parseDuration, type Retention } from '../sinks/index.ts';
import type { QtapConfig } from '../config/index.ts';
import { loadEffectiveConfig } from './config-command.ts';
import { wholeNumber } from './flag-values.ts';
import { addGatewayOptions, gatewaySettings, type GatewayFlags } from './gateway-flags.ts';
import { addOidcOptions, oidcSettings, type OidcFlags } from './oidc-flags.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export interface ServeFlags extends OidcFlags, GatewayFlags {
  port: number;
  host: string;
  dataDir?: string;
  storeDir?: string;
  initAdmin?: string;
  secureCookies: boolean;
  trustProxy: boolean;
  sessionTtl: number;
  logLevel: LogLevel;
}

function durationArg(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms < 60_000) throw new InvalidArgumentError('give a duration of at least 1m (30m, 12h, 7d)');
  return ms;
}

/** One line typed at a terminal, not echoed. */
function readHidden(stdin: NodeJS.ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const c of chunk.toString('utf8')) {
        if (c === '\r' || c === '\n') return done();
        if (c === '\u0003') return done(new CleartapError('CT_ERR_USAGE', '--init-admin: interrupted'));
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
        else typed += c;
      }
    };
    stdin.on('data', onData);
  });
}

/** The password for --init-admin: $CLEARTAP_ADMIN_PASSWORD, else a line from stdin (prompted, unechoed, on a terminal). */
async function readAdminPassword(env: NodeJS.ProcessEnv, stdin: NodeJS.ReadStream): Promise<string> {
  const fromEnv = env.CLEARTAP_ADMIN_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (stdin.isTTY === true) return readHidden(stdin, 'password for the new admin: ');
  const rl = createInterface({ input: stdin, terminal: false });
  try {
    for await (const line of rl) return line.replace(/\r$/, '');
    return '';
  } finally {
    rl.close();
  }
}

/** The agent config's services, read once; undefined (with a warning) when it cannot be read. */
function agentServices(log: Logger): () => QtapConfig['services'] | undefined {
  let read = false;
  let services: QtapConfig['services'] | undefined;
  return () => {
    if (read) return services;
    read = true;
    try {
      services = loadEffectiveConfig(undefined).config.services;
    } catch (err) {
      log.warn({ error: (err as Error).message }, 'the agent config cannot be read: looking for the local store in the data directory (give --store-dir to choose)');
    }
    return services;
  };
}

/** Where the agent keeps its local store (its config's local store path, else the data directory) and its retention. */
function agentStore(dataDir: string, services: QtapConfig['services'] | undefined): { dir: string; retention: Retention } {
  return localStoreSettings(services ?? { object_stores: [], event_stores: [] }, dataDir);
}

export async function serve(
  flags: ServeFlags,
  io: { env?: NodeJS.ProcessEnv; stdin?: NodeJS.ReadStream; given?: (flag: keyof ServeFlags) => boolean } = {},
): Promise<ControlPlane> {
  const env = io.env ?? process.env;
  const oidc = oidcSettings(flags, env, io.given ?? (() => false));
  const log = createLogger(flags.logLevel);
  const dataDir = flags.dataDir ?? defaultDataDir(env);
  if (flags.initAdmin !== undefined) {
    const password = await readAdminPassword(env, io.stdin ?? process.stdin);
    const outcome = await bootstrapAdmin(dataDir, flags.initAdmin, password);
    log.info({ user: flags.initAdmin }, outcome === 'created' ? 'admin created' : 'the admin exists already: left unchanged');
  }
  const services = agentServices(log);
  const store = agentStore(dataDir, flags.storeDir === undefined && flags.dataDir === undefined ? services() : undefined);
  return startServer({
    dataDir,
    storeDir: flags.storeDir ?? (flags.dataDir !== undefined ? flags.dataDir : store.dir),
    retention: store.retention,
    ...gatewaySettings(flags, env, services, log),
    host: flags.host,
    port: flags.port,
    log,
    version: pkg.version,
    secureCookies: flags.secureCookies,
    trustProxy: flags.trustProxy,
    sessionTtlMs: flags.sessionTtl,
    oidc,
    publicUrl: flags.publicUrl,
  });
}

export function serveCommand(): Command {
  const command = new Command('serve')
    .description('run the control plane: REST API over the local store, API inventory, agents and their configs (OpenAPI at /api/openapi.json)')
    .option('--port <port>', 'TCP port (0: any free one)', wholeNumber('--port', 0, 65535), DEFAULT_PORT)
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface: put TLS in front)', DEFAULT_HOST)
    .option('--data-dir <dir>', 'data directory: the store is read here, server state kept in <dir>/server (default: $CLEARTAP_DATA_DIR, else /var/lib/cleartap)')
    .option('--store-dir <dir>', "the local store's directory (default: where the agent's config keeps it)")
    .option('--init-admin <name>', 'create this admin first (password: $CLEARTAP_ADMIN_PASSWORD or stdin); kept if it exists')
    .option('--secure-cookies', 'mark the session cookie Secure even without TLS here (a TLS proxy in front)', false)
    .option('--trust-proxy', 'believe X-Forwarded-For/-Proto from a proxy in front', false)
    .option('--session-ttl <duration>', 'how long a login lasts', durationArg, 12 * 3_600_000)
    .addOption(new Option('--log-level <level>', 'log verbosity (stderr)').choices(LOG_LEVELS).default('info'));
  return addGatewayOptions(addOidcOptions(command)).action(async (flags: ServeFlags) => {
    const server = await serve(flags, { given: (flag) => command.getOptionValueSource(flag) === 'cli' });
    await new Promise<void>((resolve) => {
      const onSignal = () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    await server.close();
  });
}
