// Which declared body fields the traffic actually carried: JSON pointers seen in each (operation, request or
// status, media type) of the captured transactions. A field the server never sent (an optional one left out,
// a list always empty) cannot be inferred by anyone, so field accuracy is scored over these only.

import type { Transaction } from '../../src/core/transaction.ts';
import { compilePath, matchScore, specOperations, type Json, type SpecOperation } from '../../src/discovery/index.ts';

const dec = new TextDecoder();

function pointers(value: unknown, prefix: string, out: Set<string>): void {
  out.add(prefix);
  if (Array.isArray(value)) for (const v of value) pointers(v, `${prefix}/*`, out);
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) pointers(v, `${prefix}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`, out);
}

function bodyPointers(body: Uint8Array, contentType: string, out: Set<string>): void {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const text = dec.decode(body);
  if (type.endsWith('json')) {
    try {
      pointers(JSON.parse(text), '', out);
    } catch {
      // a body that does not parse carries no fields
    }
  } else if (type === 'application/x-www-form-urlencoded') {
    out.add('');
    for (const k of new URLSearchParams(text).keys()) out.add(`/${k}`);
  } else if (type === 'multipart/form-data') {
    out.add('');
    for (const m of text.matchAll(/Content-Disposition: form-data; name="([^"]+)"/g)) out.add(`/${m[1]}`);
  }
}

function header(headers: Array<[string, string]>, name: string): string {
  return headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? '';
}

/** Location key (`GET /v1/users/{userId} 200 application/json`, `POST /v1/users request application/json`) -> pointers. */
export function observedFields(declared: Json, transactions: Iterable<Transaction>): Map<string, Set<string>> {
  const ops = specOperations(declared).map((op) => ({ op, patterns: op.fullPaths.map(compilePath) }));
  const out = new Map<string, Set<string>>();
  const add = (key: string, body: Uint8Array, contentType: string): void => {
    if (body.byteLength === 0) return;
    let set = out.get(key);
    if (set === undefined) out.set(key, (set = new Set()));
    bodyPointers(body, contentType, set);
  };
  for (const tx of transactions) {
    const segments = tx.request.path.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    let best: SpecOperation | undefined;
    let bestScore = -1;
    for (const { op, patterns } of ops) {
      if (op.method !== tx.request.method) continue;
      for (const p of patterns) {
        const score = matchScore(p, segments);
        if (score !== undefined && score > bestScore) [best, bestScore] = [op, score];
      }
    }
    if (best === undefined) continue;
    const label = `${best.method} ${best.path}`;
    const reqType = header(tx.request.headers, 'content-type');
    add(`${label} request ${reqType.split(';')[0].trim().toLowerCase()}`, tx.request.body, reqType);
    if (tx.response !== undefined) {
      const resType = header(tx.response.headers, 'content-type');
      add(`${label} ${tx.response.status} ${resType.split(';')[0].trim().toLowerCase()}`, tx.response.body, resType);
    }
  }
  return out;
}
