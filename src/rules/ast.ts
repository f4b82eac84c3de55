// The parsed form of a rule expression. `at` is the UTF-16 offset of the node's first token, for errors.
import type { Cidr, IpAddress } from '../core/ip.ts';
import type { HexBytes } from './rule-values.ts';

export type Condition =
  /** Flattened: `a and b and c` is one node with three items. */
  | { kind: 'and'; items: Condition[] }
  | { kind: 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition }
  | { kind: 'compare'; op: BinaryOp; left: Operand; right: Operand }
  /** A bare field or value: passes when it is non-zero / non-empty. */
  | { kind: 'truthy'; operand: Operand };

export type BinaryOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'contains' | 'matches' | 'in';

export type LiteralValue = string | number | boolean | IpAddress | Cidr | RegExp | HexBytes;

/** A field path step: a map key, or an index into a list. */
export type PathSegment = string | number;

export type Operand =
  | { kind: 'literal'; value: LiteralValue; at: number }
  /** `text` is the path as written, for messages. */
  | { kind: 'field'; path: PathSegment[]; text: string; at: number }
  | { kind: 'array'; items: Operand[]; at: number }
  | { kind: 'call'; name: string; args: Operand[]; at: number };
