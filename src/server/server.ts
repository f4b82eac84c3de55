// `cleartap serve`'s server: state in <data-dir>/server/, the local store read from storeDir (the agent's data
// directory unless its config moves the store) and written there by the gateway with the events agents post,
// the API inventory from <store>/discovery/. start → listen; close → stop following the store, end live streams,
// close the HTTP server, the gateway, then the databases (reverse order).

import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { CleartapError, errorCode } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { createObjectUrlSigner, DEFAULT_RETENTION, type ClickHouseSettings, type Retention, type S3Settings } from '../sinks/index.ts';
import { buildApp } from './app.ts';
import { LoginLimiter } from './auth/login-limiter.ts';
import { OidcRelyingParty, type OidcSettings } from './auth/oidc-relying-party.ts';
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams } from './auth/passwords.ts';
import type { ServerContext } from './context.ts';
import { IngestGateway } from './ingest/ingest-gateway.ts';
import { InventoryFiles } from './inventory/inventory-files.ts';
import type { RegisteredRoute } from './openapi/openapi-document.ts';
import { MIN_PASSWORD_LENGTH, USERNAME_PATTERN } from './schemas.ts';
import { AgentStore } from './state/agents.ts';
import { AuditLog } from './state/audit-log.ts';
import { ConfigStore } from './state/config-versions.ts';
import { OidcLoginStore } from './state/oidc-logins.ts';
import { SessionStore } from './state/sessions.ts';
import { SettingsStore } from './state/settings.ts';
import { openStateDatabase } from './state/state-db.ts';
import { TokenStore } from './state/tokens.ts';
import { UserStore } from './state/users.ts';
import { LiveTail } from './store/live-tail.ts';
import { StoreConnection } from './store/store-connection.ts';
import { StoreIndexer } from './store/store-index.ts';
import { StoreWatcher } from './store/store-watcher.ts';

export const DEFAULT_PORT = 10001;
export const DEFAULT_HOST = '127.0.0.1';

export interface ServerOptions {
  /** The data directory: the server keeps its state in <dataDir>/server. */
  dataDir: string;
  /** The local store's directory; default dataDir (where the agent keeps it unless its config says otherwise). */
  storeDir?: string;
  /** The local store's retention, for the events agents post (the agent's own, when it shares the store). */
  retention?: Retention;
  /** Events agents post also go to this ClickHouse table. */
  clickhouse?: ClickHouseSettings;
  /** S3-compatible stores whose objects the detail route gives presigned URLs for. */
  objectStores?: readonly S3Settings[];
  /** How long a presigned URL is valid; default 300 s. */
  presignSeconds?: number;
  host?: string;
  /** 0: any free port (see ControlPlane.url). */
  port?: number;
  log: Logger;
  version: string;
  secureCookies?: boolean;
  /** Believe X-Forwarded-* from a proxy in front (for the client address and https). */
  trustProxy?: boolean;
  sessionTtlMs?: number;
  /** How often the store is polled for new records (index and live tail). */
  pollIntervalMs?: number;
  /** How long a new row waits before the live tail sends it (its event and its record both arrive). */
  settleMs?: number;
  scrypt?: ScryptParams;
  /** Single sign-on through this OIDC provider (discovered before the server starts: it refuses to start if not). */
  oidc?: OidcSettings;
  /** Where users reach the server (scheme, host, port), for the single sign-on callback URL. */
  publicUrl?: string;
}

export interface ControlPlane {
  readonly app: FastifyInstance;
  /** http://host:port, with the port actually bound. */
  readonly url: string;
  /** Every route, as registered (method, url, access, schema). */
  readonly routes: readonly RegisteredRoute[];
  close(): Promise<void>;
}

export const serverStateDir = (dataDir: string): string => join(dataDir, 'server');

export async function startServer(options: ServerOptions): Promise<ControlPlane> {
  const { log } = options;
  const sso = options.oidc === undefined ? undefined : await OidcRelyingParty.discover(options.oidc);
  if (sso !== undefined) log.info({ issuer: sso.issuer, clientId: options.oidc?.clientId }, 'single sign-on: OIDC provider discovered');
  const stateDir = serverStateDir(options.dataDir);
  const storeDir = options.storeDir ?? options.dataDir;
  const stateDb = openStateDatabase(stateDir);
  const store = new StoreConnection(storeDir, stateDir, log);
  const indexer = new StoreIndexer(store, log);
  const tail = new LiveTail(store, options.settleMs ?? 750);
  const gateway = new IngestGateway({ storeDir, retention: options.retention ?? DEFAULT_RETENTION, clickhouse: options.clickhouse, log });
  const objectUrls = options.objectStores?.length ? createObjectUrlSigner(options.objectStores, options.presignSeconds) : undefined;
  const ctx: ServerContext = {
    log,
    version: options.version,
    stateDb,
    users: new UserStore(stateDb),
    sessions: new SessionStore(stateDb, options.sessionTtlMs ?? 12 * 3_600_000),
    tokens: new TokenStore(stateDb),
    agents: new AgentStore(stateDb),
    configs: new ConfigStore(stateDb),
    audit: new AuditLog(stateDb),
    settings: new SettingsStore(stateDb),
    store,
    indexer,
    tail,
    gateway,
    objectUrls,
    inventory: new InventoryFiles(join(storeDir, 'discovery')),
    loginLimiter: new LoginLimiter(),
    sso,
    oidcLogins: new OidcLoginStore(stateDb),
    publicUrl: options.publicUrl,
    scrypt: options.scrypt ?? DEFAULT_SCRYPT,
    secureCookies: options.secureCookies ?? false,
    sessionTtlMs: options.sessionTtlMs ?? 12 * 3_600_000,
    streams: new Set(),
  };
  const watcher = new StoreWatcher(indexer, tail, log, options.pollIntervalMs ?? 250);
  let app: FastifyInstance | undefined;
  try {
    const built = await buildApp(ctx, { trustProxy: options.trustProxy ?? false });
    app = built.app;
    try {
      await app.listen({ host: options.host ?? DEFAULT_HOST, port: options.port ?? DEFAULT_PORT });
    } catch (err) {
      const code = errorCode(err);
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new CleartapError('CT_ERR_USAGE', `cannot listen on ${options.host ?? DEFAULT_HOST}:${options.port ?? DEFAULT_PORT} (${code})`, 'choose another --port or --host', { cause: err });
      }
      throw err;
    }
    watcher.start();
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? DEFAULT_PORT);
    const host = options.host ?? DEFAULT_HOST;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    if (ctx.users.count() === 0) log.warn('control plane: there are no users yet; create the first admin with `cleartap serve --init-admin NAME`');
    log.info({ url, store: storeDir, state: stateDir, clickhouse: options.clickhouse?.url, objectStores: options.objectStores?.map((o) => o.where) }, 'control plane listening');
    const running = app;
    let closing: Promise<void> | undefined;
    return {
      app: running,
      url,
      routes: built.routes,
      close: () =>
        (closing ??= (async () => {
          watcher.stop();
          await running.close();
          await gateway.close();
          objectUrls?.close();
          store.close();
          stateDb.close();
        })()),
    };
  } catch (err) {
    watcher.stop();
    await app?.close().catch(() => {});
    await gateway.close();
    objectUrls?.close();
    store.close();
    stateDb.close();
    throw err;
  }
}

/**
 * Creates the first admin (`cleartap serve --init-admin NAME`). Idempotent, so a container may pass it at every
 * start: a user of that name that already exists is left as it is (its password is not changed).
 */
export async function bootstrapAdmin(dataDir: string, username: string, password: string, scrypt: ScryptParams = DEFAULT_SCRYPT): Promise<'created' | 'exists'> {
  if (username.length > 64 || !new RegExp(USERNAME_PATTERN).test(username)) {
    throw new CleartapError('CT_ERR_USAGE', `"${username}" is not a user name`, 'letters, digits and . _ @ -, starting with a letter or digit, at most 64');
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new CleartapError('CT_ERR_USAGE', `the admin password must have at least ${MIN_PASSWORD_LENGTH} characters`, 'set CLEARTAP_ADMIN_PASSWORD, or give the password on stdin');
  }
  const db = openStateDatabase(serverStateDir(dataDir));
  try {
    const users = new UserStore(db);
    if (users.byName(username) !== undefined) return 'exists';
    users.create(username, await hashPassword(password, scrypt), 'admin');
    new AuditLog(db).record('system', 'user.create', `user ${username}`, { role: 'admin', via: '--init-admin' });
    return 'created';
  } finally {
    db.close();
  }
}
