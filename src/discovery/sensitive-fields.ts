// Where sensitive data travels in one endpoint: every tagged field of its bodies (as a JSON pointer), parameter
// and header, collected for the operation's `x-sensitive-data` list.

import { tagNames, type SensitiveTag } from './sensitive-tags.ts';
import type { ValueSketch } from './value-sketch.ts';

export interface SensitiveField {
  /** `query`, `header`, `path`, `cookie`, `requestBody` or `response <status>`. */
  in: string;
  /** Parameter name, or JSON pointer into the body (`/user/email`; array items and map values are `*`). */
  name: string;
  tags: SensitiveTag[];
}

/** Fields listed per operation at most; the rest are still tagged in the schemas. */
export const MAX_SENSITIVE_FIELDS = 64;

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Tagged places inside a body sketch, appended to `out` under `location`. */
export function collectSensitive(sk: ValueSketch, location: string, out: SensitiveField[], pointer = ''): void {
  if (out.length >= MAX_SENSITIVE_FIELDS) return;
  if (sk.tags !== 0 && pointer !== '') out.push({ in: location, name: pointer, tags: tagNames(sk.tags) });
  if (sk.object !== undefined) {
    for (const [key, p] of sk.object.props) collectSensitive(p, location, out, `${pointer}/${escapePointer(key)}`);
    if (sk.object.extra !== undefined) collectSensitive(sk.object.extra, location, out, `${pointer}/*`);
  }
  if (sk.array !== undefined) collectSensitive(sk.array.items, location, out, `${pointer}/*`);
}
