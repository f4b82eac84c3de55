// The web UI's files (built by `make build` from ui/ into build/ui), served as they are: index.html at / and
// the hashed assets under /assets/. Public, since the page itself holds nothing: every datum comes from the
// API, which checks the session. Not part of the API's routes or its OpenAPI document (config.ui).
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

export const UI_DIR = fileURLToPath(new URL('../../build/ui', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export function uiRoutes(app: FastifyInstance, dir = UI_DIR): void {
  const send = async (file: string, reply: import('fastify').FastifyReply) => {
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return reply.code(404).type('text/plain; charset=utf-8').send(file.endsWith('index.html') ? 'The web UI is not built here: run `make build`. The API is at /api/v1 (spec: /api/openapi.json).\n' : 'not found\n');
    }
    // Assets carry a content hash in their names: cache them for good; the page itself never.
    if (!file.endsWith('index.html')) reply.header('cache-control', 'public, max-age=31536000, immutable');
    return reply.type(TYPES[extname(file)] ?? 'application/octet-stream').send(body);
  };
  app.get('/', { config: { access: 'public', ui: true } }, (_request, reply) => send(join(dir, 'index.html'), reply));
  app.get<{ Params: { '*': string } }>('/assets/*', { config: { access: 'public', ui: true } }, (request, reply) => {
    const rel = normalize(request.params['*']).replace(/^(\.\.[/\\])+/, '');
    if (rel.includes('..')) return reply.code(404).send('not found\n');
    return send(join(dir, 'assets', rel), reply);
  });
}
