// The sample API's operations, by operationId: real reads and writes on the seeded store, answering with the
// declared shapes and status codes (404 for unknown ids, 409 for conflicts, 400/422 for bad input).

import type { SeededRandom } from '../../../src/core/fixtures/seeded-random.ts';
import { address, iso, KNOWN_DATES, order, person, product, review, uuid, type Store } from './store.ts';

type Obj = Record<string, unknown>;

export interface RequestContext {
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** multipart file parts: field name -> {filename, size, type}. */
  files: Map<string, { filename: string; size: number; type: string }>;
  store: Store;
  rng: SeededRandom;
  startedAt: number;
}

export interface Reply {
  status: number;
  body?: unknown;
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const notFound = (what: string): Reply => ({ status: 404, body: { error: 'not_found', message: `no such ${what}` } });
const conflict = (message: string): Reply => ({ status: 409, body: { error: 'conflict', message } });

function num(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  return v === null || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v);
}

function page<T>(items: T[], pageNo: number, size: number): T[] {
  return items.slice((pageNo - 1) * size, pageNo * size);
}

export const HANDLERS: Record<string, (c: RequestContext) => Reply> = {
  health: (c) => ok({ status: 'ok', uptimeSeconds: Math.floor((Date.now() - c.startedAt) / 1000), version: '1.0.0' }),
  listUsers: (c) => {
    let users = [...c.store.users.values()];
    const role = c.query.get('role');
    if (role !== null) users = users.filter((u) => u.role === role);
    const offset = num(c.query, 'offset') ?? 0;
    return ok({ items: users.slice(offset, offset + (num(c.query, 'limit') ?? 10)), total: users.length });
  },
  createUser: (c) => {
    const body = c.body as Obj;
    const user = { ...person(c.rng, c.store.nextUserId++), email: body.email, name: body.name, ...(body.role !== undefined && { role: body.role }) };
    return ok(user, 201);
  },
  getMe: (c) => ok(c.store.users.get(1)),
  getUser: (c) => {
    const u = c.store.users.get(Number(c.params.userId));
    return u === undefined ? notFound('user') : ok(u);
  },
  updateUser: (c) => {
    const u = c.store.users.get(Number(c.params.userId));
    if (u === undefined) return notFound('user');
    Object.assign(u, c.body as Obj);
    return ok(u);
  },
  // Deletes answer as if done but keep the seeded record, so the traffic keeps finding what the spec lists.
  deleteUser: (c) => (c.store.users.has(Number(c.params.userId)) ? { status: 204 } : notFound('user')),
  listUserOrders: (c) => {
    const id = Number(c.params.userId);
    if (!c.store.users.has(id)) return notFound('user');
    const status = c.query.get('status');
    return ok({ items: [...c.store.orders.values()].filter((o) => o.userId === id && (status === null || o.status === status)) });
  },
  listProducts: (c) => {
    let items = [...c.store.products.values()];
    const category = c.query.get('category');
    if (category !== null) items = items.filter((p) => p.category === category);
    const min = num(c.query, 'minPrice');
    const max = num(c.query, 'maxPrice');
    if (min !== undefined) items = items.filter((p) => (p.price as number) >= min);
    if (max !== undefined) items = items.filter((p) => (p.price as number) <= max);
    const pageNo = num(c.query, 'page') ?? 1;
    return ok({ items: page(items, pageNo, 5), page: pageNo, pageSize: 5, total: items.length });
  },
  createProduct: (c) => ok(product(c.rng, uuid(c.rng), c.body as Obj), 201),
  searchProducts: (c) => {
    const q = c.query.get('q');
    if (q === null || q === '') return { status: 400, body: { error: 'bad_request', message: 'q is required', details: [{ field: 'q', issue: 'missing' }] } };
    const items = [...c.store.products.values()].filter((p) => String(p.name).toLowerCase().includes(q.toLowerCase()));
    return ok({ items: items.slice(0, num(c.query, 'limit') ?? 10), tookMs: c.rng.int(1, 40) });
  },
  getProduct: (c) => {
    const p = c.store.products.get(c.params.productId);
    return p === undefined ? notFound('product') : ok(p);
  },
  replaceProduct: (c) => {
    const p = c.store.products.get(c.params.productId);
    if (p === undefined) return notFound('product');
    Object.assign(p, c.body as Obj);
    return ok(p);
  },
  deleteProduct: (c) => (c.store.products.has(c.params.productId) ? { status: 204 } : notFound('product')),
  listReviews: (c) => {
    const r = c.store.reviews.get(c.params.productId);
    return r === undefined ? notFound('product') : ok({ items: r });
  },
  createReview: (c) => {
    const list = c.store.reviews.get(c.params.productId);
    if (list === undefined) return notFound('product');
    const r = review(c.rng, c.store.nextReviewId++, c.params.productId, c.body as Obj);
    if (list.length < 20) list.push(r);
    return ok(r, 201);
  },
  listOrders: (c) => {
    const status = c.query.get('status');
    const since = c.query.get('since');
    return ok({ items: [...c.store.orders.values()].filter((o) => (status === null || o.status === status) && (since === null || String(o.createdAt) >= since)).slice(0, 5) });
  },
  createOrder: (c) => {
    const body = c.body as { items: Array<{ productId: string; quantity: number }>; shippingAddress: Obj; notes?: string };
    const items = body.items.map((it) => ({ productId: it.productId, quantity: it.quantity, unitPrice: (c.store.products.get(it.productId)?.price as number | undefined) ?? 9.99 }));
    if (items.some((it) => c.store.products.get(it.productId)?.stock === 0)) return conflict('a product is out of stock');
    return ok(order(c.rng, c.store.nextOrderId++, 1, items, { status: 'pending', shippingAddress: body.shippingAddress ?? address(c.rng), notes: body.notes ?? null }), 201);
  },
  getOrder: (c) => {
    const o = c.store.orders.get(Number(c.params.orderId));
    return o === undefined ? notFound('order') : ok(o);
  },
  cancelOrder: (c) => {
    const o = c.store.orders.get(Number(c.params.orderId));
    if (o === undefined) return notFound('order');
    if (o.status === 'shipped' || o.status === 'cancelled') return conflict(`order is ${String(o.status)}`);
    return ok({ ...o, status: 'cancelled' });
  },
  listOrderItems: (c) => {
    const o = c.store.orders.get(Number(c.params.orderId));
    return o === undefined ? notFound('order') : ok({ items: o.items });
  },
  listCategories: (c) => ok(c.store.categories),
  listCategoryProducts: (c) => {
    const category = c.store.categories.find((x) => x.slug === c.params.slug);
    if (category === undefined) return notFound('category');
    const items = [...c.store.products.values()].filter((p) => p.category === c.params.slug);
    return ok({ category, items: page(items, num(c.query, 'page') ?? 1, 5) });
  },
  getDailyReport: (c) => {
    if (!KNOWN_DATES.has(c.params.date)) return notFound('report');
    const orders = c.rng.int(0, 80);
    const revenue = c.rng.int(0, 900000) / 100;
    return ok({ date: c.params.date, orders, revenue, averageOrderValue: orders === 0 ? 0 : Math.round((revenue / orders) * 100) / 100, topCategory: orders === 0 ? null : c.rng.pick(c.store.categories).slug });
  },
  login: (c) => {
    const body = c.body as Obj;
    if (body.password !== 'secret') return { status: 401, body: { error: 'unauthorized', message: 'wrong username or password' } };
    return ok({ accessToken: BENCH_JWT, refreshToken: `rt_${c.rng.string('abcdef0123456789', 32)}`, expiresIn: 3600, tokenType: 'Bearer' });
  },
  refresh: (c) => {
    const token = (c.body as Obj).refreshToken;
    if (typeof token !== 'string' || !token.startsWith('rt_')) return { status: 401, body: { error: 'unauthorized', message: 'unknown refresh token' } };
    return ok({ accessToken: BENCH_JWT, expiresIn: 3600 });
  },
  getCart: (c) => {
    const cart = c.store.carts.get(c.params.cartId);
    return cart === undefined ? notFound('cart') : ok(cart);
  },
  addCartItem: (c) => {
    const cart = c.store.carts.get(c.params.cartId);
    if (cart === undefined) return notFound('cart');
    const body = c.body as Obj;
    const items = cart.items as Obj[];
    return ok({ ...cart, items: [...items, { itemId: items.length + 1, productId: body.productId, quantity: body.quantity }], updatedAt: new Date().toISOString() }, 201);
  },
  removeCartItem: (c) => {
    const cart = c.store.carts.get(c.params.cartId);
    if (cart === undefined || !(cart.items as Obj[]).some((it) => it.itemId === Number(c.params.itemId))) return notFound('cart item');
    return { status: 204 };
  },
  upload: (c) => {
    const file = c.files.get('file');
    if (file === undefined) return { status: 422, body: { error: 'invalid', message: 'file is required', details: [{ field: 'file', issue: 'missing' }] } };
    return ok({ fileId: uuid(c.rng), filename: file.filename, size: file.size, contentType: file.type }, 201);
  },
  getFile: (c) => {
    const f = c.store.files.get(c.params.fileId);
    return f === undefined ? notFound('file') : ok(f);
  },
  createWebhook: (c) => {
    const body = c.body as Obj;
    return ok({ id: uuid(c.rng), url: body.url, events: body.events, secret: `whsec_${c.rng.string('abcdef0123456789', 24)}`, active: body.active ?? true, createdAt: iso(c.rng, Date.UTC(2025, 0, 1), 30) }, 201);
  },
  getStats: (c) => ok({ users: c.store.users.size, products: c.store.products.size, orders: c.store.orders.size, revenue: c.rng.int(100000, 9000000) / 100, generatedAt: new Date().toISOString() }),
};

/** The bearer token the server accepts (a JWT: header.payload.signature). */
export const BENCH_JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwibmFtZSI6IkFkYSJ9.c2lnbmF0dXJlLW9mLXRoZS1iZW5jaA';
export const BENCH_API_KEY = 'ak_live_4f9c2e7d1b8a6350';
export const BENCH_BASIC = { username: 'reporter', password: 'hunter2' };
