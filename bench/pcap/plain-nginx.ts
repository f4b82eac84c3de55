// A private plain-HTTP nginx on loopback for the passive-capture benchmarks: one worker, keep-alive without
// limit, access log off, a 1 KiB static file at /1k. Nothing under /etc/nginx or /var is used.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../harness/nginx.ts';
import { startProcess, stopProcess, type Started } from '../harness/processes.ts';

export interface PlainNginx {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startPlainNginx(dir: string): Promise<PlainNginx> {
  const www = join(dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, '1k'), 'x'.repeat(1024));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(dir, t)};`).join(' ');
  // user root: the workers must read a document root inside the caller's private (0700) temporary directory.
  writeFileSync(conf, `daemon off;
user root;
worker_processes 1;
error_log ${join(dir, 'error.log')};
pid ${join(dir, 'nginx.pid')};
events { worker_connections 1024; }
http {
  access_log off;
  ${temp}
  server { listen 127.0.0.1:${port}; keepalive_requests 1000000; root ${www}; location / { } }
}
`);
  const p: Started = startProcess('nginx', 'nginx', ['-p', dir, '-c', conf], { stdout: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  return { url: `http://127.0.0.1:${port}/1k`, port, stop: async () => void (await stopProcess(p, 'SIGQUIT', 5000)) };
}
