// One server's snapshot -> an OpenAPI 3.1 document, rendered as JSON or YAML. Paths are sorted, operations in
// the conventional method order, operation ids derived from method and path and made unique; schemas are
// inline. What the documents assert is only what the traffic showed, and `info` says so.

import { stringify } from 'yaml';
import type { ServerSnapshot } from './discovery-model.ts';
import { operationObject, type OpenApiObject } from './operation-writer.ts';
import { camelCase } from './param-naming.ts';

export type DocumentFormat = 'json' | 'yaml';

export interface DocumentOptions {
  /** `info.version`; defaults to the date of the last transaction. */
  version?: string;
}

function operationIdBase(method: string, path: string): string {
  const words = path.split('/').filter((s) => s !== '').map((s) => {
    const param = /^\{(.+)\}$/.exec(s);
    return param !== null ? `By ${param[1]}` : s;
  });
  const id = camelCase(`${method.toLowerCase()} ${words.join(' ')}`);
  return id === '' ? method.toLowerCase() : id;
}

export function openApiDocument(server: ServerSnapshot, options: DocumentOptions = {}): OpenApiObject {
  let calls = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const ep of server.endpoints) {
    calls += ep.aggregate.calls;
    first = Math.min(first, ep.aggregate.firstSeen);
    last = Math.max(last, ep.aggregate.lastSeen);
  }
  const seen = Number.isFinite(first) && first > 0;
  const paths: Record<string, OpenApiObject> = {};
  const ids = new Set<string>();
  for (const ep of server.endpoints) {
    const base = operationIdBase(ep.method, ep.path);
    let id = base;
    for (let i = 2; ids.has(id); i++) id = `${base}${i}`;
    ids.add(id);
    const item = (paths[ep.path] ??= {});
    item[ep.method.toLowerCase()] = operationObject(ep, id, server.securitySchemes);
  }
  const info: OpenApiObject = {
    title: `${server.authority} (observed)`,
    version: options.version ?? (seen ? new Date(last).toISOString().slice(0, 10) : 'observed'),
    description:
      `Inferred by cleartap from ${calls} observed transaction${calls === 1 ? '' : 's'}` +
      (seen ? ` between ${new Date(first).toISOString()} and ${new Date(last).toISOString()}` : '') +
      '. It describes what the traffic showed, not what the API promises.',
  };
  const doc: OpenApiObject = { openapi: '3.1.0', info, servers: [{ url: server.origin }], paths };
  if (server.securitySchemes.size > 0) {
    const schemes: OpenApiObject = {};
    for (const id of [...server.securitySchemes.keys()].sort()) schemes[id] = { ...server.securitySchemes.get(id) };
    doc.components = { securitySchemes: schemes };
  }
  return doc;
}

export function renderDocument(doc: OpenApiObject, format: DocumentFormat): string {
  if (format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  // Schemas can share objects (examples, merged sketches); YAML anchors would only confuse readers and tools.
  return stringify(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** A file name for the server's documents: `api.example.com_8443` for https://api.example.com:8443. */
export function serverFileStem(server: ServerSnapshot): string {
  return server.authority.replace(/[^A-Za-z0-9.-]/g, '_') || 'server';
}
