// Traffic metrics: request rate, errors, bytes and latency percentiles in time buckets, overall or per host,
// endpoint, process, container, method or status class, through the transaction filters.

import type { FastifyInstance } from 'fastify';
import { invalidField } from '../api-error.ts';
import type { ServerContext } from '../context.ts';
import { named } from '../openapi/named-schemas.ts';
import { isoTime, nullable, transactionFilterProperties } from '../schemas.ts';
import { METRIC_GROUPS, queryMetrics, type MetricGroup } from '../store/metrics-query.ts';
import { durationValue, filterOf, type FilterQuery } from './query-values.ts';

const MAX_BUCKETS = 1000;
const DEFAULT_RANGE_MS = 3_600_000;

const latencySchema = {
  type: 'object',
  required: ['p50', 'p95', 'p99', 'avg', 'max'],
  properties: { p50: nullable('number'), p95: nullable('number'), p99: nullable('number'), avg: nullable('number'), max: nullable('number') },
} as const;

const pointProperties = {
  requests: { type: 'integer' },
  rate: { type: 'number', description: 'Requests per second' },
  errors: { type: 'integer', description: 'Status ≥ 500' },
  clientErrors: { type: 'integer', description: 'Status 400–499' },
  errorRate: { type: 'number', description: 'errors / requests' },
  bytesSent: { type: 'integer' },
  bytesReceived: { type: 'integer' },
  latencyMs: latencySchema,
} as const;
const pointRequired = Object.keys(pointProperties);

const metricsSchema = named('Metrics', {
  type: 'object',
  required: ['since', 'until', 'bucketMs', 'groupBy', 'groups', 'series'],
  properties: {
    since: isoTime,
    until: isoTime,
    bucketMs: { type: 'integer' },
    groupBy: { type: 'string', enum: [...METRIC_GROUPS] },
    groups: { type: 'integer', description: 'Groups with traffic in the range (series holds the top ones)' },
    series: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'total', 'points'],
        properties: {
          key: { type: 'string' },
          total: { type: 'object', required: pointRequired, properties: pointProperties },
          points: { type: 'array', items: { type: 'object', required: ['time', ...pointRequired], properties: { time: isoTime, ...pointProperties } } },
        },
      },
    },
  },
});

export function metricsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: FilterQuery & { bucket: string; groupBy: MetricGroup; top: number } }>('/api/v1/metrics', {
    config: { access: 'viewer' },
    schema: {
      operationId: 'getMetrics',
      summary: 'Request rate, error rate, bytes and latency percentiles over time, overall or per group',
      description:
        'The range defaults to the last hour. Buckets start at multiples of the bucket size since the epoch; empty ones are zeros. ' +
        'Latency percentiles interpolate between the closest ranks (percentile_cont). Endpoints are the API inventory\'s path templates.',
      tags: ['metrics'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...transactionFilterProperties,
          bucket: { type: 'string', pattern: '^(\\d+(ms|s|m|h|d))+$', maxLength: 32, default: '1m', description: 'Bucket size (30s, 1m, 1h)' },
          groupBy: { type: 'string', enum: [...METRIC_GROUPS], default: 'none' },
          top: { type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'How many groups, by request count' },
        },
      },
      response: { 200: metricsSchema },
    },
    handler: async (request) => {
      const now = Date.now();
      const filter = filterOf(request.query, now);
      const untilMs = filter.untilMs ?? now;
      const sinceMs = filter.sinceMs ?? untilMs - DEFAULT_RANGE_MS;
      if (untilMs <= sinceMs) throw invalidField('querystring.since', 'must be before until');
      const bucketMs = durationValue('querystring.bucket', request.query.bucket);
      const buckets = Math.ceil((untilMs - Math.floor(sinceMs / bucketMs) * bucketMs) / bucketMs);
      if (buckets > MAX_BUCKETS) throw invalidField('querystring.bucket', `the range holds ${buckets} buckets of this size; at most ${MAX_BUCKETS}`);
      return queryMetrics(
        ctx.store,
        { filter: { ...filter, sinceMs, untilMs }, bucketMs: Math.round(bucketMs), groupBy: request.query.groupBy, top: request.query.top },
        ctx.inventory.load().templates,
      );
    },
  });
}
