// Qtap's `http_metrics` plugin (qtap-reference.md §1.5): Prometheus counters and histograms per transaction,
// labelled method, host (the :authority, else the endpoint), status ("000" without a response) and protocol,
// served at http://<listen>/metrics (default 127.0.0.1:10001; Qtap listens on :10001, every interface) with the
// agent's health metrics at /system/metrics.
//
// Metric names follow Qtap's `qtap_http_` family (its exact names are unverified):
//   qtap_http_requests_total              counter    every transaction
//   qtap_http_responses_total             counter    transactions that had a response
//   qtap_http_request_duration_ms         histogram  first request byte to last response byte
//   qtap_http_request_size_bytes          histogram  request head and body on the wire
//   qtap_http_response_size_bytes         histogram  response head and body on the wire
// The host label takes whatever Host the clients send; a scrape of many distinct hosts has as many series.

import type { AddressInfo } from 'node:net';
import type { Transaction } from '../../core/transaction.ts';
import { CleartapError } from '../../core/errors.ts';
import { authorityOf } from '../../sinks/stdout/index.ts';
import { asConfigObject, readValue } from '../config-readers.ts';
import type { Plugin, PluginInstance, PluginServices } from '../plugin.ts';
import { counterIn, histogramIn } from '../registry-metrics.ts';
import { DEFAULT_LISTEN, parseListen } from './listen-address.ts';
import { acquireMetricsEndpoint } from './metrics-server.ts';

const LABELS = ['method', 'host', 'status', 'protocol'] as const;
type Label = (typeof LABELS)[number];

const DURATION_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];
const SIZE_BUCKETS = [128, 512, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];

export interface HttpMetricsInstance extends PluginInstance {
  /** Where /metrics is served (the port the system chose when listen's port is 0). */
  readonly address: AddressInfo;
}

export async function createHttpMetrics(rawConfig: unknown, services: PluginServices): Promise<HttpMetricsInstance> {
  const config = asConfigObject(rawConfig);
  const listen = parseListen(readValue(config, 'listen') ?? DEFAULT_LISTEN);
  if (typeof listen === 'string') throw new CleartapError('CT_ERR_PLUGIN', `http_metrics: ${listen}`, 'e.g. listen: "127.0.0.1:10001"');
  const { registry, systemRegistry } = services.metrics;
  const requests = counterIn(registry, 'qtap_http_requests_total', 'HTTP requests seen', LABELS);
  const responses = counterIn(registry, 'qtap_http_responses_total', 'HTTP responses seen', LABELS);
  const duration = histogramIn(registry, 'qtap_http_request_duration_ms', 'HTTP transaction duration in milliseconds', LABELS, DURATION_BUCKETS_MS);
  const requestSize = histogramIn(registry, 'qtap_http_request_size_bytes', 'HTTP request size on the wire in bytes', LABELS, SIZE_BUCKETS);
  const responseSize = histogramIn(registry, 'qtap_http_response_size_bytes', 'HTTP response size on the wire in bytes', LABELS, SIZE_BUCKETS);
  const endpoint = await acquireMetricsEndpoint(listen, registry, systemRegistry);
  services.log.info({ address: endpoint.address }, 'http_metrics: serving /metrics and /system/metrics');
  return {
    address: endpoint.address,
    onTransaction(view) {
      const tx = view.tx;
      const labels = labelsOf(tx);
      const egress = tx.direction === 'egress';
      requests.inc(labels);
      if (Number.isFinite(tx.durationMs)) duration.observe(labels, Math.max(0, tx.durationMs));
      requestSize.observe(labels, egress ? tx.bytesSent : tx.bytesReceived);
      if (tx.response !== undefined) {
        responses.inc(labels);
        responseSize.observe(labels, egress ? tx.bytesReceived : tx.bytesSent);
      }
    },
    close: () => endpoint.release(),
  };
}

export const httpMetricsPlugin: Plugin = { type: 'http_metrics', create: createHttpMetrics };

function labelsOf(tx: Transaction): Record<Label, string> {
  const authority = authorityOf(tx.request.url);
  return {
    method: tx.request.method,
    host: authority !== '' ? authority : tx.host,
    status: tx.response === undefined ? '000' : String(tx.response.status).padStart(3, '0'),
    protocol: tx.protocol,
  };
}
