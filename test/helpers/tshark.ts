// tshark's own reading of a capture, as the reference the passive reader is checked against.
import { run } from './children.ts';

export interface TsharkHttp {
  /** "METHOD URI" per request, in tshark's order. */
  requests: string[];
  /** Status codes per response, in tshark's order. */
  statuses: number[];
}

async function fields(file: string, filter: string, names: string[], prefs: string[]): Promise<string[][]> {
  const args = ['-r', file, ...prefs.flatMap((p) => ['-o', p]), '-Y', filter, '-T', 'fields', '-E', 'aggregator=\x1f', ...names.flatMap((n) => ['-e', n])];
  const r = await run('tshark', args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`tshark ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

/**
 * Requests (method + URI) and response codes as tshark dissects them. A frame that completes several
 * messages lists each one's fields, joined by the aggregator. `prefs` are tshark -o settings.
 */
export async function tsharkHttp(file: string, prefs: string[] = []): Promise<TsharkHttp> {
  const requests: string[] = [];
  for (const [methods, uris] of await fields(file, 'http.request', ['http.request.method', 'http.request.uri'], prefs)) {
    const m = methods.split('\x1f');
    const u = uris.split('\x1f');
    m.forEach((method, i) => requests.push(`${method} ${u[i]}`));
  }
  const statuses: number[] = [];
  for (const [codes] of await fields(file, 'http.response', ['http.response.code'], prefs)) statuses.push(...codes.split('\x1f').map(Number));
  return { requests, statuses };
}

export async function haveCommand(cmd: string): Promise<boolean> {
  const r = await run('sh', ['-c', `command -v ${cmd}`]);
  return r.code === 0;
}
