// The API inventory: servers, their endpoints, each server's OpenAPI document (view, download), and drift
// against a spec the user uploads.
import { useEffect, useState } from 'react';
import { api } from '../api.ts';

interface Server { id: string; server: string; endpoints: number; calls: number; firstSeen: string; lastSeen: string }
interface Endpoint { serverId: string; method: string; path: string; calls: number; statuses: Record<string, number>; errorRate: number; latencyMs: { p50: number }; sensitive: string[]; firstSeen: string; lastSeen: string }

export function Inventory() {
  const [servers, setServers] = useState<Server[]>([]);
  const [endpoints, setEndpoints] = useState<Endpoint[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [spec, setSpec] = useState<string>('');
  const [drift, setDrift] = useState<string>('');
  const [error, setError] = useState('');
  useEffect(() => {
    Promise.all([api<{ items: Server[] }>('/inventory/servers'), api<{ items: Endpoint[] }>('/inventory/endpoints')]).then(([s, e]) => {
      setServers(s.items);
      setEndpoints(e.items);
    }, (e: Error) => setError(e.message));
  }, []);
  const view = async (id: string) => {
    const doc = await api(`/inventory/servers/${encodeURIComponent(id)}/openapi.json`);
    setSpec(JSON.stringify(doc, null, 2));
    setSelected(id); // shown once it is there, never empty
  };
  const upload = async (file: File | undefined) => {
    if (!file) return;
    try {
      const report = await api('/inventory/drift', { method: 'POST', body: { spec: await file.text(), name: file.name } });
      setDrift(JSON.stringify(report, null, 2));
    } catch (e) {
      setDrift(`error: ${(e as Error).message}`);
    }
  };
  if (error) return <p role="alert" className="error">{error}</p>;
  return (
    <section>
      <h1>API inventory</h1>
      <table>
        <thead><tr><th>server</th><th>endpoints</th><th>calls</th><th>last seen</th><th>OpenAPI</th></tr></thead>
        <tbody>
          {servers.map((s) => (
            <tr key={s.id}>
              <td>{s.server}</td><td>{s.endpoints}</td><td>{s.calls}</td><td>{new Date(s.lastSeen).toLocaleString()}</td>
              <td>
                <button onClick={() => view(s.id)}>View</button>{' '}
                <a href={`/api/v1/inventory/servers/${encodeURIComponent(s.id)}/openapi.yaml?download=true`} download>YAML</a>{' '}
                <a href={`/api/v1/inventory/servers/${encodeURIComponent(s.id)}/openapi.json?download=true`} download>JSON</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Endpoints</h2>
      <table>
        <thead><tr><th>server</th><th>method</th><th>path</th><th>calls</th><th>statuses</th><th>errors</th><th>p50</th><th>sensitive</th></tr></thead>
        <tbody>
          {endpoints.map((e) => (
            <tr key={`${e.serverId} ${e.method} ${e.path}`}>
              <td>{e.serverId}</td><td>{e.method}</td><td><code>{e.path}</code></td><td>{e.calls}</td>
              <td>{Object.entries(e.statuses).map(([k, v]) => `${k}×${v}`).join(' ')}</td>
              <td>{(e.errorRate * 100).toFixed(1)} %</td><td>{e.latencyMs.p50} ms</td><td>{e.sensitive.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Drift against a spec</h2>
      <label>Upload an OpenAPI spec <input type="file" accept=".json,.yaml,.yml" onChange={(e) => upload(e.target.files?.[0])} /></label>
      {drift && <pre className="body" data-testid="drift">{drift}</pre>}
      {selected && (<><h2>OpenAPI: {selected}</h2><pre className="body" data-testid="spec">{spec}</pre></>)}
    </section>
  );
}
