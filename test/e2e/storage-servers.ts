// Real store servers for the storage tests, on 127.0.0.1 only, each stoppable and restartable on the same port
// and data directory (to take a store down in the middle of a run):
// - s3rver (npm), an S3-compatible server, in this process. It checks access key ids, not SigV4 signatures.
// - clickhouse-server (Debian's 18.16 package), a child process with a private config; its HTTP interface is
//   what cleartap uses.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import S3rver from 's3rver';
import { freePort, start, type Started } from '../helpers/children.ts';

export const S3_KEY = 'S3RVER';
export const S3_SECRET = 'S3RVER';
export const S3_BUCKET = 'qpoint-warehouse';

export interface S3Server {
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startS3rver(dir: string): Promise<S3Server> {
  let server: S3rver | undefined;
  let port = 0;
  const up = async () => {
    server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: [{ name: S3_BUCKET }] });
    port = (await server.run()).port;
  };
  await up();
  return {
    get port() {
      return port;
    },
    async stop() {
      await server?.close();
      server = undefined;
    },
    start: up,
  };
}

export const CLICKHOUSE_BINARY = '/usr/sbin/clickhouse-server';
export const CLICKHOUSE_USER = 'cleartap';
export const CLICKHOUSE_PASSWORD = 'ch-secret';

/** Why the ClickHouse tests cannot run here, or undefined when they can. */
export function clickHouseMissing(): string | undefined {
  return existsSync(CLICKHOUSE_BINARY) ? undefined : 'clickhouse-server is not installed (scripts/setup.sh installs it with CLEARTAP_SETUP_TESTS=1)';
}

export interface ClickHouseServer {
  url: string;
  /** SIGTERM waits several seconds for open keep-alive connections; SIGKILL is a crash, and instant. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  start(): Promise<void>;
  /** Runs a query over HTTP as the test user and returns the body. */
  query(sql: string): Promise<string>;
}

function clickHouseConfig(dir: string, httpPort: number, tcpPort: number): string {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>104857600</mark_cache_size>
  <timezone>UTC</timezone>
</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <${CLICKHOUSE_USER}>
      <password>${CLICKHOUSE_PASSWORD}</password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile><quota>default</quota>
    </${CLICKHOUSE_USER}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

export async function startClickHouse(dir: string): Promise<ClickHouseServer> {
  mkdirSync(join(dir, 'log'), { recursive: true });
  const httpPort = await freePort();
  const config = join(dir, 'config.xml');
  writeFileSync(config, clickHouseConfig(dir, httpPort, await freePort()));
  writeFileSync(join(dir, 'users.xml'), USERS);
  const url = `http://127.0.0.1:${httpPort}`;
  const auth = `Basic ${Buffer.from(`${CLICKHOUSE_USER}:${CLICKHOUSE_PASSWORD}`).toString('base64')}`;
  let child: Started | undefined;

  const query = async (sql: string) => {
    const res = await fetch(`${url}/`, { method: 'POST', body: sql, headers: { authorization: auth } });
    const body = await res.text();
    if (!res.ok) throw new Error(`ClickHouse: ${body}`);
    return body;
  };
  const up = async () => {
    child = start(CLICKHOUSE_BINARY, [`--config-file=${config}`], { cwd: dir });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${url}/ping`).then((r) => r.ok, () => false);
      if (ok) return;
      if (child.child.exitCode !== null || Date.now() > deadline) throw new Error(`clickhouse-server did not start: ${child.stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await up();
  return {
    url,
    query,
    start: up,
    async stop(signal = 'SIGTERM') {
      if (child === undefined) return;
      const exiting = child.exited;
      child.child.kill(signal);
      const timer = setTimeout(() => child?.child.kill('SIGKILL'), 15_000);
      await exiting;
      clearTimeout(timer);
      child = undefined;
    },
  };
}
