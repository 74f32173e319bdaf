// The checkpoint: rendered, editable with compare-and-set; when someone saved first (409), both
// versions are shown and the person chooses: keep theirs, or save a merged text over theirs.

import { useBox } from '../box.js';
import { useState } from 'preact/hooks';
import { ApiError, api, roomPath } from '../api.js';
import type { RoomState } from '../room-state.js';
import { errorText, version } from '../store.js';
import type { Checkpoint as Cp } from '../types.js';
import { ErrorLine, Markdown, Time } from './bits.js';

export function Checkpoint({ s }: { s: RoomState }) {
  useBox(version);
  const cp = s.checkpoint;
  const [editing, setEditing] = useState<{ base: number; text: string } | null>(null);
  const [conflict, setConflict] = useState<Cp | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const canWrite = s.member.scopes.includes('checkpoint') || s.member.scopes.includes('admin');

  const save = async (text: string, expected: number) => {
    setBusy(true);
    setError('');
    try {
      await api('PUT', roomPath(s.name, '/checkpoint'), { text, expected_version: expected });
      setEditing(null);
      setConflict(null);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'checkpoint_conflict') {
        const cur = await api<{ checkpoint: Cp }>('GET', roomPath(s.name, '/checkpoint'));
        setConflict(cur.checkpoint);
      } else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  if (editing) {
    return (
      <div class="checkpoint-view">
        {conflict && (
          <div class="card conflict" role="alert">
            <h2>Someone saved first</h2>
            <p>
              Version {conflict.version} was saved by {conflict.updated_by?.label ?? 'someone'}{' '}
              <Time at={conflict.updated_at} /> while you edited version {editing.base}. Merge your
              text with theirs below, then save over version {conflict.version}, or keep theirs.
            </p>
            <div class="split">
              <section aria-label="Their version">
                <h3>Theirs (version {conflict.version})</h3>
                <pre class="cp-text theirs">{conflict.text}</pre>
              </section>
              <section aria-label="Your version">
                <h3>Yours</h3>
                <pre class="cp-text yours">{editing.text}</pre>
              </section>
            </div>
          </div>
        )}
        <label class="field">
          {conflict ? 'Merged text' : `Editing version ${editing.base}`}
          <textarea
            name="checkpoint"
            rows={16}
            value={editing.text}
            onInput={(e) =>
              setEditing({ ...editing, text: (e.target as HTMLTextAreaElement).value })
            }
          />
        </label>
        <div class="row wrap">
          <button
            class="primary"
            disabled={busy}
            onClick={() => save(editing.text, conflict ? conflict.version : editing.base)}
          >
            {conflict ? `Save over version ${conflict.version}` : 'Save'}
          </button>
          {conflict && (
            <button
              disabled={busy}
              onClick={() => {
                setEditing(null);
                setConflict(null);
              }}
            >
              Keep theirs
            </button>
          )}
          <button
            class="ghost"
            onClick={() => {
              setEditing(null);
              setConflict(null);
            }}
          >
            Cancel
          </button>
        </div>
        <ErrorLine text={error} />
      </div>
    );
  }
  return (
    <div class="checkpoint-view">
      <div class="row spread">
        <p class="muted">
          {cp.version === 0 ? (
            'No checkpoint yet.'
          ) : (
            <>
              Version {cp.version} by {cp.updated_by?.label} <Time at={cp.updated_at} />
            </>
          )}
        </p>
        {canWrite && (
          <button onClick={() => setEditing({ base: cp.version, text: cp.text })}>Edit</button>
        )}
      </div>
      <div class="card">
        <Markdown text={cp.text || '_Empty._'} />
      </div>
    </div>
  );
}
