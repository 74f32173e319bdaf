// Sign in: a pair code (typed or from a /join#CODE link), a member token, or a one-time
// /open#t=... ticket redeemed at once. Also used to add another room to the session.

import { useState } from 'preact/hooks';
import { AGENT_NAME_PATTERN } from '../../../src/core/presence/agent-input.js';
import { errorText, signIn } from '../store.js';
import { ErrorLine } from './bits.js';

/**
 * The hub's rule for agent names as an HTML `pattern`: the browser anchors it itself, and reads
 * it with the `v` flag, where a `-` inside a class must be escaped.
 */
const NAME_PATTERN = AGENT_NAME_PATTERN.source.replace(/^\^|\$$/g, '').replace(/-\]/g, '\\-]');

const CODE_RE = /^[A-Z0-9]{4}-?[A-Z0-9]{4}$/i;

/** The pair code in a /join#CODE link, if the page was opened through one. */
export function codeFromLink(): string {
  if (location.pathname !== '/join') return '';
  const h = decodeURIComponent(location.hash.replace(/^#/, '')).trim();
  return CODE_RE.test(h) ? h.toUpperCase() : '';
}

/** The ticket in an /open#t=... link. */
export function ticketFromLink(): string {
  if (location.pathname !== '/open') return '';
  const m = /^#t=(ht_[A-Za-z0-9_-]+)/.exec(location.hash);
  return m?.[1] ?? '';
}

export function SignIn({ adding = false, onDone }: { adding?: boolean; onDone?: () => void }) {
  const linked = codeFromLink();
  const [mode, setMode] = useState<'code' | 'token'>('code');
  const [code, setCode] = useState(linked);
  const [token, setToken] = useState('');
  const [name, setName] = useState(() => localStorage.getItem('huddle.name') ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    const body: Record<string, string> =
      mode === 'code' ? { code: code.trim().toUpperCase() } : { token: token.trim() };
    if (name.trim()) body.name = name.trim().toLowerCase();
    setBusy(true);
    try {
      await signIn(body);
      if (name.trim()) localStorage.setItem('huddle.name', name.trim().toLowerCase());
      dispatchEvent(new HashChangeEvent('hashchange'));
      onDone?.();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class={adding ? 'card sign-in adding' : 'card sign-in'} onSubmit={submit}>
      {adding ? <h2>Join another room</h2> : <h1>Sign in to huddle</h1>}
      {!adding && (
        <p class="muted">
          Use a pair code from <code>huddle pair</code> (or its join link), or a member token.
        </p>
      )}
      <div class="seg" role="radiogroup" aria-label="Sign in with">
        <label>
          <input
            type="radio"
            name={adding ? 'mode2' : 'mode'}
            checked={mode === 'code'}
            onChange={() => setMode('code')}
          />
          Pair code
        </label>
        <label>
          <input
            type="radio"
            name={adding ? 'mode2' : 'mode'}
            checked={mode === 'token'}
            onChange={() => setMode('token')}
          />
          Token
        </label>
      </div>
      {mode === 'code' ? (
        <label class="field">
          Pair code
          <input
            name="code"
            value={code}
            onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            placeholder="ABCD-EFGH"
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            required
          />
        </label>
      ) : (
        <label class="field">
          Member token
          <input
            name="token"
            type="password"
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
            placeholder="hd_..."
            autoComplete="off"
            required
          />
        </label>
      )}
      <label class="field">
        Your name (how agents address you)
        <input
          name="name"
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
          placeholder="human"
          pattern={NAME_PATTERN}
          autoComplete="nickname"
          spellcheck={false}
        />
      </label>
      <button class="primary" type="submit" disabled={busy}>
        {busy ? 'Signing in…' : adding ? 'Join room' : 'Sign in'}
      </button>
      <ErrorLine text={error} />
    </form>
  );
}
