// One transaction: timing, connection, process/container, and each side's headers and body (JSON highlighted).
// Objects kept in an S3-compatible store come with a presigned URL: the browser fetches them from the store
// itself (the bucket's CORS must allow this origin); local objects are inline in the server's answer.
import { useEffect, useState, type ReactNode } from 'react';
import { api } from '../api.ts';

/** A body as the API returns it: text, or base64 for binary, with its size and whether it was cut. */
interface BodyValue {
  size: number;
  truncated: boolean;
  encoding: 'utf8' | 'base64';
  data: string;
}

interface Side {
  status?: number;
  reason?: string | null;
  headers: Record<string, string> | null;
  body: BodyValue | string | null;
  bodySize: number | null;
}

function bodyText(b: Side['body']): string | null {
  if (b === null || typeof b === 'string') return b;
  return b.encoding === 'base64' ? `(${b.size} bytes of binary data)` : b.data + (b.truncated ? '\n… (truncated)' : '');
}

/** An object of the transaction: inline (local store) or at a short-lived presigned URL (S3-compatible store). */
interface Artifact {
  type: string;
  digest: string;
  available: boolean;
  content: BodyValue | { redacted: true } | null;
  url: string | null;
}

interface Detail {
  id: string;
  agentName: string | null;
  artifacts: Artifact[];
  time: string;
  method: string;
  url: string;
  status: number | null;
  durationMs: number | null;
  direction: string;
  redacted: boolean;
  connection: Record<string, string | null>;
  process: { pid: number | null; exe: string | null; user: string | null; containerId: string | null };
  request: Side;
  response: Side | null;
}

/** JSON bodies pretty-printed with their keys, strings and numbers coloured; others shown as text. */
function Body({ text }: { text: string | null }) {
  if (text === null || text === '') return <p className="muted">(no body)</p>;
  let pretty: string | undefined;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return <pre className="body">{text}</pre>;
  }
  const parts: ReactNode[] = [];
  const re = /("(?:\\.|[^"\\])*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;
  let last = 0;
  for (let m = re.exec(pretty); m; m = re.exec(pretty)) {
    parts.push(pretty.slice(last, m.index));
    const cls = m[1] ? (m[2] ? 'k' : 's') : m[3] ? 'n' : 'b';
    parts.push(<span key={m.index} className={`j-${cls}`}>{m[1] ?? m[0]}</span>, m[2] ?? '');
    last = re.lastIndex;
  }
  parts.push(pretty.slice(last));
  return <pre className="body json">{parts}</pre>;
}

function Headers({ h }: { h: Record<string, string> | null }) {
  if (!h) return null;
  return (
    <table className="headers">
      <tbody>{Object.entries(h).map(([k, v]) => <tr key={k}><th>{k}</th><td>{v}</td></tr>)}</tbody>
    </table>
  );
}

/** An object at its store's presigned URL, fetched on demand (browser → storage). */
function StoredObject({ a }: { a: Artifact }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState('');
  const load = () => {
    fetch(a.url as string).then(
      async (r) => (r.ok ? setText(await r.text()) : setError(`the store answered ${r.status}`)),
      (e: Error) => setError(`the store could not be reached (${e.message}): does the bucket allow this origin (CORS)?`),
    );
  };
  if (text !== null) return <Body text={text} />;
  return (
    <p>
      <button type="button" onClick={load}>Load from the object store</button>
      {error && <span role="alert" className="error"> {error}</span>}
    </p>
  );
}

function Artifacts({ list }: { list: Artifact[] }) {
  const shown = list.filter((a) => a.url !== null || (a.content !== null && 'data' in a.content));
  if (shown.length === 0) return null;
  return (
    <>
      <h2>Objects</h2>
      {shown.map((a) => (
        <div key={`${a.type} ${a.digest}`} className="artifact">
          <h3>{a.type} <span className="muted">{a.digest.slice(0, 12)}</span></h3>
          {a.url !== null ? <StoredObject a={a} /> : <Body text={bodyText(a.content as BodyValue)} />}
        </div>
      ))}
    </>
  );
}

export function TransactionDetail({ id }: { id: string }) {
  const [d, setD] = useState<Detail | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api<Detail>(`/transactions/${encodeURIComponent(id)}`).then(setD, (e: Error) => setError(e.message));
  }, [id]);
  if (error) return <p role="alert" className="error">{error}</p>;
  if (!d) return <p className="muted">Loading…</p>;
  return (
    <section>
      <p><a href="#/transactions">← Transactions</a></p>
      <h1>{d.method} {d.url}</h1>
      <dl className="facts">
        <dt>Status</dt><dd>{d.status ?? '–'}</dd>
        <dt>Time</dt><dd>{new Date(d.time).toLocaleString()} ({d.durationMs ?? '–'} ms)</dd>
        <dt>Direction</dt><dd>{d.direction}</dd>
        <dt>Connection</dt><dd>{d.connection.local} → {d.connection.remote} {d.connection.httpVersion} {d.connection.tlsLibrary ? `TLS (${d.connection.tlsLibrary}${d.connection.tlsSni ? `, ${d.connection.tlsSni}` : ''})` : ''}</dd>
        <dt>Process</dt><dd>{d.process.exe} (pid {d.process.pid}, {d.process.user}){d.process.containerId ? ` in container ${d.process.containerId.slice(0, 12)}` : ''}</dd>
        {d.agentName && <><dt>Agent</dt><dd>{d.agentName}</dd></>}
      </dl>
      {d.redacted && <p className="muted">Payloads are redacted for your role.</p>}
      <div className="two">
        <div>
          <h2>Request</h2>
          <Headers h={d.request.headers} />
          <Body text={bodyText(d.request.body)} />
        </div>
        <div>
          <h2>Response</h2>
          {d.response ? (<><Headers h={d.response.headers} /><Body text={bodyText(d.response.body)} /></>) : <p className="muted">No response was seen.</p>}
        </div>
      </div>
      <Artifacts list={d.artifacts} />
    </section>
  );
}
