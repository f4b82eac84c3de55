// The HTTP server behind http_metrics: GET /metrics serves the traffic registry, GET /system/metrics the agent's
// health registry (the pipeline registers its counters there). Several stacks may each hold http_metrics with
// the same `listen`: they share one server, counted by users, keyed by the traffic registry they serve, and the
// last release closes it.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { CleartapError } from '../../core/errors.ts';
import type { ListenAddress } from './listen-address.ts';

export interface MetricsEndpoint {
  readonly address: AddressInfo;
  /** Stops serving once every user has released it. */
  release(): Promise<void>;
}

interface SharedServer {
  users: number;
  server: Server;
  ready: Promise<AddressInfo>;
}

// Keyed by the registry object the caller owns, so separate agents (and tests) never share a server.
const serversByRegistry = new WeakMap<Registry, Map<string, SharedServer>>();

export async function acquireMetricsEndpoint(
  listen: ListenAddress,
  registry: Registry,
  systemRegistry: Registry,
): Promise<MetricsEndpoint> {
  let servers = serversByRegistry.get(registry);
  if (servers === undefined) {
    servers = new Map();
    serversByRegistry.set(registry, servers);
  }
  const key = `${listen.host ?? '*'}:${listen.port}`;
  let shared = servers.get(key);
  if (shared === undefined) {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?', 1)[0];
      const source = path === '/metrics' ? registry : path === '/system/metrics' ? systemRegistry : undefined;
      if (source === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /system/metrics\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
        return;
      }
      source.metrics().then(
        (text) => res.writeHead(200, { 'content-type': source.contentType }).end(req.method === 'HEAD' ? undefined : text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
      );
    });
    const entry: SharedServer = { users: 0, server, ready: listenOn(server, listen, key) };
    shared = entry;
    servers.set(key, entry);
    entry.ready.catch(() => servers.delete(key));
  }
  shared.users++;
  const owner = shared;
  let address: AddressInfo;
  try {
    address = await owner.ready;
  } catch (err) {
    owner.users--;
    throw err;
  }
  let released = false;
  return {
    address,
    async release() {
      if (released) return;
      released = true;
      owner.users--;
      if (owner.users > 0) return;
      servers.delete(key);
      await new Promise<void>((resolve) => {
        owner.server.close(() => resolve());
        owner.server.closeAllConnections(); // scrapers keep connections alive; close() alone would wait for them
      });
    },
  };
}

function listenOn(server: Server, listen: ListenAddress, key: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        new CleartapError(
          'CT_ERR_PLUGIN',
          `http_metrics cannot listen on ${key.replace(/^\*:/, ':')}: ${err.code ?? err.message}`,
          err.code === 'EADDRINUSE'
            ? 'another process (or another cleartap) uses that port: set the plugin\'s config.listen, e.g. "127.0.0.1:10002"'
            : 'check config.listen of the http_metrics plugin',
          { cause: err },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ host: listen.host, port: listen.port }, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}
