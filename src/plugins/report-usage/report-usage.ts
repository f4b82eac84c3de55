// Qtap's `report_usage` plugin (qtap-reference.md §1.5, §3.4): one Request event per HTTP transaction to the
// event store. The config's top-level `tags` and the plugin's `tags` ([]string) are added to every event; `headers` ([]string) promotes those request headers
// into tags, as "<lowercased name>:<value>" (masked values stay masked). contentType is the response's, else the
// request's. The auth token is found in the unmasked request (auth-token.ts) and reported only masked and hashed.

import type { Transaction } from '../../core/transaction.ts';
import { durationMs, firstHeader } from '../../sinks/stdout/index.ts';
import { asConfigObject, readStringList } from '../config-readers.ts';
import { contentCategory } from '../content-category.ts';
import type { RequestEvent } from '../event-store.ts';
import type { Plugin, PluginView } from '../plugin.ts';
import { timestampOf } from '../transaction-meta.ts';
import { findAuthToken, hashToken, maskToken } from './auth-token.ts';

export const reportUsagePlugin: Plugin = {
  type: 'report_usage',
  create(rawConfig, services) {
    const config = asConfigObject(rawConfig);
    const tags = readStringList(config, 'tags');
    const promoted = readStringList(config, 'headers').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
    const { eventStore } = services;
    return {
      onTransaction(view) {
        eventStore.submit({ type: 'request', item: requestEvent(view, tags, promoted) });
      },
    };
  },
};

function requestEvent(view: PluginView, staticTags: readonly string[], promoted: readonly string[]): RequestEvent {
  const tx = view.tx;
  const req = tx.request;
  const res = tx.response;
  const contentType = (res !== undefined ? firstHeader(res.headers, 'content-type') : '') || firstHeader(req.headers, 'content-type');
  const event: RequestEvent = {
    connectionId: tx.connectionId,
    ...(tx.id !== '' && { requestId: tx.id }),
    tags: [...(view.tags ?? []), ...staticTags, ...promotedTags(tx, promoted)],
    timestamp: timestampOf(tx),
    direction: view.direction,
    url: req.url,
    path: req.path,
    method: req.method,
    status: res?.status ?? 0,
    duration: durationMs(tx) ?? 0,
    contentType,
    category: contentCategory(contentType),
    agent: firstHeader(req.headers, 'user-agent'),
    bytesSent: tx.bytesSent,
    bytesReceived: tx.bytesReceived,
  };
  const token = findAuthToken(view.unmaskedTx.request.headers);
  if (token !== undefined) {
    event.authTokenMask = maskToken(token.token);
    event.authTokenHash = hashToken(token.token);
    event.authTokenSource = token.source;
    event.authTokenType = token.type;
  }
  return event;
}

function promotedTags(tx: Transaction, promoted: readonly string[]): string[] {
  const out: string[] = [];
  for (const name of promoted) {
    const value = firstHeader(tx.request.headers, name);
    if (value !== '') out.push(`${name}:${value}`);
  }
  return out;
}
