// The sample API's seeded identifiers: the declared spec lists them as parameter examples (so a spec-driven
// traffic generator can call existing resources) and the server's store holds exactly these.

import { SeededRandom } from '../../../src/core/fixtures/seeded-random.ts';

const rng = new SeededRandom(20250101);

function uuid(): string {
  const h = rng.string('0123456789abcdef', 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const USER_IDS = Array.from({ length: 40 }, (_, i) => i + 1);
export const PRODUCT_IDS = Array.from({ length: 24 }, uuid);
export const ORDER_IDS = Array.from({ length: 60 }, (_, i) => 1001 + i);
export const CART_IDS = Array.from({ length: 10 }, () => rng.string('0123456789abcdef', 24));
export const CART_ITEM_IDS = [1, 2, 3, 4, 5];
export const FILE_IDS = Array.from({ length: 10 }, uuid);
export const CATEGORY_SLUGS = ['books', 'electronics', 'garden', 'kitchen', 'music', 'office', 'sports', 'toys'];
export const REPORT_DATES = Array.from({ length: 14 }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10));
export const SEARCH_TERMS = ['lamp', 'chair', 'cable', 'novel', 'kettle', 'ball'];
