// JSON Schema of the Qtap `version: 2` YAML (qtap-reference.md §1) plus cleartap's own keys, validated with
// Ajv. Every object is closed (additionalProperties: false) so that unknown keys are found — the loader
// reports those as warnings, not errors, because Qtap ignores them. Defaults are filled in by Ajv.
//
// cleartap's additions: event store `clickhouse`, object/event store `local`, `tap.mask` (extra headers and
// JSON body fields to mask), http_metrics `listen`, access_logs `color`.

// Secrets are referenced (not inlined) so that an error's schemaPath says a value source was expected.
export const VALUE_SOURCE_REF = '#/$defs/valueSource';
const valueSource = { $ref: VALUE_SOURCE_REF } as const;

const tlsSettings = {
  type: 'object',
  properties: { enabled: { type: 'boolean' }, insecure_skip_verify: { type: 'boolean' } },
  additionalProperties: false,
} as const;

export const EVENT_STORE_TYPES = ['stdout', 'disabled', 'local', 'clickhouse', 'pulse', 'pulse-streaming', 'pulse-legacy', 'axiom', 'otel'] as const;
export const OBJECT_STORE_TYPES = ['stdout', 'disabled', 'local', 's3', 'qpoint', 'otel'] as const;

const retention = {
  type: 'object',
  properties: { max_age: { type: 'string' }, max_size: { type: 'string' } },
  additionalProperties: false,
} as const;

const spool = {
  type: 'object',
  properties: {
    dir: { type: 'string' },
    max_size: { type: 'string' },
    when_full: { type: 'string', enum: ['drop-oldest', 'drop-newest'] },
    fsync: { type: 'string', enum: ['interval', 'always', 'never'] },
  },
  additionalProperties: false,
} as const;

/** What both store lists' otel entries take besides their endpoint. */
const otelSettings = {
  protocol: { type: 'string', enum: ['grpc', 'http', 'stdout'] },
  headers: { type: 'object', additionalProperties: valueSource },
  service_name: { type: 'string' },
  environment: { type: 'string' },
  tls: tlsSettings,
} as const;

/** cleartap's local store, in either list. */
const localSettings = { path: { type: 'string' }, retention, spool } as const;

const eventStore = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: EVENT_STORE_TYPES },
    id: { type: 'string' },
    // pulse
    url: { type: 'string' },
    allow_insecure: { type: 'boolean' },
    token: valueSource,
    // axiom
    dataset: valueSource,
    // otel
    endpoint: { type: 'string' },
    ...otelSettings,
    // clickhouse (cleartap)
    database: { type: 'string' },
    table: { type: 'string' },
    username: valueSource,
    password: valueSource,
    ttl: { type: 'string' },
    batch_size: { type: 'integer', minimum: 1 },
    flush_interval: { type: 'string' },
    ...localSettings,
  },
  required: ['type'],
  additionalProperties: false,
} as const;

const objectStore = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: OBJECT_STORE_TYPES },
    id: { type: 'string' },
    event_store: { type: 'object', properties: { id: { type: 'string' }, disabled: { type: 'boolean' } }, additionalProperties: false },
    // qpoint warehouse
    url: { type: 'string' },
    token: valueSource,
    // s3
    endpoint: { type: 'string' },
    bucket: { type: 'string' },
    region: { type: 'string' },
    access_key: valueSource,
    secret_key: valueSource,
    access_url: { type: 'string' },
    insecure: { type: 'boolean' },
    path_style: { type: 'boolean' },
    // otel (Qtap spells its endpoint differently here)
    otel_endpoint: { type: 'string' },
    ...otelSettings,
    ...localSettings,
  },
  required: ['type'],
  additionalProperties: false,
} as const;

const CAPTURE_LEVELS = ['none', 'summary', 'headers', 'details', 'full'];
// Qtap's access_logs modes; `headers` is accepted for `details`, as http_capture's levels accept both.
const LOG_MODES = ['none', 'summary', 'details', 'headers', 'full'];

// A known plugin's `config` defaults to {} so that its defaults show in `cleartap config print`.
const httpCaptureConfig = {
  type: 'object',
  default: {},
  properties: {
    level: { type: 'string', enum: CAPTURE_LEVELS, default: 'none' },
    format: { type: 'string', enum: ['json', 'text'], default: 'json' },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, expr: { type: 'string' }, level: { type: 'string', enum: CAPTURE_LEVELS }, format: { type: 'string', enum: ['json', 'text'] } },
        required: ['expr', 'level'],
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

const accessLogsConfig = (defaultFormat: 'json' | 'console') =>
  ({
    type: 'object',
    default: {},
    properties: {
      mode: { type: 'string', enum: LOG_MODES, default: 'summary' },
      format: { type: 'string', enum: ['json', 'console'], default: defaultFormat },
      // true and false are always and never.
      color: { type: ['string', 'boolean'], enum: ['auto', 'always', 'never', true, false] },
      rules: {
        type: 'array',
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, expr: { type: 'string' }, mode: { type: 'string', enum: LOG_MODES } },
          required: ['expr', 'mode'],
          additionalProperties: false,
        },
      },
    },
    additionalProperties: false,
  }) as const;

const stringList = { type: 'array', items: { type: 'string' } } as const;
// Status codes written as YAML numbers (`- 500`) are taken as their text.
const statusCodeList = { type: 'array', items: { type: ['string', 'integer'] } } as const;
const textOrList = { type: ['string', 'integer', 'array'], items: { type: ['string', 'integer'] } } as const;

// detect_errors: Qtap's README spells its keys in camelCase; snake_case is accepted too (unverified which
// one the current version reads).
const detectRuleKeys = [
  ['name', { type: 'string' }],
  ['triggerStatusCodes', statusCodeList],
  ['triggerEmptyBody', { type: 'boolean' }],
  ['triggerDuration', { type: 'string' }],
  ['triggerContains', { type: 'string' }],
  ['recordReqHeaders', { type: 'boolean' }],
  ['recordReqBody', { type: 'boolean' }],
  ['recordResHeaders', { type: 'boolean' }],
  ['recordResBody', { type: 'boolean' }],
  ['onlyCategories', stringList],
  ['onlyUrls', stringList],
  ['excludeUrls', stringList],
  ['withTags', stringList],
  ['reportAsIssue', { type: 'boolean' }],
  ['continue', { type: 'boolean' }],
] as const;

/** `triggerStatusCodes` → `trigger_status_codes`, `batchPeriodMS` → `batch_period_ms` (as the plugins read them). */
const snakeCase = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

function bothSpellings(keys: ReadonlyArray<readonly [string, object]>): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [key, schema] of keys) {
    out[key] = schema;
    out[snakeCase(key)] = schema;
  }
  return out;
}

const detectErrorsConfig = {
  type: 'object',
  properties: {
    ...bothSpellings([
      ['batchPeriodMS', { type: 'number' }],
      ['pulseEndpoint', { type: 'string' }],
      ['pulseToken', { type: 'string' }],
      ['warehouseEndpoint', { type: 'string' }],
      ['warehouseToken', { type: 'string' }],
    ]),
    rules: { type: 'array', items: { type: 'object', properties: bothSpellings(detectRuleKeys), additionalProperties: false } },
  },
  additionalProperties: false,
} as const;

/** Known plugin types and the schema of their `config`. User modules (`./x.ts`) are not validated. */
export const PLUGIN_CONFIG_SCHEMAS: Readonly<Record<string, object>> = {
  http_capture: httpCaptureConfig,
  access_logs: accessLogsConfig('json'),
  debug: accessLogsConfig('console'),
  // The listen default is plugins/http-metrics' DEFAULT_LISTEN (config/ may not import plugins/; a test checks).
  http_metrics: { type: 'object', default: {}, properties: { listen: { type: ['string', 'integer'], default: '127.0.0.1:10001' } }, additionalProperties: false },
  report_usage: { type: 'object', properties: { tags: stringList, headers: stringList }, additionalProperties: false },
  detect_errors: detectErrorsConfig,
  // Qtap types cleartap skips with a warning: their configs are not examined.
  logger: {},
  qscan: {},
  devtools: {},
};

const pluginEntry = {
  type: 'object',
  properties: { type: { type: 'string', minLength: 1 }, config: {} },
  required: ['type'],
  additionalProperties: false,
  allOf: Object.entries(PLUGIN_CONFIG_SCHEMAS).map(([type, schema]) => ({
    if: { properties: { type: { const: type } } },
    then: { properties: { config: schema } },
  })),
} as const;

const stackRef = { type: 'object', properties: { stack: { type: 'string' } }, additionalProperties: false } as const;

export const FILTER_STRATEGIES = ['exact', 'prefix', 'suffix', 'contains', 'regex'] as const;

const tap = {
  type: 'object',
  properties: {
    direction: { type: 'string', enum: ['egress', 'egress-external', 'egress-internal', 'ingress', 'all'], default: 'egress' },
    ignore_loopback: { type: 'boolean', default: false },
    audit_include_dns: { type: 'boolean', default: false },
    http: { ...stackRef, default: {} },
    redis: stackRef,
    mysql: stackRef,
    kafka: stackRef,
    filters: {
      type: 'object',
      properties: {
        groups: { type: 'array', items: { type: 'string', enum: ['kubernetes', 'container', 'gke', 'eks', 'qpoint'] }, default: [] },
        custom: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              exe: { type: 'string', minLength: 1 },
              strategy: { type: 'string', enum: FILTER_STRATEGIES, default: 'exact' },
              only: { type: 'array', items: { type: 'string', enum: ['data', 'dns', 'tls', 'http'] } },
            },
            required: ['exe'],
            additionalProperties: false,
          },
          default: [],
        },
      },
      additionalProperties: false,
      default: {},
    },
    endpoints: {
      type: 'array',
      items: {
        type: 'object',
        properties: { domain: { type: 'string', minLength: 1 }, http: stackRef, redis: stackRef, mysql: stackRef, kafka: stackRef },
        required: ['domain'],
        additionalProperties: false,
      },
      default: [],
    },
    mask: {
      type: 'object',
      properties: { headers: stringList, json_fields: stringList },
      additionalProperties: false,
      default: {},
    },
    // Passive mode (cleartap read / passive): the Invicti NTA tap's settings, as comma lists or YAML lists.
    passive: {
      type: 'object',
      properties: {
        interfaces: textOrList,
        ports: textOrList,
        http_status_codes: textOrList,
        exclude_traffic_with_headers: textOrList,
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
  default: {},
} as const;

export const CONFIG_SCHEMA = {
  $defs: {
    valueSource: {
      type: 'object',
      properties: { type: { type: 'string', enum: ['text', 'env'] }, value: { type: 'string' } },
      required: ['type', 'value'],
      additionalProperties: false,
    },
  },
  type: 'object',
  properties: {
    version: { type: 'integer', enum: [2] },
    services: {
      type: 'object',
      properties: {
        event_stores: { type: 'array', items: eventStore, default: [] },
        object_stores: { type: 'array', items: objectStore, default: [] },
        qscan: { type: 'object' },
      },
      additionalProperties: false,
      default: {},
    },
    stacks: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        properties: { plugins: { type: 'array', items: pluginEntry, default: [] } },
        additionalProperties: false,
      },
      default: {},
    },
    tap,
    tags: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          source: { type: 'string', enum: ['env', 'k8s.label', 'k8s.annotation', 'container.label'] },
          location: { type: 'string' },
        },
        required: ['key', 'source', 'location'],
        additionalProperties: false,
      },
      default: [],
    },
    control: {
      type: 'object',
      properties: {
        default: { type: 'string', enum: ['allow'], default: 'allow' },
        rules: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, expr: { type: 'string' }, actions: { type: 'array', items: { type: 'string', enum: ['allow', 'deny'] } } },
            required: ['name', 'expr'],
            additionalProperties: false,
          },
        },
      },
      additionalProperties: false,
    },
    rulekit: {
      type: 'object',
      properties: {
        macros: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string', minLength: 1 }, expr: { type: 'string' } }, required: ['name', 'expr'], additionalProperties: false },
          default: [],
        },
      },
      additionalProperties: false,
      default: {},
    },
  },
  additionalProperties: false,
} as const;
