// The route table as traffic builds it, finer than the published templates so templates can be recomputed (with
// new hints, or as more variation is seen) from what is kept here. One node per path position: literal segments
// (words, versions) each get their own child; id-like segments get one child per kind (`#int`, `#uuid`, ...) so
// `/users/1` and `/users/2` share a node from the first request on. Memory is bounded the way Beyla bounds its
// route table: a node keeps at most `maxLiteralChildren` literal children; past that, its non-vocabulary literals
// are folded into one `*` child (subtrees merged) and later ones go there directly; a server keeps at most
// `maxNodes` nodes, after which new segments go to their parent's `*` child; paths are followed MAX_PATH_SEGMENTS
// deep at most.

import { addValue, mergeSketch, newSketch, type ValueSketch } from './value-sketch.ts';
import { mergeAggregate, type EndpointAggregate } from './endpoint-aggregate.ts';
import { isLiteralKind, LITERAL_VOCABULARY, segmentKind, type SegmentKind } from './segment-kind.ts';
import { coerceText } from './value-format.ts';

export type NodeKind = SegmentKind | 'overflow';

export interface RouteNode {
  /** The literal text, or for id-like and overflow nodes the first value seen. */
  value: string;
  kind: NodeKind;
  hits: number;
  /** The segment values seen at this node, typed (a path parameter's schema and examples come from here). */
  segment: ValueSketch;
  /** Keys: `=text` for literals, `#kind` for id-like kinds, `*` for the overflow child. */
  children: Map<string, RouteNode>;
  literalChildren: number;
  /** Past the literal cap: new non-vocabulary literals go to the `*` child. */
  collapsed: boolean;
  /** Method -> what was seen of requests ending at this node. */
  methods: Map<string, EndpointAggregate>;
}

export interface RouteLimits {
  maxLiteralChildren: number;
  maxNodes: number;
}

export interface RouteTrie {
  root: RouteNode;
  nodes: number;
}

/** Path segments followed; deeper ones end at the node of the last followed segment (and are counted). */
export const MAX_PATH_SEGMENTS = 32;

export interface RouteCounters {
  /** Literal children folded into a `*` child when a node passed its cap. */
  routeSegmentsFolded: number;
  /** Segments sent to a `*` child because their parent was collapsed or the server's node budget was spent. */
  routeSegmentsOverflowed: number;
  /** Paths longer than MAX_PATH_SEGMENTS. */
  routePathsTooDeep: number;
}

export function newNode(value: string, kind: NodeKind): RouteNode {
  return { value, kind, hits: 0, segment: newSketch(), children: new Map(), literalChildren: 0, collapsed: false, methods: new Map() };
}

export function newTrie(): RouteTrie {
  return { root: newNode('', 'word'), nodes: 1 };
}

/** Adds `b` (detached) into `a`: hits, values, children and endpoints. */
function mergeNode(trie: RouteTrie, a: RouteNode, b: RouteNode): void {
  a.hits += b.hits;
  mergeSketch(a.segment, b.segment);
  for (const [m, agg] of b.methods) {
    const mine = a.methods.get(m);
    if (mine === undefined) a.methods.set(m, agg);
    else mergeAggregate(mine, agg);
  }
  for (const [key, child] of b.children) {
    const mine = a.children.get(key);
    if (mine === undefined) {
      a.children.set(key, child);
      if (key.startsWith('=')) a.literalChildren++;
    } else {
      trie.nodes--;
      mergeNode(trie, mine, child);
    }
  }
}

function overflowChild(trie: RouteTrie, node: RouteNode, value: string): RouteNode {
  let child = node.children.get('*');
  if (child === undefined) {
    child = newNode(value, 'overflow');
    node.children.set('*', child);
    trie.nodes++;
  }
  return child;
}

/** Folds the node's non-vocabulary literal children into its `*` child. */
function collapse(trie: RouteTrie, node: RouteNode, counters: RouteCounters): void {
  node.collapsed = true;
  for (const [key, child] of node.children) {
    if (!key.startsWith('=') || LITERAL_VOCABULARY.has(child.value) || child.kind === 'version') continue;
    node.children.delete(key);
    node.literalChildren--;
    counters.routeSegmentsFolded++;
    const target = overflowChild(trie, node, child.value);
    trie.nodes--;
    mergeNode(trie, target, child);
  }
}

function childFor(trie: RouteTrie, node: RouteNode, segment: string, limits: RouteLimits, counters: RouteCounters): RouteNode {
  const kind = segmentKind(segment);
  const literal = isLiteralKind(kind);
  const key = literal ? `=${segment}` : `#${kind}`;
  const existing = node.children.get(key);
  if (existing !== undefined) return existing;
  if (literal && node.collapsed && !LITERAL_VOCABULARY.has(segment)) {
    counters.routeSegmentsOverflowed++;
    return overflowChild(trie, node, segment);
  }
  if (trie.nodes >= limits.maxNodes) {
    counters.routeSegmentsOverflowed++;
    return overflowChild(trie, node, segment);
  }
  if (literal && node.literalChildren >= limits.maxLiteralChildren) {
    collapse(trie, node, counters);
    const again = node.children.get(key);
    if (again !== undefined) return again;
    if (!LITERAL_VOCABULARY.has(segment)) {
      counters.routeSegmentsOverflowed++;
      return overflowChild(trie, node, segment);
    }
  }
  const child = newNode(segment, kind);
  node.children.set(key, child);
  trie.nodes++;
  if (literal) node.literalChildren++;
  return child;
}

/** The node for a request's path segments, created as needed (hits and segment values recorded on the way). */
export function insertPath(trie: RouteTrie, segments: readonly string[], limits: RouteLimits, counters: RouteCounters): RouteNode {
  let node = trie.root;
  node.hits++;
  if (segments.length > MAX_PATH_SEGMENTS) {
    counters.routePathsTooDeep++;
    segments = segments.slice(0, MAX_PATH_SEGMENTS);
  }
  for (const segment of segments) {
    node = childFor(trie, node, segment, limits, counters);
    node.hits++;
    addValue(node.segment, coerceText(segment));
  }
  return node;
}
