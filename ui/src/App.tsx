// The shell: who is logged in, the navigation (hash routes, so any page can be linked and reloaded), and the page.
import { useEffect, useState } from 'react';
import { api, ApiError, type Me } from './api.ts';
import { Config } from './pages/Config.tsx';
import { Dashboard } from './pages/Dashboard.tsx';
import { Inventory } from './pages/Inventory.tsx';
import { Login } from './pages/Login.tsx';
import { TransactionDetail } from './pages/TransactionDetail.tsx';
import { Transactions } from './pages/Transactions.tsx';

function useHash(): string {
  const [hash, setHash] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setHash(location.hash.slice(1) || '/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

const PAGES = [
  ['/', 'Dashboard'],
  ['/transactions', 'Transactions'],
  ['/inventory', 'API inventory'],
  ['/config', 'Config'],
] as const;

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const route = useHash();
  useEffect(() => {
    api<Me>('/auth/me').then(setMe, (e: unknown) => setMe(e instanceof ApiError && e.status === 401 ? null : null));
  }, []);
  if (me === undefined) return <p className="muted pad">Loading…</p>;
  if (me === null) return <Login onLogin={setMe} />;
  const [path, query] = route.split('?');
  let page;
  if (path.startsWith('/transactions/')) page = <TransactionDetail id={decodeURIComponent(path.slice('/transactions/'.length))} />;
  else if (path === '/transactions') page = <Transactions query={new URLSearchParams(query ?? '')} />;
  else if (path === '/inventory') page = <Inventory />;
  else if (path === '/config') page = <Config role={me.role} />;
  else page = <Dashboard />;
  const logout = async () => {
    await api('/auth/logout', { method: 'POST' }).catch(() => {});
    setMe(null);
  };
  return (
    <div className="app">
      <header>
        <strong className="brand">cleartap</strong>
        <nav aria-label="main">
          {PAGES.map(([href, label]) => (
            <a key={href} href={`#${href}`} aria-current={(href === '/' ? path === '/' : path.startsWith(href)) ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span className="user">
          {me.username} ({me.role}) <button onClick={logout}>Log out</button>
        </span>
      </header>
      <main>{page}</main>
    </div>
  );
}
