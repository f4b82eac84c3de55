// Names for inferred path parameters: the singular of the collection segment before it plus what the values
// are (`/users/{userId}`, `/reports/{reportDate}`, `/users/{userEmail}`), or the bare kind when no collection
// word precedes (`/v1/{id}`). Names stay unique within one template.

import { LITERAL_VOCABULARY, type SegmentKind } from './segment-kind.ts';

const IRREGULAR: Readonly<Record<string, string>> = {
  people: 'person', children: 'child', men: 'man', women: 'woman', indices: 'index', indexes: 'index',
  matrices: 'matrix', vertices: 'vertex', data: 'data', media: 'media', criteria: 'criterion', analyses: 'analysis',
  statuses: 'status', aliases: 'alias', news: 'news', series: 'series', species: 'species', quizzes: 'quiz',
};

export function singular(word: string): string {
  const lower = word.toLowerCase();
  const irregular = IRREGULAR[lower];
  if (irregular !== undefined) return irregular;
  if (lower.length > 3 && lower.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(?:ss|x|z|ch|sh)es$/.test(lower)) return word.slice(0, -2);
  if (lower.endsWith('ss') || lower.endsWith('us') || lower.endsWith('is')) return word;
  if (lower.length > 1 && lower.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** `order-items` -> `orderItems`; characters other than letters and digits dropped. */
export function camelCase(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  return words.map((w, i) => (i === 0 ? w[0].toLowerCase() + w.slice(1) : w[0].toUpperCase() + w.slice(1))).join('');
}

function suffixOf(kind: SegmentKind | 'overflow'): string {
  if (kind === 'date') return 'Date';
  if (kind === 'email') return 'Email';
  if (kind === 'word') return 'Name';
  return 'Id';
}

/**
 * The name of a parameter that follows the literal `previous` ('' when the segment before is not a collection
 * word), whose values are mostly of `kind`; `taken` are the names already in the template.
 */
export function parameterName(previous: string, kind: SegmentKind | 'overflow', taken: ReadonlySet<string>): string {
  const suffix = suffixOf(kind);
  const usable = previous !== '' && /[A-Za-z]/.test(previous) && !LITERAL_VOCABULARY.has(previous.toLowerCase()) && !/^v\d/i.test(previous);
  const base = usable ? camelCase(singular(previous)) : '';
  let name = base === '' ? suffix[0].toLowerCase() + suffix.slice(1) : base + suffix;
  if (!/^[A-Za-z]/.test(name)) name = `p${name}`;
  let unique = name;
  for (let i = 2; taken.has(unique); i++) unique = `${name}${i}`;
  return unique;
}
