// The sample API's declared OpenAPI 3.1 document: 33 operations over users, products, reviews, orders,
// categories, reports, auth, carts, uploads, files, webhooks and stats, with path, query and header parameters,
// JSON / form / multipart bodies, several status codes and three security schemes. The server routes by these
// paths and serves this document at /openapi.json; the accuracy benchmark compares the inferred documents to it.

import { CART_IDS, CART_ITEM_IDS, CATEGORY_SLUGS, FILE_IDS, ORDER_IDS, PRODUCT_IDS, REPORT_DATES, SEARCH_TERMS, USER_IDS } from './catalog.ts';
import { ORDER_STATUSES, ROLES, SCHEMAS } from './schemas.ts';

type Obj = Record<string, unknown>;
type Security = 'bearer' | 'apiKey' | 'basic';

const SCHEME_IDS: Record<Security, string> = { bearer: 'bearerAuth', apiKey: 'apiKeyAuth', basic: 'basicAuth' };

const path = (name: string, schema: Obj): Obj => ({ name, in: 'path', required: true, schema });
const query = (name: string, schema: Obj, required = false): Obj => ({ name, in: 'query', ...(required && { required }), schema });
const header = (name: string, schema: Obj, required = false): Obj => ({ name, in: 'header', ...(required && { required }), schema });

const USER_ID = path('userId', { type: 'integer', examples: USER_IDS });
const PRODUCT_ID = path('productId', { type: 'string', format: 'uuid', examples: PRODUCT_IDS });
const ORDER_ID = path('orderId', { type: 'integer', examples: ORDER_IDS });
const CART_ID = path('cartId', { type: 'string', pattern: '^[0-9a-f]{24}$', examples: CART_IDS });
const REQUEST_ID = header('X-Request-Id', { type: 'string', format: 'uuid' });

interface OpSpec {
  id: string;
  params?: Obj[];
  body?: { type?: string; schema: string; required?: boolean };
  /** status -> schema name (JSON), null (no body), or a media type and schema. */
  responses: Record<string, string | null | { type: string; schema: Obj }>;
  security?: Security;
}

function op(o: OpSpec): Obj {
  const responses: Obj = {};
  const all: OpSpec['responses'] = { ...o.responses, ...(o.security !== undefined && { '401': 'Error' }) };
  for (const [status, r] of Object.entries(all)) {
    const description = status.startsWith('2') ? 'Success' : 'Error';
    if (r === null) responses[status] = { description };
    else if (typeof r === 'string') responses[status] = { description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${r}` } } } };
    else responses[status] = { description, content: { [r.type]: { schema: r.schema } } };
  }
  const out: Obj = { operationId: o.id, responses };
  if (o.params !== undefined) out.parameters = o.params;
  if (o.body !== undefined) {
    out.requestBody = { required: o.body.required ?? true, content: { [o.body.type ?? 'application/json']: { schema: { $ref: `#/components/schemas/${o.body.schema}` } } } };
  }
  if (o.security !== undefined) out.security = [{ [SCHEME_IDS[o.security]]: [] }];
  return out;
}

export const PATHS: Record<string, Record<string, Obj>> = {
  '/health': { get: op({ id: 'health', responses: { '200': 'Health' } }) },
  '/v1/users': {
    get: op({ id: 'listUsers', params: [query('limit', { type: 'integer', minimum: 1, maximum: 100 }), query('offset', { type: 'integer', minimum: 0, maximum: 1000 }), query('role', { type: 'string', enum: ROLES }), REQUEST_ID], responses: { '200': 'UserList' } }),
    post: op({ id: 'createUser', body: { schema: 'UserCreate' }, responses: { '201': 'User', '422': 'Error' } }),
  },
  '/v1/users/me': { get: op({ id: 'getMe', responses: { '200': 'User' }, security: 'bearer' }) },
  '/v1/users/{userId}': {
    get: op({ id: 'getUser', params: [USER_ID], responses: { '200': 'User', '404': 'Error' } }),
    patch: op({ id: 'updateUser', params: [USER_ID], body: { schema: 'UserPatch' }, responses: { '200': 'User', '404': 'Error' }, security: 'bearer' }),
    delete: op({ id: 'deleteUser', params: [USER_ID], responses: { '204': null, '404': 'Error' }, security: 'apiKey' }),
  },
  '/v1/users/{userId}/orders': {
    get: op({ id: 'listUserOrders', params: [USER_ID, query('status', { type: 'string', enum: ORDER_STATUSES })], responses: { '200': 'OrderList', '404': 'Error' }, security: 'bearer' }),
  },
  '/v1/products': {
    get: op({
      id: 'listProducts',
      params: [query('category', { type: 'string', examples: CATEGORY_SLUGS }), query('minPrice', { type: 'number', minimum: 0, maximum: 100 }), query('maxPrice', { type: 'number', minimum: 100, maximum: 1000 }), query('page', { type: 'integer', minimum: 1, maximum: 20 }), header('Accept-Language', { type: 'string', enum: ['de', 'en', 'fr'] })],
      responses: { '200': 'ProductPage' },
    }),
    post: op({ id: 'createProduct', body: { schema: 'ProductCreate' }, responses: { '201': 'Product', '422': 'Error' }, security: 'apiKey' }),
  },
  '/v1/products/search': {
    get: op({ id: 'searchProducts', params: [query('q', { type: 'string', examples: SEARCH_TERMS }, true), query('limit', { type: 'integer', minimum: 1, maximum: 50 })], responses: { '200': 'SearchResult', '400': 'Error' } }),
  },
  '/v1/products/{productId}': {
    get: op({ id: 'getProduct', params: [PRODUCT_ID], responses: { '200': 'Product', '404': 'Error' } }),
    put: op({ id: 'replaceProduct', params: [PRODUCT_ID], body: { schema: 'ProductCreate' }, responses: { '200': 'Product', '404': 'Error', '422': 'Error' }, security: 'apiKey' }),
    delete: op({ id: 'deleteProduct', params: [PRODUCT_ID], responses: { '204': null, '404': 'Error' }, security: 'apiKey' }),
  },
  '/v1/products/{productId}/reviews': {
    get: op({ id: 'listReviews', params: [PRODUCT_ID], responses: { '200': 'ReviewList', '404': 'Error' } }),
    post: op({ id: 'createReview', params: [PRODUCT_ID], body: { schema: 'ReviewCreate' }, responses: { '201': 'Review', '404': 'Error', '422': 'Error' }, security: 'bearer' }),
  },
  '/v1/orders': {
    get: op({ id: 'listOrders', params: [query('status', { type: 'string', enum: ORDER_STATUSES }), query('since', { type: 'string', format: 'date', examples: REPORT_DATES })], responses: { '200': 'OrderList' }, security: 'bearer' }),
    post: op({ id: 'createOrder', params: [header('Idempotency-Key', { type: 'string', format: 'uuid' }, true)], body: { schema: 'OrderCreate' }, responses: { '201': 'Order', '409': 'Error', '422': 'Error' }, security: 'bearer' }),
  },
  '/v1/orders/{orderId}': { get: op({ id: 'getOrder', params: [ORDER_ID], responses: { '200': 'Order', '404': 'Error' }, security: 'bearer' }) },
  '/v1/orders/{orderId}/cancel': { post: op({ id: 'cancelOrder', params: [ORDER_ID], responses: { '200': 'Order', '404': 'Error', '409': 'Error' }, security: 'bearer' }) },
  '/v1/orders/{orderId}/items': { get: op({ id: 'listOrderItems', params: [ORDER_ID], responses: { '200': 'OrderItemList', '404': 'Error' }, security: 'bearer' }) },
  '/v1/categories': { get: op({ id: 'listCategories', responses: { '200': { type: 'application/json', schema: { type: 'array', items: { $ref: '#/components/schemas/Category' } } } } }) },
  '/v1/categories/{slug}/products': {
    get: op({ id: 'listCategoryProducts', params: [path('slug', { type: 'string', examples: CATEGORY_SLUGS }), query('page', { type: 'integer', minimum: 1, maximum: 5 })], responses: { '200': 'CategoryProducts', '404': 'Error' } }),
  },
  '/v1/reports/daily/{date}': { get: op({ id: 'getDailyReport', params: [path('date', { type: 'string', format: 'date', examples: REPORT_DATES })], responses: { '200': 'DailyReport', '404': 'Error' }, security: 'basic' }) },
  '/v1/auth/login': {
    post: op({ id: 'login', body: { type: 'application/x-www-form-urlencoded', schema: 'LoginForm' }, responses: { '200': 'LoginResponse', '401': 'Error' } }),
  },
  '/v1/auth/refresh': { post: op({ id: 'refresh', body: { schema: 'RefreshRequest' }, responses: { '200': 'RefreshResponse', '401': 'Error' } }) },
  '/v1/carts/{cartId}': { get: op({ id: 'getCart', params: [CART_ID], responses: { '200': 'Cart', '404': 'Error' }, security: 'bearer' }) },
  '/v1/carts/{cartId}/items': {
    post: op({ id: 'addCartItem', params: [CART_ID], body: { schema: 'CartItemCreate' }, responses: { '201': 'Cart', '404': 'Error', '422': 'Error' }, security: 'bearer' }),
  },
  '/v1/carts/{cartId}/items/{itemId}': {
    delete: op({ id: 'removeCartItem', params: [CART_ID, path('itemId', { type: 'integer', examples: CART_ITEM_IDS })], responses: { '204': null, '404': 'Error' }, security: 'bearer' }),
  },
  '/v1/uploads': { post: op({ id: 'upload', body: { type: 'multipart/form-data', schema: 'UploadForm' }, responses: { '201': 'Upload', '422': 'Error' }, security: 'bearer' }) },
  '/v1/files/{fileId}': { get: op({ id: 'getFile', params: [path('fileId', { type: 'string', format: 'uuid', examples: FILE_IDS }), REQUEST_ID], responses: { '200': 'FileMeta', '404': 'Error' }, security: 'bearer' }) },
  '/v1/webhooks': { post: op({ id: 'createWebhook', body: { schema: 'WebhookCreate' }, responses: { '201': 'Webhook', '422': 'Error' }, security: 'apiKey' }) },
  '/v1/stats': { get: op({ id: 'getStats', responses: { '200': 'Stats' }, security: 'apiKey' }) },
};

/** The declared document (a fresh copy each call), with `url` as its server. */
export function sampleApiSpec(url: string): Obj {
  return structuredClone({
    openapi: '3.1.0',
    info: { title: 'Acme Store (cleartap discovery benchmark)', version: '1.0.0' },
    servers: [{ url }],
    paths: PATHS,
    components: {
      schemas: {
        ...SCHEMAS,
        LoginForm: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string', examples: ['ada', 'bob', 'chen'] }, password: { type: 'string', examples: ['secret', 'secret', 'wrong'] } } },
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        basicAuth: { type: 'http', scheme: 'basic' },
      },
    },
  });
}
