// Qtap's `pulse` event store entry (qtap-reference.md §1.3), pointed at a `cleartap serve` gateway:
//   url              the server's base URL (https://cleartap.example.com); events go to <url>/api/v1/ingest/events
//   token            ValueSource ({type: text|env, value}): the agent token POST /api/v1/agents/register returned
//   allow_insecure   true: plain http, and https with a certificate that does not verify (self-signed)
import { INGEST_EVENTS_PATH } from '../../core/ingest-wire.ts';
import { asObject, configError, readBool, readSecret, readString, type ConfigObject } from '../store-config.ts';

export interface PulseSettings {
  /** Where batches are posted. */
  ingestUrl: URL;
  token: string;
  allowInsecure: boolean;
  /** The entry, for messages. */
  where: string;
}

export function readPulseSettings(raw: unknown, where: string, env: NodeJS.ProcessEnv): PulseSettings {
  const cfg: ConfigObject = asObject(raw, where);
  const url = readString(cfg, 'url', where);
  if (url === undefined) throw configError(where, 'url is required', 'the base URL of `cleartap serve`, e.g. https://cleartap.example.com');
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw configError(where, `url "${url}" is not a URL`);
  }
  const allowInsecure = readBool(cfg, 'allow_insecure', where) ?? false;
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw configError(where, `url "${url}" is not http(s)`);
  if (base.protocol === 'http:' && !allowInsecure) {
    throw configError(where, `url "${url}" is plain http: events and the agent token would cross the network in the clear`, 'use https, or set allow_insecure: true');
  }
  const token = readSecret(cfg, 'token', where, env);
  if (token === undefined) throw configError(where, 'token is required', 'the agent token from POST /api/v1/agents/register, e.g. {type: env, value: CLEARTAP_AGENT_TOKEN}');
  // Relative to the base's path, so a server behind a proxy at https://host/cleartap/ is reached there.
  const ingestUrl = new URL(`${base.pathname.replace(/\/*$/, '')}${INGEST_EVENTS_PATH}`, base);
  return { ingestUrl, token, allowInsecure, where: `${where} (${base.origin})` };
}
