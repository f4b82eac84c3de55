// Route trie -> endpoint templates, recomputed at every snapshot so hints (and more variation) regroup traffic
// already captured. At each level the children of the nodes grouped so far are sorted into one literal group per
// text and at most one parameter group (every sibling that is a parameter collapses into one, named after the
// collection before it), then each group is walked on. A child is a parameter when:
//   - a hint says so (a hint's literal wins over its parameter for the same segment: `/users/me` beside
//     `/users/{id}`);
//   - it is a strong id-like kind (number, UUID, long hex, e-mail, opaque token) or the overflow of a capped node;
//   - it is a weak kind (date, slug with digits) and two or more distinct values were seen in that place;
//   - it is a word after a collection word (not from the literal vocabulary), among six or more sibling words
//     whose subtrees answer with similar response shapes, at least 80% of the siblings that answered at all:
//     `/users/alice`, `/users/bob` are values; `/v1/users`, `/v1/orders` are never (they follow a version).

import { addHintPath, newHintNode, type HintNode, type PathHint } from './hints.ts';
import { parameterName } from './param-naming.ts';
import { responseShape, shapeSimilarity, type ResponseShape } from './response-shape.ts';
import { isStrongKind, LITERAL_VOCABULARY, segmentKind, type SegmentKind } from './segment-kind.ts';
import type { NodeKind, RouteNode } from './route-trie.ts';
import type { ValueSketch } from './value-sketch.ts';

export const WORD_VALUES_MIN = 6;
export const WORD_VALUES_SHARE = 0.8;
/** Two subtrees answer alike when this share of their comparable property paths agree (response-shape.ts). */
export const WORD_SHAPE_SIMILARITY = 0.6;

export interface TemplateParam {
  name: string;
  /** The trie nodes whose segment values this parameter takes. */
  nodes: RouteNode[];
}

export interface TemplatedEndpoint {
  method: string;
  /** OpenAPI path template, e.g. `/users/{userId}/orders`. */
  path: string;
  params: TemplateParam[];
  /** Trie nodes whose `methods.get(method)` make up this endpoint. */
  nodes: RouteNode[];
}

type Seg = { literal: string } | { param: TemplateParam };

interface Group {
  nodes: RouteNode[];
  hint: HintNode | undefined;
}

/** Characters allowed unencoded in a path segment (RFC 3986 pchar), so templates stay valid URI paths. */
const PCHAR = /[^A-Za-z0-9\-._~!$&'()*+,;=:@]/g;

function render(segs: readonly Seg[]): string {
  if (segs.length === 0) return '/';
  return segs.map((s) => `/${'literal' in s ? s.literal.replace(PCHAR, (c) => encodeURIComponent(c)) : `{${s.param.name}}`}`).join('');
}

/** The distinct text values of a segment sketch (null: too many were seen to keep them). */
function distinctValues(sk: ValueSketch): Set<string> | null {
  const out = new Set<string>();
  if (sk.strings !== undefined) {
    if (sk.strings.values === null) return null;
    for (const v of sk.strings.values) out.add(v);
  }
  return out;
}

/**
 * Sibling words that are values of one parameter (see the header comment), by text. Words whose subtree never
 * answered with a body (typically unknown values answered 404) go with the values once the rule holds.
 */
function wordValues(children: readonly RouteNode[]): Set<string> {
  const shapes = new Map<string, ResponseShape>();
  for (const c of children) {
    if (c.kind !== 'word' || LITERAL_VOCABULARY.has(c.value.toLowerCase()) || shapes.has(c.value)) continue;
    shapes.set(c.value, responseShape(c));
  }
  const out = new Set<string>();
  const shaped = [...shapes].filter(([, s]) => s.keys.size > 0);
  if (shaped.length < WORD_VALUES_MIN) return out;
  let group: string[] = [];
  for (const [, shape] of shaped) {
    const similar = shaped.filter(([, other]) => shapeSimilarity(shape, other) >= WORD_SHAPE_SIMILARITY).map(([w]) => w);
    if (similar.length > group.length) group = similar;
  }
  if (group.length < WORD_VALUES_MIN || group.length < WORD_VALUES_SHARE * shaped.length) return out;
  for (const word of group) out.add(word);
  for (const [word, s] of shapes) if (s.keys.size === 0) out.add(word);
  return out;
}

/** Distinct values per weak kind across siblings (null: more than can be counted). */
function weakVariation(children: readonly RouteNode[]): Map<NodeKind, Set<string> | null> {
  const out = new Map<NodeKind, Set<string> | null>();
  for (const c of children) {
    if (c.kind === 'word' || c.kind === 'version' || c.kind === 'overflow' || isStrongKind(c.kind)) continue;
    const seen = out.get(c.kind);
    if (seen === null) continue;
    const values = distinctValues(c.segment);
    if (values === null) out.set(c.kind, null);
    else out.set(c.kind, new Set([...(seen ?? []), ...values]));
  }
  return out;
}

/** The text a child would have as a literal, if it can be one. */
function literalText(c: RouteNode): string | undefined {
  if (c.kind === 'word' || c.kind === 'version') return c.value;
  if (c.kind === 'overflow') return undefined;
  const values = distinctValues(c.segment);
  return values !== null && values.size === 1 ? [...values][0] : undefined;
}

function dominantKind(nodes: readonly RouteNode[]): NodeKind {
  let best: RouteNode | undefined;
  for (const n of nodes) if (n.kind !== 'overflow' && (best === undefined || n.hits > best.hits)) best = n;
  return best?.kind ?? 'overflow';
}

function walk(nodes: RouteNode[], segs: Seg[], hint: HintNode | undefined, methods: ReadonlySet<string>, out: TemplatedEndpoint[]): void {
  const here = new Map<string, RouteNode[]>();
  for (const n of nodes) {
    for (const m of n.methods.keys()) {
      if (!methods.has(m)) continue;
      const list = here.get(m);
      if (list === undefined) here.set(m, [n]);
      else list.push(n);
    }
  }
  if (here.size > 0) {
    const path = render(segs);
    const params = segs.flatMap((s) => ('param' in s ? [s.param] : []));
    for (const [method, ns] of here) out.push({ method, path, params, nodes: ns });
  }

  const children = nodes.flatMap((n) => [...n.children.values()]);
  if (children.length === 0) return;
  const last = segs.at(-1);
  const previous = last !== undefined && 'literal' in last ? last.literal : '';
  // Values follow a collection (`/users/alice`); under the root, `api` or `v1` sibling words are the collections.
  const afterCollection = previous !== '' && segmentKind(previous) === 'word' && !LITERAL_VOCABULARY.has(previous.toLowerCase());
  const words = afterCollection ? wordValues(children) : new Set<string>();
  const weak = weakVariation(children);
  const literals = new Map<string, Group>();
  const param: Group = { nodes: [], hint: hint?.param?.node };
  for (const c of children) {
    const text = literalText(c);
    let asParam: boolean;
    if (hint !== undefined && text !== undefined && hint.literals.has(text)) asParam = false;
    else if (hint?.param !== undefined) asParam = true;
    else if (c.kind === 'overflow') asParam = true;
    else if (c.kind === 'word') asParam = words.has(c.value);
    else if (c.kind === 'version') asParam = false;
    else if (isStrongKind(c.kind as SegmentKind)) asParam = true;
    else {
      const values = weak.get(c.kind);
      asParam = values === null || (values !== undefined && values.size >= 2) || text === undefined;
    }
    if (asParam) {
      param.nodes.push(c);
      continue;
    }
    const key = text as string;
    const group = literals.get(key);
    if (group === undefined) literals.set(key, { nodes: [c], hint: hint?.literals.get(key) });
    else group.nodes.push(c);
  }
  for (const key of [...literals.keys()].sort()) {
    const g = literals.get(key) as Group;
    walk(g.nodes, [...segs, { literal: key }], g.hint, methods, out);
  }
  if (param.nodes.length > 0) {
    const taken = new Set(segs.flatMap((s) => ('param' in s ? [s.param.name] : [])));
    let name = hint?.param?.name ?? parameterName(previous, dominantKind(param.nodes), taken);
    for (let i = 2; taken.has(name); i++) name = `${hint?.param?.name ?? name}${i}`;
    walk(param.nodes, [...segs, { param: { name, nodes: param.nodes } }], param.hint, methods, out);
  }
}

function methodsOf(node: RouteNode, into: Set<string>): Set<string> {
  for (const m of node.methods.keys()) into.add(m);
  for (const c of node.children.values()) methodsOf(c, into);
  return into;
}

/** Endpoint templates for one server's trie, under `hints` (already limited to that server). */
export function templateRoutes(root: RouteNode, hints: readonly PathHint[]): TemplatedEndpoint[] {
  const out: TemplatedEndpoint[] = [];
  // Method-specific hints can template the same path differently per method: one walk per distinct hint set.
  const byHintSet = new Map<string, Set<string>>();
  for (const m of methodsOf(root, new Set())) {
    const key = hints.map((h, i) => (h.method === undefined || h.method === m ? i : -1)).filter((i) => i >= 0).join(',');
    const set = byHintSet.get(key);
    if (set === undefined) byHintSet.set(key, new Set([m]));
    else set.add(m);
  }
  for (const [key, methods] of byHintSet) {
    let tree: HintNode | undefined;
    if (key !== '') {
      tree = newHintNode();
      for (const i of key.split(',')) addHintPath(tree, hints[Number(i)].path);
    }
    walk([root], [], tree, methods, out);
  }
  return out;
}
