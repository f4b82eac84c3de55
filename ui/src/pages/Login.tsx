import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, type AuthMethods, type Me } from '../api.ts';

// What the server's single sign-on callback reports in ?sso_error= when a sign-in did not end in a session.
const SSO_ERRORS: Readonly<Record<string, string>> = {
  CT_ERR_SSO_ACCESS_DENIED: 'The identity provider refused the sign-in.',
  CT_ERR_SSO_IDP_ERROR: 'The identity provider answered with an error. Try again, or ask an administrator.',
  CT_ERR_SSO_STATE: 'The sign-in expired or did not start in this browser. Try again.',
  CT_ERR_SSO_INVALID_RESPONSE: "The identity provider's answer could not be verified. Ask an administrator.",
  CT_ERR_SSO_NO_ROLE: 'Your account is not granted access to cleartap. Ask an administrator.',
  CT_ERR_SSO_ACCOUNT: 'No cleartap user could be made for your account. Ask an administrator.',
  CT_ERR_SSO_INTERNAL: 'The server could not finish the sign-in. Try again.',
};

/** The single sign-on error the server sent the browser back with, taken out of the address bar. */
function takeSsoError(): string {
  const params = new URLSearchParams(location.search);
  const code = params.get('sso_error');
  if (code === null) return '';
  params.delete('sso_error');
  const search = params.toString();
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
  return `${SSO_ERRORS[code] ?? 'Single sign-on failed.'} (${code})`;
}

export function Login({ onLogin }: { onLogin: (me: Me) => void }) {
  const [error, setError] = useState(takeSsoError);
  const [methods, setMethods] = useState<AuthMethods | null>(null);
  useEffect(() => {
    api<AuthMethods>('/auth/methods').then(setMethods, () => setMethods(null));
  }, []);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    try {
      await api('/auth/login', { method: 'POST', body: { username: form.get('username'), password: form.get('password') } });
      onLogin(await api<Me>('/auth/me'));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const sso = methods?.sso;
  // Back to the page that asked for the login (hash routes live in the fragment, which the server never sees).
  const returnTo = `/${location.hash}`;
  return (
    <form className="login" onSubmit={submit}>
      <h1>cleartap</h1>
      {sso && (
        <>
          <a className="sso" href={`${sso.loginUrl}?returnTo=${encodeURIComponent(returnTo)}`}>
            Sign in with {sso.name}
          </a>
          <p className="muted or">or with a local user</p>
        </>
      )}
      <label>
        User <input name="username" autoComplete="username" required />
      </label>
      <label>
        Password <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit">Log in</button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
