// What every route handler works with: the server's state (users, sessions, tokens, agents, configs, audit log,
// settings), its view of the local store (connection, index, live tail), the gateway that writes agents' events
// into it, the object URL signer, the API inventory, and the options it was started with. Built once by
// server.ts; closed in reverse order.

import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../core/logger.ts';
import type { ScryptParams } from './auth/passwords.ts';
import type { LoginLimiter } from './auth/login-limiter.ts';
import type { ObjectUrlSigner } from '../sinks/index.ts';
import type { IngestGateway } from './ingest/ingest-gateway.ts';
import type { OidcRelyingParty } from './auth/oidc-relying-party.ts';
import type { InventoryFiles } from './inventory/inventory-files.ts';
import type { AgentStore } from './state/agents.ts';
import type { AuditLog } from './state/audit-log.ts';
import type { ConfigStore } from './state/config-versions.ts';
import type { OidcLoginStore } from './state/oidc-logins.ts';
import type { SessionStore } from './state/sessions.ts';
import type { SettingsStore } from './state/settings.ts';
import type { TokenStore } from './state/tokens.ts';
import type { UserStore } from './state/users.ts';
import type { LiveTail } from './store/live-tail.ts';
import type { StoreConnection } from './store/store-connection.ts';
import type { StoreIndexer } from './store/store-index.ts';

export interface ServerContext {
  log: Logger;
  version: string;
  stateDb: DatabaseSync;
  users: UserStore;
  sessions: SessionStore;
  tokens: TokenStore;
  agents: AgentStore;
  configs: ConfigStore;
  audit: AuditLog;
  settings: SettingsStore;
  store: StoreConnection;
  indexer: StoreIndexer;
  tail: LiveTail;
  /** Takes the event batches agents post (their pulse event store). */
  gateway: IngestGateway;
  /** Presigned URLs for objects in the S3-compatible stores the server was given; undefined without any. */
  objectUrls: ObjectUrlSigner | undefined;
  inventory: InventoryFiles;
  loginLimiter: LoginLimiter;
  /** Single sign-on through an OIDC provider, when configured. */
  sso: OidcRelyingParty | undefined;
  oidcLogins: OidcLoginStore;
  /** Where users reach the server (scheme, host, port), when it is not what requests say (a proxy in front). */
  publicUrl: string | undefined;
  scrypt: ScryptParams;
  /** Set Secure on the session cookie even when the request did not arrive over TLS (a TLS proxy in front). */
  secureCookies: boolean;
  sessionTtlMs: number;
  /** Ends every open live stream (called before the server closes). */
  streams: Set<() => void>;
}
