// What a route node's answers look like, for telling values of one parameter (`/users/alice`, `/users/bob`)
// from routes of their own (`/users`, `/orders`): the JSON property paths of its 2xx responses (three levels
// deep) and of its literal descendants' (two path levels down), and which containers were seen with content.
// Two shapes are compared only where both had content, so an empty list or an absent optional field does not
// make two values of one parameter look different.

import type { RouteNode } from './route-trie.ts';
import type { ValueSketch } from './value-sketch.ts';

export interface ResponseShape {
  /** `path/METHOD a.b.c` property paths. */
  keys: Set<string>;
  /** Containers (objects, array items) that were seen with properties, as `path/METHOD a.b.`. */
  filled: Set<string>;
}

const PROPERTY_LEVELS = 3;
const PATH_LEVELS = 2;

function visit(sk: ValueSketch, prefix: string, level: number, shape: ResponseShape): void {
  const obj = sk.object ?? sk.array?.items.object;
  if (obj === undefined || obj.props.size === 0) return;
  shape.filled.add(prefix);
  for (const [k, p] of obj.props) {
    shape.keys.add(prefix + k);
    if (level + 1 < PROPERTY_LEVELS) visit(p, `${prefix}${k}.`, level + 1, shape);
  }
}

export function responseShape(node: RouteNode, path = '', depth = 0, shape: ResponseShape = { keys: new Set(), filled: new Set() }): ResponseShape {
  for (const [method, agg] of node.methods) {
    for (const [status, res] of agg.responses) {
      if (status < 200 || status > 299) continue;
      for (const body of res.bodies.values()) visit(body.schema, `${path}${method} `, 0, shape);
    }
  }
  if (depth < PATH_LEVELS) {
    for (const [key, child] of node.children) responseShape(child, `${path}${key}/`, depth + 1, shape);
  }
  return shape;
}

function parentOf(key: string): string {
  const dot = key.lastIndexOf('.');
  return dot < 0 ? key.slice(0, key.indexOf(' ') + 1) : key.slice(0, dot + 1);
}

/**
 * Shared keys over shared plus contradicting keys, where a key of one shape contradicts the other only if the
 * other saw that key's container with content (and so would have seen the key, were it there).
 */
export function shapeSimilarity(a: ResponseShape, b: ResponseShape): number {
  let shared = 0;
  let contradicting = 0;
  for (const k of a.keys) {
    if (b.keys.has(k)) shared++;
    else if (b.filled.has(parentOf(k))) contradicting++;
  }
  for (const k of b.keys) if (!a.keys.has(k) && a.filled.has(parentOf(k))) contradicting++;
  return shared + contradicting === 0 ? 0 : shared / (shared + contradicting);
}
