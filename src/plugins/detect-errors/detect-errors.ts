// Qtap's `detect_errors` plugin (qtap-reference.md §1.5): rules over each finished transaction (error-rule.ts).
// When a rule matches, the headers and bodies it asks for go to the object store as artifacts (req-headers,
// req-body, res-headers, res-body; headers as a JSON object, already masked), and, unless reportAsIssue is
// false, an Issue event goes to the event store with triggerConditions ["detect_errors:<condition>"] (status_code,
// empty_body, duration, contains) and one reason per condition. Rules are checked in order; the first match
// stops the search unless that rule says `continue: true`.
//
// triggerEmptyBody does not fire for responses that cannot have a body (1xx, 204, 304, or to HEAD), nor without
// a response. The top-level keys of Qtap's README (batchPeriodMS, pulse*, warehouse*) configure Qpoint's cloud
// and are ignored.

import { Buffer } from 'node:buffer';
import type { HttpRequestRecord, HttpResponseRecord, Transaction } from '../../core/transaction.ts';
import { firstHeader, headerObject } from '../../sinks/stdout/index.ts';
import { asConfigObject, readObjectList } from '../config-readers.ts';
import { contentCategory } from '../content-category.ts';
import type { IssueEvent } from '../event-store.ts';
import { createArtifact, type ObjectStore } from '../object-store.ts';
import type { Plugin, PluginView } from '../plugin.ts';
import { artifactMetaOf, eventMetaOf, timestampOf } from '../transaction-meta.ts';
import { type ErrorRule, readErrorRule } from './error-rule.ts';

const PLUGIN = 'detect_errors';

export const detectErrorsPlugin: Plugin = {
  type: PLUGIN,
  create(rawConfig, services) {
    const rules: ErrorRule[] = [];
    readObjectList(asConfigObject(rawConfig), 'rules').forEach((entry, index) => {
      const { rule, problems } = readErrorRule(entry, index);
      for (const problem of problems) services.log.warn({ plugin: PLUGIN, rule: rule.name }, `rule: ${problem}`);
      rules.push(rule);
    });
    const { objectStore, eventStore } = services;
    return {
      onTransaction(view) {
        for (const rule of rules) {
          const triggers = firedTriggers(rule, view.tx);
          if (triggers.length === 0) continue;
          record(objectStore, rule, view.tx);
          if (rule.reportAsIssue) eventStore.submit({ type: 'issue', item: issueEvent(view, rule, triggers) });
          if (!rule.continue) return;
        }
      },
    };
  },
};

interface Trigger {
  condition: 'status_code' | 'empty_body' | 'duration' | 'contains';
  reason: string;
}

function firedTriggers(rule: ErrorRule, tx: Transaction): Trigger[] {
  if (!passesFilters(rule, tx)) return [];
  const out: Trigger[] = [];
  const res = tx.response;
  if (res !== undefined) {
    const pattern = rule.statusCodes.find((p) => p.matches(res.status));
    if (pattern !== undefined) out.push({ condition: 'status_code', reason: `status ${res.status} matches "${pattern.text}"` });
    if (rule.emptyBody && mayHaveBody(tx.request.method, res.status) && Math.max(res.bodySize, res.body.byteLength) === 0) {
      out.push({ condition: 'empty_body', reason: 'the response body is empty' });
    }
  }
  if (rule.duration !== undefined && tx.durationMs >= rule.duration.ms) {
    out.push({ condition: 'duration', reason: `took ${Math.round(tx.durationMs)}ms, at least ${rule.duration.text}` });
  }
  if (rule.contains !== '' && res !== undefined && res.body.byteLength > 0 && bodyContains(res.body, rule.contains)) {
    out.push({ condition: 'contains', reason: `the response body contains "${rule.contains}"` });
  }
  return out;
}

function passesFilters(rule: ErrorRule, tx: Transaction): boolean {
  const url = tx.request.url;
  if (rule.onlyUrls.length > 0 && !rule.onlyUrls.some((matches) => matches(url))) return false;
  if (rule.excludeUrls.some((matches) => matches(url))) return false;
  if (rule.onlyCategories.length > 0) {
    const res = tx.response;
    const ct = (res !== undefined ? firstHeader(res.headers, 'content-type') : '') || firstHeader(tx.request.headers, 'content-type');
    if (!rule.onlyCategories.includes(contentCategory(ct))) return false;
  }
  return true;
}

function mayHaveBody(method: string, status: number): boolean {
  return method !== 'HEAD' && status >= 200 && status !== 204 && status !== 304;
}

function bodyContains(body: Uint8Array, text: string): boolean {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).includes(text, 0, 'utf8');
}

function record(store: ObjectStore, rule: ErrorRule, tx: Transaction): void {
  const wanted = rule.record;
  if (!wanted.reqHeaders && !wanted.reqBody && !wanted.resHeaders && !wanted.resBody) return;
  const meta = artifactMetaOf(tx);
  const put = (side: 'req' | 'res', msg: HttpRequestRecord | HttpResponseRecord, headers: boolean, body: boolean): void => {
    if (headers) {
      const json = JSON.stringify(headerObject(msg.headers));
      store.put(createArtifact(`${side}-headers`, Buffer.from(json, 'utf8'), 'application/json', meta));
    }
    if (body && msg.body.byteLength > 0) {
      const ct = firstHeader(msg.headers, 'content-type');
      store.put(createArtifact(`${side}-body`, msg.body, ct !== '' ? ct : 'application/octet-stream', meta));
    }
  };
  put('req', tx.request, wanted.reqHeaders, wanted.reqBody);
  if (tx.response !== undefined) put('res', tx.response, wanted.resHeaders, wanted.resBody);
}

function issueEvent(view: PluginView, rule: ErrorRule, triggers: readonly Trigger[]): IssueEvent {
  const tx = view.tx;
  return {
    meta: eventMetaOf(tx),
    tags: [],
    timestamp: timestampOf(tx),
    direction: view.direction,
    error: rule.name,
    url: tx.request.url,
    path: tx.request.path,
    method: tx.request.method,
    status: tx.response?.status ?? 0,
    triggerConditions: triggers.map((t) => `${PLUGIN}:${t.condition}`),
    triggerReasons: triggers.map((t) => t.reason),
  };
}
