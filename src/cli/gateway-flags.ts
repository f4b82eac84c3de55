// `cleartap serve`'s gateway flags: ClickHouse as a second home for the events agents post, and the
// S3-compatible stores whose objects the transaction detail links to with presigned URLs. Credentials come from
// the environment only ($CLEARTAP_CLICKHOUSE_USER / _PASSWORD; the object stores' own ValueSources), never from
// a flag that `ps` would show.
import type { Command } from 'commander';
import type { Logger } from '../core/logger.ts';
import { loadConfigFile, type QtapConfig } from '../config/index.ts';
import { readClickHouseSettings, readS3Settings, type ClickHouseSettings, type S3Settings } from '../sinks/index.ts';
import { wholeNumber } from './flag-values.ts';

export interface GatewayFlags {
  clickhouseUrl?: string;
  objectStoreConfig?: string;
  presignTtl: number;
}

export const CLICKHOUSE_USER_ENV = 'CLEARTAP_CLICKHOUSE_USER';
export const CLICKHOUSE_PASSWORD_ENV = 'CLEARTAP_CLICKHOUSE_PASSWORD';

export function addGatewayOptions(command: Command): Command {
  return command
    .option('--clickhouse-url <url>', `also write the events agents post to ClickHouse (HTTP interface; user and password from $${CLICKHOUSE_USER_ENV}, $${CLICKHOUSE_PASSWORD_ENV})`)
    .option('--object-store-config <file>', "a cleartap config whose services.object_stores s3 entries the detail links to with presigned URLs (default: the agent's config)")
    .option('--presign-ttl <seconds>', 'how long a presigned object URL is valid', wholeNumber('--presign-ttl', 10, 7 * 86_400), 300);
}

function s3Stores(services: QtapConfig['services'], source: string, env: NodeJS.ProcessEnv): S3Settings[] {
  return services.object_stores.flatMap((entry, i) => ((entry as { type?: string }).type === 's3' ? [readS3Settings(entry, `${source}: services.object_stores[${i}]`, env)] : []));
}

export interface GatewaySettings {
  clickhouse: ClickHouseSettings | undefined;
  objectStores: S3Settings[];
  presignSeconds: number;
}

/**
 * The settings the flags make. `agentServices` reads the agent's config when there is no --object-store-config:
 * its S3 stores are used when their secrets are at hand, else skipped with a warning (an explicit file's are not).
 */
export function gatewaySettings(flags: GatewayFlags, env: NodeJS.ProcessEnv, agentServices: () => QtapConfig['services'] | undefined, log: Logger): GatewaySettings {
  let clickhouse: ClickHouseSettings | undefined;
  if (flags.clickhouseUrl !== undefined) {
    clickhouse = readClickHouseSettings(
      { url: flags.clickhouseUrl, username: env[CLICKHOUSE_USER_ENV] || undefined, password: env[CLICKHOUSE_PASSWORD_ENV] || undefined },
      '--clickhouse-url',
      env,
    );
  }
  let objectStores: S3Settings[] = [];
  if (flags.objectStoreConfig !== undefined) {
    objectStores = s3Stores(loadConfigFile(flags.objectStoreConfig).config.services, flags.objectStoreConfig, env);
  } else {
    const services = agentServices();
    try {
      objectStores = services === undefined ? [] : s3Stores(services, 'the agent config', env);
    } catch (err) {
      log.warn({ error: (err as Error).message }, "the agent config's S3 object stores cannot be used: object URLs are off (give --object-store-config)");
    }
  }
  return { clickhouse, objectStores, presignSeconds: flags.presignTtl };
}
