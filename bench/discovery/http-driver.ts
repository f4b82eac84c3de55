// Sends planned requests to a server over keep-alive connections, a fixed number in flight, and tallies the
// statuses it got back.

import { Agent, request } from 'node:http';
import type { RequestPlan } from './spec-traffic.ts';

export interface DriveResult {
  sent: number;
  failed: number;
  statuses: Map<number, number>;
}

export async function drive(baseUrl: string, plans: Iterable<RequestPlan>, concurrency = 8): Promise<DriveResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const result: DriveResult = { sent: 0, failed: 0, statuses: new Map() };
  const it = plans[Symbol.iterator]();
  const url = new URL(baseUrl);
  const one = (plan: RequestPlan): Promise<void> =>
    new Promise((resolve) => {
      const headers: Record<string, string | number> = { ...plan.headers };
      if (plan.body !== undefined) headers['Content-Length'] = plan.body.byteLength;
      const req = request({ agent, host: url.hostname, port: url.port, method: plan.method, path: plan.target, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          result.statuses.set(res.statusCode ?? 0, (result.statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          resolve();
        });
      });
      req.on('error', () => {
        result.failed++;
        resolve();
      });
      req.end(plan.body);
      result.sent++;
    });
  const worker = async (): Promise<void> => {
    for (let next = it.next(); next.done !== true; next = it.next()) await one(next.value);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return result;
}
