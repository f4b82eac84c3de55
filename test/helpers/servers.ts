// Real servers for capture tests, all on 127.0.0.1: nginx (TLS or plaintext), openssl s_server,
// python3 -m http.server. Each gets its own temp directory; children.stopAll() stops them.
import { chmodSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, run, start, waitForPort } from './children.ts';

export interface Cert {
  cert: string;
  key: string;
}

export async function makeCert(dir: string): Promise<Cert> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert]);
  if (r.code !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { cert, key };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `cleartap-${prefix}-`));
}

export interface NginxServer {
  port: number;
  root: string;
}

/** nginx with one worker serving `files` from its own root; TLS 1.3 when `tls`; file bodies through
 * sendfile(2) when `sendfile` (plaintext only: the process never holds those bytes). */
export async function startNginx(files: Record<string, string | Uint8Array>, tls: boolean, sendfile = false): Promise<NginxServer> {
  const dir = tempDir('nginx');
  chmodSync(dir, 0o755); // nginx workers run as nobody
  const root = join(dir, 'www');
  mkdirSync(root, { mode: 0o755 });
  for (const [name, body] of Object.entries(files)) writeFileSync(join(root, name), body, { mode: 0o644 });
  const port = await freePort();
  const cert = tls ? await makeCert(dir) : undefined;
  const conf = `
daemon off;
master_process on;
worker_processes 1;
error_log ${dir}/error.log;
pid ${dir}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
  types { text/plain txt; application/json json; text/html html; }
  sendfile ${sendfile ? 'on' : 'off'};
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port}${tls ? ' ssl' : ''};
    ${tls ? `ssl_certificate ${cert!.cert}; ssl_certificate_key ${cert!.key}; ssl_protocols TLSv1.3;` : ''}
    root ${root};
    location = /echo { return 200 "echo\\n"; }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  start('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')]);
  await waitForPort(port);
  return { port, root };
}

/** `openssl s_server -www`: answers every request with a status page over TLS. */
export async function startOpensslServer(): Promise<{ port: number }> {
  const dir = tempDir('s_server');
  const { cert, key } = await makeCert(dir);
  const port = await freePort();
  start('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', cert, '-key', key, '-www', '-quiet']);
  await waitForPort(port);
  return { port };
}

/** gnutls-serv --http: answers every request with a page describing the session, through gnutls_record_send. */
export async function startGnutlsServer(): Promise<{ port: number }> {
  const dir = tempDir('gnutls-serv');
  const { cert, key } = await makeCert(dir);
  const port = await freePort();
  start('gnutls-serv', ['--http', '--x509certfile', cert, '--x509keyfile', key, '-p', String(port)]);
  await waitForPort(port);
  return { port };
}

export async function startPythonHttpServer(files: Record<string, string>): Promise<{ port: number }> {
  const dir = tempDir('pyhttp');
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  const port = await freePort();
  start('/usr/bin/python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir]);
  await waitForPort(port);
  return { port };
}
