// A private nginx for one benchmark run: its own prefix, config, self-signed certificate and static files in a
// temporary directory, listening on a free loopback port. Nothing under /etc/nginx or /var is used.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, type Started, startProcess, stopProcess, tail } from './processes.ts';

export interface StaticFile {
  /** URL path, e.g. "/1k". */
  path: string;
  bytes: number;
}

export interface Nginx {
  port: number;
  /** Plain-HTTP port of the stub_status page (not TLS, so a TLS capture never sees these requests). */
  statusPort: number;
  /**
   * Requests nginx has handled so far (stub_status), not counting the status queries: the server-side truth to
   * compare captures with, including warm-up requests and those still in flight when the client stopped.
   */
  requestsServed(): Promise<number>;
  process: Started;
  errorLog: string;
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** `env`: the nginx process's environment (e.g. LD_LIBRARY_PATH for a private libssl). */
export async function startNginx(dir: string, files: readonly StaticFile[], env?: NodeJS.ProcessEnv): Promise<Nginx> {
  // nginx workers run as an unprivileged user: they must be able to read the document root (the caller makes
  // sure `dir`'s parents can be traversed).
  await mkdir(dir, { recursive: true });
  await chmod(dir, 0o755);
  const www = join(dir, 'www');
  await mkdir(www, { recursive: true });
  for (const f of files) await writeFile(join(www, f.path.replace(/^\//, '')), body(f.bytes));

  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const ossl = await run(
    'openssl',
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-keyout', key, '-out', cert],
    30_000,
  );
  if (ossl.code !== 0) throw new Error(`openssl req failed (code ${ossl.code}): ${ossl.stderr.trim()}`);

  const port = await freePort();
  let statusPort = await freePort();
  while (statusPort === port) statusPort = await freePort();
  const errorLog = join(dir, 'error.log');
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, nginxConf({ dir, port, statusPort, cert, key, www, errorLog }));
  const test = await run('nginx -t', 'nginx', ['-p', dir, '-e', errorLog, '-c', conf, '-t', '-q'], 30_000);
  if (test.code !== 0) throw new Error(`nginx -t rejected ${conf}: ${test.stderr.trim()}`);

  const proc = startProcess('nginx', 'nginx', ['-p', dir, '-e', errorLog, '-c', conf], { stdout: 'ignore', env });
  const stderr = tail(proc.child.stderr);
  try {
    await waitForPort(port, proc, 10_000);
  } catch (err) {
    await stopProcess(proc, 'SIGKILL', 1000);
    throw new Error(`${(err as Error).message}; nginx said: ${stderr().trim()} (see ${errorLog})`);
  }
  let statusQueries = 0; // nginx counts them too
  return {
    port,
    statusPort,
    async requestsServed() {
      statusQueries++;
      return parseStubStatus(await httpGet(`http://127.0.0.1:${statusPort}/status`)) - statusQueries;
    },
    process: proc,
    errorLog,
    async stop() {
      await stopProcess(proc, 'SIGQUIT', 5000); // graceful: finish in-flight requests, then exit
    },
  };
}

interface ConfParams {
  dir: string;
  port: number;
  statusPort: number;
  cert: string;
  key: string;
  www: string;
  errorLog: string;
}

function nginxConf({ dir, port, statusPort, cert, key, www, errorLog }: ConfParams): string {
  return `daemon off;
master_process on;
worker_processes 1;
error_log ${errorLog};
pid ${join(dir, 'nginx.pid')};
events {
    worker_connections 1024;
}
http {
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path ${join(dir, 'client_body')};
    proxy_temp_path ${join(dir, 'proxy')};
    fastcgi_temp_path ${join(dir, 'fastcgi')};
    uwsgi_temp_path ${join(dir, 'uwsgi')};
    scgi_temp_path ${join(dir, 'scgi')};
    server {
        listen 127.0.0.1:${port} ssl;
        ssl_certificate ${cert};
        ssl_certificate_key ${key};
        ssl_protocols TLSv1.3;
        keepalive_requests 1000000;
        keepalive_timeout 300s;
        root ${www};
        location / {
        }
    }
    server {
        listen 127.0.0.1:${statusPort};
        location = /status {
            stub_status;
        }
    }
}
`;
}

/** The "requests" counter of a stub_status page (it counts the request that fetched the page, too). */
export function parseStubStatus(page: string): number {
  const m = /server accepts handled requests\s+\d+\s+\d+\s+(\d+)/.exec(page);
  if (m === null) throw new Error(`not a stub_status page: ${JSON.stringify(page.slice(0, 200))}`);
  return Number(m[1]);
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: 5000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 5 s`)));
    req.on('error', reject);
  });
}

/** Printable, deterministic content of the given size. */
function body(bytes: number): string {
  const line = 'cleartap benchmark payload 0123456789abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n';
  return line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes);
}

async function waitForPort(port: number, proc: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited()) {
      const e = await proc.exited;
      throw new Error(`nginx exited during start-up (code ${e.code}, signal ${e.signal})`);
    }
    if (await canConnect(port)) return;
    await sleep(50);
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
