// The sample API's data shapes (components.schemas of its declared spec). The server answers with exactly these
// shapes, so an inferred schema can be compared field by field with what the app itself declares.

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const uuid: Schema = { type: 'string', format: 'uuid' };

export const CURRENCIES = ['EUR', 'GBP', 'USD'];
export const ROLES = ['admin', 'customer', 'support'];
export const ORDER_STATUSES = ['cancelled', 'paid', 'pending', 'shipped'];
export const COUNTRIES = ['DE', 'FR', 'GB', 'US'];
export const WEBHOOK_EVENTS = ['order.created', 'order.paid', 'order.shipped'];

export const SCHEMAS: Record<string, Schema> = {
  Address: {
    type: 'object',
    required: ['street', 'city', 'postalCode', 'country'],
    properties: { street: str, city: str, postalCode: str, country: { type: 'string', enum: COUNTRIES } },
  },
  User: {
    type: 'object',
    required: ['id', 'email', 'name', 'role', 'createdAt', 'nickname'],
    properties: {
      id: int,
      email: { type: 'string', format: 'email' },
      name: str,
      role: { type: 'string', enum: ROLES },
      nickname: { type: ['string', 'null'] },
      createdAt: dateTime,
      address: ref('Address'),
      phone: str,
    },
  },
  UserCreate: {
    type: 'object',
    required: ['email', 'name', 'password'],
    properties: { email: { type: 'string', format: 'email' }, name: str, password: str, role: { type: 'string', enum: ROLES } },
  },
  UserPatch: { type: 'object', properties: { name: str, nickname: { type: ['string', 'null'] }, role: { type: 'string', enum: ROLES } } },
  UserList: { type: 'object', required: ['items', 'total'], properties: { items: { type: 'array', items: ref('User') }, total: int } },
  Product: {
    type: 'object',
    required: ['id', 'name', 'price', 'currency', 'stock', 'category', 'tags', 'createdAt', 'rating'],
    properties: {
      id: uuid,
      name: str,
      description: str,
      price: num,
      currency: { type: 'string', enum: CURRENCIES },
      stock: int,
      category: str,
      tags: { type: 'array', items: str },
      rating: { type: ['number', 'null'] },
      images: { type: 'array', items: { type: 'string', format: 'uri' } },
      createdAt: dateTime,
    },
  },
  ProductCreate: {
    type: 'object',
    required: ['name', 'price', 'currency', 'stock', 'category'],
    properties: { name: str, description: str, price: num, currency: { type: 'string', enum: CURRENCIES }, stock: int, category: str, tags: { type: 'array', items: str } },
  },
  ProductPage: {
    type: 'object',
    required: ['items', 'page', 'pageSize', 'total'],
    properties: { items: { type: 'array', items: ref('Product') }, page: int, pageSize: int, total: int },
  },
  SearchResult: { type: 'object', required: ['items', 'tookMs'], properties: { items: { type: 'array', items: ref('Product') }, tookMs: int } },
  Review: {
    type: 'object',
    required: ['id', 'productId', 'userId', 'rating', 'title', 'createdAt'],
    properties: { id: int, productId: uuid, userId: int, rating: int, title: str, body: str, createdAt: dateTime },
  },
  ReviewCreate: { type: 'object', required: ['rating', 'title'], properties: { rating: { type: 'integer', minimum: 1, maximum: 5 }, title: str, body: str } },
  ReviewList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Review') } } },
  OrderItem: { type: 'object', required: ['productId', 'quantity', 'unitPrice'], properties: { productId: uuid, quantity: int, unitPrice: num } },
  Order: {
    type: 'object',
    required: ['id', 'userId', 'status', 'items', 'total', 'currency', 'createdAt', 'shippingAddress', 'notes'],
    properties: {
      id: int,
      userId: int,
      status: { type: 'string', enum: ORDER_STATUSES },
      items: { type: 'array', items: ref('OrderItem') },
      total: num,
      currency: { type: 'string', enum: CURRENCIES },
      createdAt: dateTime,
      shippingAddress: ref('Address'),
      notes: { type: ['string', 'null'] },
    },
  },
  OrderCreate: {
    type: 'object',
    required: ['items', 'shippingAddress'],
    properties: {
      items: { type: 'array', items: { type: 'object', required: ['productId', 'quantity'], properties: { productId: uuid, quantity: { type: 'integer', minimum: 1, maximum: 5 } } } },
      shippingAddress: ref('Address'),
      notes: str,
      couponCode: str,
    },
  },
  OrderList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('Order') } } },
  OrderItemList: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('OrderItem') } } },
  Category: { type: 'object', required: ['slug', 'name', 'productCount'], properties: { slug: str, name: str, productCount: int } },
  CategoryProducts: { type: 'object', required: ['category', 'items'], properties: { category: ref('Category'), items: { type: 'array', items: ref('Product') } } },
  DailyReport: {
    type: 'object',
    required: ['date', 'orders', 'revenue', 'averageOrderValue', 'topCategory'],
    properties: { date: { type: 'string', format: 'date' }, orders: int, revenue: num, averageOrderValue: num, topCategory: { type: ['string', 'null'] } },
  },
  LoginResponse: { type: 'object', required: ['accessToken', 'refreshToken', 'expiresIn', 'tokenType'], properties: { accessToken: str, refreshToken: str, expiresIn: int, tokenType: str } },
  RefreshRequest: { type: 'object', required: ['refreshToken'], properties: { refreshToken: { type: 'string', examples: ['rt_5e0c9a1f2b7d48e6a3c1f0d9b8e7a6c5', 'rt_0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'expired'] } } },
  RefreshResponse: { type: 'object', required: ['accessToken', 'expiresIn'], properties: { accessToken: str, expiresIn: int } },
  Cart: {
    type: 'object',
    required: ['id', 'userId', 'items', 'updatedAt'],
    properties: {
      id: str,
      userId: int,
      items: { type: 'array', items: { type: 'object', required: ['itemId', 'productId', 'quantity'], properties: { itemId: int, productId: uuid, quantity: int } } },
      updatedAt: dateTime,
    },
  },
  CartItemCreate: { type: 'object', required: ['productId', 'quantity'], properties: { productId: uuid, quantity: { type: 'integer', minimum: 1, maximum: 9 } } },
  Upload: { type: 'object', required: ['fileId', 'filename', 'size', 'contentType'], properties: { fileId: uuid, filename: str, size: int, contentType: str } },
  UploadForm: {
    type: 'object',
    required: ['file'],
    properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' }, description: str },
  },
  FileMeta: {
    type: 'object',
    required: ['fileId', 'filename', 'size', 'contentType', 'uploadedAt', 'uploaderIp'],
    properties: { fileId: uuid, filename: str, size: int, contentType: str, uploadedAt: dateTime, uploaderIp: { type: 'string', format: 'ipv4' } },
  },
  Webhook: {
    type: 'object',
    required: ['id', 'url', 'events', 'secret', 'active', 'createdAt'],
    properties: {
      id: uuid,
      url: { type: 'string', format: 'uri' },
      events: { type: 'array', items: { type: 'string', enum: WEBHOOK_EVENTS } },
      secret: str,
      active: { type: 'boolean' },
      createdAt: dateTime,
    },
  },
  WebhookCreate: {
    type: 'object',
    required: ['url', 'events'],
    properties: { url: { type: 'string', format: 'uri' }, events: { type: 'array', items: { type: 'string', enum: WEBHOOK_EVENTS } }, active: { type: 'boolean' } },
  },
  Stats: {
    type: 'object',
    required: ['users', 'products', 'orders', 'revenue', 'generatedAt'],
    properties: { users: int, products: int, orders: int, revenue: num, generatedAt: dateTime },
  },
  Health: { type: 'object', required: ['status', 'uptimeSeconds', 'version'], properties: { status: str, uptimeSeconds: int, version: str } },
  Error: {
    type: 'object',
    required: ['error', 'message'],
    properties: {
      error: str,
      message: str,
      details: { type: 'array', items: { type: 'object', required: ['field', 'issue'], properties: { field: str, issue: str } } },
    },
  },
};
