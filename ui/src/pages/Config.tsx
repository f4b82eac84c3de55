// The agents' config: edit the YAML, validate it (errors shown at their line), save a version, see the history
// and diffs, and roll a version out.
import { useEffect, useState } from 'react';
import { api, ApiError } from '../api.ts';

interface Version { version: number; comment: string; createdAt: string; createdBy: string }
interface Problem { field?: string; message: string; line?: number; column?: number; severity?: string }

const STARTER = `version: 2
services:
  event_stores: [{ type: stdout }]
  object_stores: [{ type: stdout }]
tap:
  direction: egress
  http: { stack: default }
stacks:
  default:
    plugins:
      - type: http_capture
        config: { level: summary }
`;

export function Config({ role }: { role: string }) {
  const [yaml, setYaml] = useState(STARTER);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [status, setStatus] = useState('');
  const [versions, setVersions] = useState<Version[]>([]);
  const [diff, setDiff] = useState('');
  const canEdit = role === 'admin' || role === 'editor';
  const refresh = () => api<{ items: Version[]; latest: number }>('/config/versions').then((r) => setVersions(r.items));
  useEffect(() => {
    refresh().catch(() => {});
    api<{ latest: number }>('/config/versions').then(async (r) => {
      if (r.latest > 0) setYaml((await api<{ yaml: string }>(`/config/versions/${r.latest}`)).yaml);
    }, () => {});
  }, []);
  const run = async (what: () => Promise<string>) => {
    setProblems([]);
    try {
      setStatus(await what());
    } catch (e) {
      setStatus(e instanceof ApiError ? e.message : String(e));
      if (e instanceof ApiError) setProblems(e.details);
    }
  };
  const validate = () => run(async () => (await api('/config/validate', { method: 'POST', body: { yaml } }), 'The config is valid.'));
  const save = () => run(async () => {
    const v = await api<{ version: number }>('/config/versions', { method: 'POST', body: { yaml, comment: 'edited in the UI' } });
    await refresh();
    return `Saved as version ${v.version}.`;
  });
  const rollout = (version: number) => run(async () => {
    await api('/config/rollouts', { method: 'POST', body: { version, comment: 'from the UI' } });
    return `Version ${version} is rolling out to the agents.`;
  });
  const showDiff = async (version: number) => {
    if (version < 2) return setDiff('(the first version)');
    setDiff((await api<{ diff: string }>(`/config/diff?from=${version - 1}&to=${version}`)).diff);
  };
  const lines = yaml.split('\n');
  return (
    <section>
      <h1>Config</h1>
      <div className="editor">
        <textarea aria-label="config YAML" value={yaml} onChange={(e) => setYaml(e.target.value)} spellCheck={false} rows={Math.max(16, lines.length + 2)} readOnly={!canEdit} />
        {problems.length > 0 && (
          <ul className="problems" aria-label="validation errors">
            {problems.map((p, i) => (
              <li key={i} className="error">line {p.line ?? '?'}, column {p.column ?? '?'}: {p.field ? `${p.field}: ` : ''}{p.message}{p.line ? <code> {lines[p.line - 1]}</code> : null}</li>
            ))}
          </ul>
        )}
      </div>
      {canEdit && (
        <p>
          <button onClick={validate}>Validate</button> <button onClick={save}>Save version</button>
        </p>
      )}
      {status && <p role="status">{status}</p>}
      <h2>History</h2>
      <table>
        <thead><tr><th>version</th><th>when</th><th>who</th><th>comment</th><th></th></tr></thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <td>{v.version}</td><td>{new Date(v.createdAt).toLocaleString()}</td><td>{v.createdBy}</td><td>{v.comment}</td>
              <td><button onClick={() => showDiff(v.version)}>Diff</button>{canEdit && <> <button onClick={() => rollout(v.version)}>Roll out</button></>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {diff && <pre className="body diff">{diff}</pre>}
    </section>
  );
}
