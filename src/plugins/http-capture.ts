// Qtap's `http_capture` plugin (qtap-reference.md §1.5): each transaction becomes an HttpTransaction record
// (§3.1 JSON, or the §3.2 text block) put in the object store as an `http_transaction` artifact; the stdout store
// prints it. `level` none | summary | headers (= details) | full, default none; `format` json | text, default
// json; `rules` [{name, expr, level, format?}]: the first passing rule decides the level, and its format (a rule
// without one keeps the plugin's).

import { Buffer } from 'node:buffer';
import {
  type CaptureLevel,
  formatText,
  isCaptureLevel,
  normalizeLevel,
  toQtapRecord,
} from '../sinks/stdout/index.ts';
import { asConfigObject, type ConfigObject, readChoice, readObjectList, readValue } from './config-readers.ts';
import { createArtifact } from './object-store.ts';
import type { Plugin } from './plugin.ts';
import { compileRuleList } from './rule-list.ts';
import { artifactMetaOf } from './transaction-meta.ts';

type CaptureFormat = 'json' | 'text';

const FORMATS: readonly CaptureFormat[] = ['json', 'text'];
const CONTENT_TYPES: Readonly<Record<CaptureFormat, string>> = {
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
};

interface CaptureDecision {
  level: CaptureLevel;
  format: CaptureFormat;
}

export const httpCapturePlugin: Plugin = {
  type: 'http_capture',
  create(rawConfig, services) {
    const config = asConfigObject(rawConfig);
    const fallback: CaptureDecision = {
      level: readLevel(config) ?? 'none',
      format: readChoice(config, 'format', FORMATS) ?? 'json',
    };
    const rules = compileRuleList('http_capture', readObjectList(config, 'rules'), services, (entry) => {
      const level = readLevel(entry);
      if (level === undefined) return { problem: `level must be one of none, summary, headers, details, full` };
      return { value: { level, format: readChoice(entry, 'format', FORMATS) ?? fallback.format } };
    });
    const { objectStore } = services;
    return {
      onTransaction(view) {
        const { level, format } = rules.firstMatch(view) ?? fallback;
        if (level === 'none') return;
        const tx = view.tx;
        const text = format === 'json' ? JSON.stringify(toQtapRecord(tx, level)) : formatText(tx, level);
        objectStore.put(createArtifact('http_transaction', Buffer.from(text, 'utf8'), CONTENT_TYPES[format], artifactMetaOf(tx)));
      },
    };
  },
};

function readLevel(config: ConfigObject): CaptureLevel | undefined {
  const v = readValue(config, 'level');
  if (typeof v !== 'string') return undefined;
  const lower = v.trim().toLowerCase();
  return isCaptureLevel(lower) ? normalizeLevel(lower) : undefined;
}
