// The REST API as the UI uses it: same-origin fetches with the session cookie; errors carry the API's code.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Array<{ field?: string; message: string; line?: number; column?: number }>;
  constructor(status: number, code: string, message: string, details: ApiError['details'] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  const data = text === '' ? undefined : JSON.parse(text);
  if (!res.ok) {
    const e = (data as { error?: { code: string; message: string; details?: ApiError['details'] } } | undefined)?.error;
    throw new ApiError(res.status, e?.code ?? 'CT_ERR_HTTP', e?.message ?? res.statusText, e?.details ?? []);
  }
  return data as T;
}

export interface Me {
  username: string;
  role: 'admin' | 'editor' | 'viewer';
}

/** GET /auth/methods: password login always; single sign-on when the server has it. */
export interface AuthMethods {
  password: boolean;
  sso: { name: string; loginUrl: string } | null;
}

export interface TxSummary {
  id: string;
  time: string;
  direction: string;
  method: string;
  url: string;
  host: string;
  path: string;
  status: number | null;
  durationMs: number | null;
  processExe: string | null;
  containerId: string | null;
  /** The agent that posted it through the gateway; null for what the local agent wrote. */
  agentName: string | null;
}

export interface Metrics {
  series: Array<{
    key: string;
    total: { requests: number; errors: number; errorRate: number; latencyMs: { p50: number | null; p95: number | null; p99: number | null } };
    points: Array<{ time: string; requests: number; errors: number; latencyMs: { p95: number | null } }>;
  }>;
}
