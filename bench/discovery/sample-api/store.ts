// The sample API's in-memory data, seeded to hold exactly the identifiers in catalog.ts. Optional fields are
// present on some records and absent on others, nullable ones sometimes null, so inference sees both.

import { SeededRandom } from '../../../src/core/fixtures/seeded-random.ts';
import { CART_IDS, CART_ITEM_IDS, CATEGORY_SLUGS, FILE_IDS, ORDER_IDS, PRODUCT_IDS, REPORT_DATES } from './catalog.ts';
import { COUNTRIES, CURRENCIES, ORDER_STATUSES, ROLES } from './schemas.ts';

type Obj = Record<string, unknown>;

const FIRST = ['Ada', 'Bob', 'Chen', 'Dana', 'Emil', 'Fatima', 'Goran', 'Hana', 'Ivan', 'Jia', 'Kofi', 'Lena'];
const LAST = ['Lovelace', 'Marley', 'Wei', 'Scully', 'Nolde', 'Haddad', 'Bregovic', 'Kim', 'Petrov', 'Li', 'Annan', 'Meyer'];
const CITIES = ['Berlin', 'Lyon', 'Leeds', 'Austin', 'Hamburg', 'Paris'];
const WORDS = ['Desk', 'Lamp', 'Chair', 'Cable', 'Novel', 'Kettle', 'Ball', 'Drill', 'Guitar', 'Mug', 'Pen', 'Rake'];

export interface Store {
  users: Map<number, Obj>;
  products: Map<string, Obj>;
  reviews: Map<string, Obj[]>;
  orders: Map<number, Obj>;
  categories: Obj[];
  carts: Map<string, Obj>;
  files: Map<string, Obj>;
  nextUserId: number;
  nextOrderId: number;
  nextReviewId: number;
}

export function iso(rng: SeededRandom, from = Date.UTC(2024, 0, 1), spanDays = 365): string {
  return new Date(from + rng.int(0, spanDays * 86400) * 1000).toISOString();
}

export function uuid(rng: SeededRandom): string {
  const h = rng.string('0123456789abcdef', 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function address(rng: SeededRandom): Obj {
  return { street: `${rng.int(1, 200)} ${rng.pick(LAST)} Street`, city: rng.pick(CITIES), postalCode: String(rng.int(10000, 99999)), country: rng.pick(COUNTRIES) };
}

export function person(rng: SeededRandom, id: number): Obj {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const user: Obj = {
    id,
    email: `${first.toLowerCase()}.${last.toLowerCase()}${id}@mail.example`,
    name: `${first} ${last}`,
    role: rng.pick(ROLES),
    nickname: rng.chance(0.4) ? null : `${first.toLowerCase()}${rng.int(1, 99)}`,
    createdAt: iso(rng),
  };
  if (rng.chance(0.6)) user.address = address(rng);
  if (rng.chance(0.5)) user.phone = `+49 30 ${rng.int(1000000, 9999999)}`;
  return user;
}

export function product(rng: SeededRandom, id: string, fields: Obj = {}): Obj {
  const p: Obj = {
    id,
    name: `${rng.pick(WORDS)} ${rng.int(100, 999)}`,
    price: rng.int(100, 99999) / 100,
    currency: rng.pick(CURRENCIES),
    stock: rng.int(0, 50),
    category: rng.pick(CATEGORY_SLUGS),
    tags: Array.from({ length: rng.int(0, 3) }, () => rng.pick(['new', 'sale', 'eco', 'bestseller'])),
    rating: rng.chance(0.3) ? null : rng.int(10, 50) / 10,
    createdAt: iso(rng),
    ...fields,
  };
  if (rng.chance(0.5) && p.description === undefined) p.description = `A fine ${String(p.name).toLowerCase()}.`;
  if (rng.chance(0.5)) p.images = [`https://img.acme.example/${id}/1.jpg`];
  return p;
}

export function review(rng: SeededRandom, id: number, productId: string, fields: Obj = {}): Obj {
  const r: Obj = { id, productId, userId: rng.int(1, 40), rating: rng.int(1, 5), title: rng.pick(['Great', 'Okay', 'Broke fast', 'Love it']), createdAt: iso(rng), ...fields };
  if (r.body === undefined && rng.chance(0.5)) r.body = 'Would buy again.';
  return r;
}

export function order(rng: SeededRandom, id: number, userId: number, items: Obj[], fields: Obj = {}): Obj {
  const total = Math.round(items.reduce((s, it) => s + (it.quantity as number) * (it.unitPrice as number), 0) * 100) / 100;
  return { id, userId, status: rng.pick(ORDER_STATUSES), items, total, currency: rng.pick(CURRENCIES), createdAt: iso(rng), shippingAddress: address(rng), notes: rng.chance(0.5) ? null : 'Leave at the door', ...fields };
}

export function orderItems(rng: SeededRandom): Obj[] {
  return Array.from({ length: rng.int(1, 3) }, () => ({ productId: rng.pick(PRODUCT_IDS), quantity: rng.int(1, 4), unitPrice: rng.int(100, 9999) / 100 }));
}

export function seedStore(seed: number): Store {
  const rng = new SeededRandom(seed);
  const users = new Map<number, Obj>();
  for (let id = 1; id <= 40; id++) users.set(id, person(rng, id));
  const products = new Map<string, Obj>();
  const reviews = new Map<string, Obj[]>();
  let nextReviewId = 1;
  for (const id of PRODUCT_IDS) {
    products.set(id, product(rng, id));
    reviews.set(id, Array.from({ length: rng.int(0, 4) }, () => review(rng, nextReviewId++, id)));
  }
  const orders = new Map<number, Obj>();
  for (const id of ORDER_IDS) orders.set(id, order(rng, id, rng.int(1, 40), orderItems(rng)));
  const categories = CATEGORY_SLUGS.map((slug) => ({ slug, name: slug[0].toUpperCase() + slug.slice(1), productCount: [...products.values()].filter((p) => p.category === slug).length }));
  const carts = new Map<string, Obj>();
  for (const id of CART_IDS) {
    carts.set(id, { id, userId: rng.int(1, 40), items: CART_ITEM_IDS.slice(0, rng.int(1, 5)).map((itemId) => ({ itemId, productId: rng.pick(PRODUCT_IDS), quantity: rng.int(1, 3) })), updatedAt: iso(rng) });
  }
  const files = new Map<string, Obj>();
  for (const id of FILE_IDS) {
    files.set(id, { fileId: id, filename: `${rng.pick(WORDS).toLowerCase()}.pdf`, size: rng.int(1000, 900000), contentType: 'application/pdf', uploadedAt: iso(rng), uploaderIp: `10.0.${rng.int(0, 255)}.${rng.int(1, 254)}` });
  }
  return { users, products, reviews, orders, categories, carts, files, nextUserId: 41, nextOrderId: 2001, nextReviewId };
}

export const KNOWN_DATES = new Set(REPORT_DATES);
