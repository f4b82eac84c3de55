// One accuracy run: start the API under test, record through a transaction source while a spec-driven client
// drives it, infer documents from what was recorded, validate them, and score them against the API's own spec.
// Any API can be plugged in as an ApiTarget (its spec, a way to start it, the credentials it accepts).

import type { Server } from 'node:http';
import type { Transaction } from '../../src/core/transaction.ts';
import type { AddressInfo } from 'node:net';
import { compileErrors, validate } from '@readme/openapi-parser';
import { DiscoveryModel, openApiDocument, type Json, type OpenApiObject } from '../../src/discovery/index.ts';
import { compareDocuments, type AccuracyReport } from './accuracy.ts';
import { drive, type DriveResult } from './http-driver.ts';
import { observedFields } from './observed-fields.ts';
import { CREDENTIALS, startSampleApi } from './sample-api/server.ts';
import type { TransactionSource } from './sources.ts';
import { trafficFromSpec, type TrafficCredentials } from './spec-traffic.ts';

export interface RunningTarget {
  server: Server;
  baseUrl: string;
  spec: Json;
  close(): Promise<void>;
}

export interface ApiTarget {
  name: string;
  start(): Promise<RunningTarget>;
  credentials: TrafficCredentials;
}

export interface AccuracyRun {
  target: string;
  source: string;
  requests: number;
  drive: DriveResult;
  transactions: number;
  inputSkipped: number;
  inferMs: number;
  documents: OpenApiObject[];
  /** Validator errors per document ('' when valid). */
  validation: string[];
  report: AccuracyReport;
}

export interface AccuracyOptions {
  requests: number;
  seed: number;
  concurrency: number;
}

export function sampleApiTarget(seed = 1): ApiTarget {
  return {
    name: 'sample-api (bench/discovery/sample-api)',
    start: () => startSampleApi(seed),
    credentials: { bearer: CREDENTIALS.bearer, basic: CREDENTIALS.basic, apiKeys: { [CREDENTIALS.apiKey.header]: CREDENTIALS.apiKey.value } },
  };
}

export async function runAccuracy(target: ApiTarget, source: TransactionSource, options: AccuracyOptions): Promise<AccuracyRun> {
  const api = await target.start();
  let driven: DriveResult;
  let captured: Awaited<ReturnType<TransactionSource['stop']>>;
  try {
    await source.start(api.server, (api.server.address() as AddressInfo).port);
    driven = await drive(api.baseUrl, trafficFromSpec(api.spec, options.requests, { seed: options.seed, credentials: target.credentials }), options.concurrency);
    captured = await source.stop();
  } finally {
    await api.close();
  }
  const all: Transaction[] = [];
  for await (const tx of captured.transactions) all.push(tx);
  const t0 = performance.now();
  const model = new DiscoveryModel();
  for (const tx of all) model.add(tx);
  const documents = model.snapshot().servers.map((s) => openApiDocument(s));
  const inferMs = performance.now() - t0;
  const validation: string[] = [];
  for (const doc of documents) {
    const r = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
    validation.push(r.valid ? '' : compileErrors(r));
  }
  return {
    target: target.name,
    source: source.name,
    requests: options.requests,
    drive: driven,
    transactions: all.length,
    inputSkipped: captured.counters?.invalid ?? 0,
    inferMs,
    documents,
    validation,
    report: compareDocuments(api.spec, documents, observedFields(api.spec, all)),
  };
}
