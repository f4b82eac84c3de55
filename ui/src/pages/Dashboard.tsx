// Traffic over time, the top hosts and processes with their error rates and latency, and who calls whom.
import { useEffect, useState } from 'react';
import { api, type Metrics, type TxSummary } from '../api.ts';

function Sparkline({ values, label }: { values: number[]; label: string }) {
  const max = Math.max(1, ...values);
  const w = 600;
  const h = 120;
  const points = values.map((v, i) => `${(i / Math.max(1, values.length - 1)) * w},${h - (v / max) * (h - 10)}`).join(' ');
  return (
    <svg className="chart" viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="2" />
    </svg>
  );
}

function ServiceMap({ edges }: { edges: Array<[string, string, number]> }) {
  const left = [...new Set(edges.map((e) => e[0]))];
  const right = [...new Set(edges.map((e) => e[1]))];
  const row = 34;
  const h = Math.max(left.length, right.length) * row + 20;
  const y = (list: string[], name: string) => 20 + list.indexOf(name) * row;
  return (
    <svg className="map" viewBox={`0 0 700 ${h}`} role="img" aria-label="service map">
      {edges.map(([a, b, n]) => (
        <line key={`${a}>${b}`} x1={230} y1={y(left, a)} x2={470} y2={y(right, b)} strokeWidth={Math.min(6, 1 + Math.log2(n))} />
      ))}
      {left.map((name) => <text key={name} x={220} y={y(left, name) + 4} textAnchor="end">{name}</text>)}
      {right.map((name) => <text key={name} x={480} y={y(right, name) + 4}>{name}</text>)}
    </svg>
  );
}

const fmt = (v: number | null) => (v === null ? '–' : `${Math.round(v)} ms`);

export function Dashboard() {
  const [overall, setOverall] = useState<Metrics | null>(null);
  const [hosts, setHosts] = useState<Metrics | null>(null);
  const [processes, setProcesses] = useState<Metrics | null>(null);
  const [recent, setRecent] = useState<TxSummary[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    Promise.all([
      api<Metrics>('/metrics?since=24h&bucket=15m'),
      api<Metrics>('/metrics?since=24h&bucket=1h&groupBy=host'),
      api<Metrics>('/metrics?since=24h&bucket=1h&groupBy=process'),
      api<{ items: TxSummary[] }>('/transactions?limit=500'),
    ]).then(([o, h, p, t]) => {
      setOverall(o);
      setHosts(h);
      setProcesses(p);
      setRecent(t.items);
    }, (e: Error) => setError(e.message));
  }, []);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!overall || !hosts || !processes) return <p className="muted">Loading…</p>;
  const total = overall.series[0]?.total;
  const edges = new Map<string, [string, string, number]>();
  for (const t of recent) {
    const from = (t.containerId ? `container ${t.containerId.slice(0, 12)}` : t.processExe?.split('/').pop()) ?? '?';
    const key = `${from}>${t.host}`;
    const e = edges.get(key) ?? [from, t.host, 0];
    e[2]++;
    edges.set(key, e);
  }
  const top = (m: Metrics) => [...m.series].sort((a, b) => b.total.requests - a.total.requests).slice(0, 8);
  return (
    <section>
      <h1>Dashboard</h1>
      <div className="cards">
        <div className="card"><span>Requests (24 h)</span><strong data-testid="requests">{total?.requests ?? 0}</strong></div>
        <div className="card"><span>Errors</span><strong>{total?.errors ?? 0} ({((total?.errorRate ?? 0) * 100).toFixed(1)} %)</strong></div>
        <div className="card"><span>Latency p50 / p95 / p99</span><strong>{fmt(total?.latencyMs.p50 ?? null)} / {fmt(total?.latencyMs.p95 ?? null)} / {fmt(total?.latencyMs.p99 ?? null)}</strong></div>
      </div>
      <h2>Traffic over time</h2>
      <Sparkline values={overall.series[0]?.points.map((p) => p.requests) ?? []} label="requests per 15 minutes" />
      <div className="two">
        {[['Top hosts', hosts], ['Top processes', processes]].map(([title, m]) => (
          <div key={title as string}>
            <h2>{title as string}</h2>
            <table>
              <thead><tr><th>name</th><th>requests</th><th>errors</th><th>p95</th></tr></thead>
              <tbody>
                {top(m as Metrics).map((s) => (
                  <tr key={s.key}><td>{s.key || '(none)'}</td><td>{s.total.requests}</td><td>{(s.total.errorRate * 100).toFixed(1)} %</td><td>{fmt(s.total.latencyMs.p95)}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </div>
      <h2>Who calls whom</h2>
      <ServiceMap edges={[...edges.values()]} />
    </section>
  );
}
