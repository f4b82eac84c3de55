// Path hints: templates a person (or a given spec, whose paths win) asserts, e.g. `/users/{id}` = "the segment
// after /users is a parameter named id". They are applied when templates are computed from the route trie, so
// they regroup traffic already captured as well as new traffic. Text form: `[METHOD ][host]/path`, e.g.
// `/users/{id}`, `GET /users/{id}`, `api.example.com/users/{id}`, `POST api.example.com:8443/v1/orders/{orderId}`.

import { CleartapError } from '../core/errors.ts';

export interface PathHint {
  /** Host, or host:port, the hint is limited to (any server when absent). */
  host?: string;
  /** Upper-case method the hint is limited to (any method when absent). */
  method?: string;
  path: string;
}

export interface HintNode {
  literals: Map<string, HintNode>;
  param: { name: string; node: HintNode } | undefined;
}

const METHOD = /^[A-Za-z]+$/;
const PARAM = /\{([^{}]+)\}/;

export function parseHint(text: string): PathHint {
  let rest = text.trim();
  const hint: PathHint = { path: '' };
  const space = rest.indexOf(' ');
  if (space > 0 && METHOD.test(rest.slice(0, space))) {
    hint.method = rest.slice(0, space).toUpperCase();
    rest = rest.slice(space + 1).trim();
  }
  const slash = rest.indexOf('/');
  if (slash < 0) {
    throw new CleartapError('CT_ERR_USAGE', `path hint "${text}" has no path`, 'write it as [METHOD ][host]/path, e.g. "GET /users/{id}"');
  }
  if (slash > 0) hint.host = rest.slice(0, slash).toLowerCase();
  hint.path = rest.slice(slash);
  if (/[{}]/.test(hint.path.replace(/\{[^{}]+\}/g, ''))) {
    throw new CleartapError('CT_ERR_USAGE', `path hint "${text}" has an unbalanced brace`, 'parameters are written {name}');
  }
  return hint;
}

/** Whether the hint applies to the server `origin` (scheme://host[:port]). */
export function hintMatchesServer(hint: PathHint, origin: string): boolean {
  if (hint.host === undefined) return true;
  const authority = origin.slice(origin.indexOf('://') + 3);
  const host = authority.startsWith('[') ? authority.slice(0, authority.indexOf(']') + 1) : authority.split(':')[0];
  return hint.host === authority || hint.host === host;
}

export function newHintNode(): HintNode {
  return { literals: new Map(), param: undefined };
}

/** Adds a template path (`/users/{id}/posts`) to a hint tree; a segment with a `{name}` in it is a parameter. */
export function addHintPath(root: HintNode, path: string): void {
  let node = root;
  for (const segment of path.split('/')) {
    if (segment === '') continue;
    const m = PARAM.exec(segment);
    if (m !== null) {
      node.param ??= { name: m[1], node: newHintNode() };
      node = node.param.node;
    } else {
      let next = node.literals.get(segment);
      if (next === undefined) {
        next = newHintNode();
        node.literals.set(segment, next);
      }
      node = next;
    }
  }
}
