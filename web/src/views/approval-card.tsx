// One permission request: what the agent wants to run, and Allow / Deny for the person.

import { useState } from 'preact/hooks';
import { roomPath } from '../api.js';
import { href } from '../router.js';
import { act, errorText } from '../store.js';
import type { Approval } from '../types.js';
import { ErrorLine, Time } from './bits.js';

export function ApprovalCard({
  approval: a,
  canDecide,
}: {
  approval: Approval;
  canDecide: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const decide = async (decision: 'allow' | 'deny') => {
    setBusy(true);
    setError('');
    try {
      await act('POST', roomPath(a.room, `/approvals/${encodeURIComponent(a.id)}/decision`), {
        decision,
      });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class={`card approval approval-${a.status}`} data-approval={a.id}>
      <header>
        <strong>{a.agent}</strong> wants to use <code>{a.tool}</code>
        <span class="muted">
          {' '}
          in <a href={href({ view: 'room', room: a.room, tab: 'approvals', id: a.id })}>
            {a.room}
          </a>{' '}
          · <Time at={a.requested_at} />
        </span>
      </header>
      {a.reason && <p>{a.reason}</p>}
      {a.input_preview && <pre class="preview">{a.input_preview}</pre>}
      {a.status === 'pending' ? (
        canDecide ? (
          <div class="row">
            <button class="allow" disabled={busy} onClick={() => decide('allow')}>
              Allow
            </button>
            <button class="deny" disabled={busy} onClick={() => decide('deny')}>
              Deny
            </button>
            <span class="muted">
              Expires <Time at={a.expires_at} />
            </span>
          </div>
        ) : (
          <p class="muted">Waiting for a person with the approve scope.</p>
        )
      ) : (
        <p class="decided">
          {a.status}
          {a.decided_by ? ` by ${a.decided_by.agent ?? a.decided_by.label}` : ''}{' '}
          <Time at={a.decided_at} />
        </p>
      )}
      <ErrorLine text={error} />
    </article>
  );
}
