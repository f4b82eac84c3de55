import { useState, type FormEvent } from 'react';
import { api, ApiError, type Me } from '../api.ts';

export function Login({ onLogin }: { onLogin: (me: Me) => void }) {
  const [error, setError] = useState('');
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
  return (
    <form className="login" onSubmit={submit}>
      <h1>cleartap</h1>
      <label>
        User <input name="username" autoComplete="username" required />
      </label>
      <label>
        Password <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit">Log in</button>
      {error && <p role="alert" className="error">{error}</p>}
    </form>
  );
}
