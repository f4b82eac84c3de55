// The transaction list: filters (kept in the URL), pages, and live mode over the SSE stream.
import { useEffect, useState, type FormEvent } from 'react';
import { api, type TxSummary } from '../api.ts';

const FILTERS = [
  ['host', 'Host'],
  ['method', 'Method'],
  ['pathPrefix', 'Path'],
  ['status', 'Status'],
  ['process', 'Process'],
  ['container', 'Container'],
  ['agent', 'Agent'],
  ['q', 'Search'],
  ['since', 'Since'],
  ['until', 'Until'],
] as const;

export function Transactions({ query }: { query: URLSearchParams }) {
  const [items, setItems] = useState<TxSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [live, setLive] = useState(false);
  const qs = query.toString();
  useEffect(() => {
    setError('');
    api<{ items: TxSummary[]; nextCursor?: string | null }>(`/transactions?limit=50${qs ? `&${qs}` : ''}`).then((r) => {
      setItems(r.items);
      setNext(r.nextCursor ?? null);
    }, (e: Error) => setError(e.message));
  }, [qs]);
  useEffect(() => {
    if (!live) return;
    const es = new EventSource(`/api/v1/transactions/stream${qs ? `?${qs}` : ''}`);
    es.addEventListener('transaction', (ev) => setItems((old) => [JSON.parse((ev as MessageEvent).data) as TxSummary, ...old].slice(0, 500)));
    return () => es.close();
  }, [live, qs]);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(e.currentTarget)) if (typeof v === 'string' && v.trim() !== '') p.set(k, v.trim());
    location.hash = `/transactions${p.size ? `?${p}` : ''}`;
  };
  const more = async () => {
    if (!next) return;
    const r = await api<{ items: TxSummary[]; nextCursor?: string | null }>(`/transactions?limit=50&cursor=${encodeURIComponent(next)}${qs ? `&${qs}` : ''}`);
    setItems((old) => [...old, ...r.items]);
    setNext(r.nextCursor ?? null);
  };
  return (
    <section>
      <h1>Transactions</h1>
      <form className="filters" onSubmit={submit}>
        {FILTERS.map(([name, label]) => (
          <label key={name}>
            {label} <input name={name} defaultValue={query.get(name) ?? ''} />
          </label>
        ))}
        <button type="submit">Filter</button>
        <label className="live"><input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live</label>
      </form>
      {error && <p role="alert" className="error">{error}</p>}
      <table className="tx">
        <thead><tr><th>time</th><th>method</th><th>URL</th><th>status</th><th>ms</th><th>process</th><th>container</th><th>agent</th><th>direction</th></tr></thead>
        <tbody>
          {items.map((t) => (
            <tr key={t.id}>
              <td>{new Date(t.time).toLocaleTimeString()}</td>
              <td>{t.method}</td>
              <td><a href={`#/transactions/${encodeURIComponent(t.id)}`}>{t.url}</a></td>
              <td className={t.status !== null && t.status >= 400 ? 'bad' : ''}>{t.status ?? '–'}</td>
              <td>{t.durationMs ?? '–'}</td>
              <td>{t.processExe?.split('/').pop() ?? ''}</td>
              <td title={t.containerId ?? ''}>{t.containerId?.slice(0, 12) ?? ''}</td>
              <td>{t.agentName ?? ''}</td>
              <td>{t.direction}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">{items.length} shown {next && <button onClick={more}>More</button>}</p>
    </section>
  );
}
