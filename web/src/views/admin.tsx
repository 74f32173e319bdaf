// Variables, leases and devices of a room: listed for everyone; an admin ends a lease, revokes
// a device and makes a pair code (shown with its join link and a QR code).

import { useBox } from '../box.js';
import { useState } from 'preact/hooks';
import { renderSVG } from 'uqr';
import { roomPath } from '../api.js';
import type { RoomState } from '../room-state.js';
import { act, errorText, version } from '../store.js';
import type { PairCodeResponse } from '../types.js';
import { Empty, ErrorLine, Time } from './bits.js';

export function Admin({ s }: { s: RoomState }) {
  useBox(version);
  const admin = s.member.scopes.includes('admin');
  const [error, setError] = useState('');
  const guard = (p: Promise<unknown>) => p.catch((e) => setError(errorText(e)));
  return (
    <div class="admin-view">
      <ErrorLine text={error} />
      <section aria-labelledby="vars-h">
        <h2 id="vars-h">Variables</h2>
        {s.vars.size === 0 ? (
          <Empty>No variables.</Empty>
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th scope="col">key</th>
                <th scope="col">value</th>
                <th scope="col">version</th>
                <th scope="col">set by</th>
              </tr>
            </thead>
            <tbody>
              {[...s.vars.values()].map((v) => (
                <tr key={v.key}>
                  <td>
                    <code>{v.key}</code>
                  </td>
                  <td class="value">{v.value}</td>
                  <td>{v.version}</td>
                  <td>{v.set_by}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="leases-h">
        <h2 id="leases-h">Leases</h2>
        {s.leases.size === 0 && <Empty>No live leases.</Empty>}
        <ul class="plain">
          {[...s.leases.values()].map((l) => (
            <li key={l.id} class="card row spread wrap" data-lease={l.id}>
              <span>
                <code>{l.id}</code> <strong>{l.agent}</strong> {l.paths.join(', ')} ({l.mode}
                {l.reason ? `: ${l.reason}` : ''}) until <Time at={l.expires_at} />
              </span>
              {(admin || l.agent === s.agent) && (
                <button
                  class="small danger"
                  onClick={() =>
                    guard(
                      act('POST', roomPath(s.name, '/leases/release'), {
                        agent: s.agent,
                        ids: [l.id],
                        ...(l.agent !== s.agent ? { force: true } : {}),
                      }),
                    )
                  }
                >
                  End lease
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="devices-h">
        <h2 id="devices-h">Devices</h2>
        <ul class="plain">
          {s.members.map((m) => (
            <li key={m.id} class="card row spread wrap" data-member={m.id}>
              <span>
                <strong>{m.label}</strong> <span class="muted">({m.kind ?? 'device'})</span>{' '}
                {m.scopes.join(', ')}
                {m.id === s.member.id && <span class="muted"> · this browser</span>}
                {m.revoked_at && (
                  <span class="muted">
                    {' '}
                    · revoked <Time at={m.revoked_at} />
                  </span>
                )}
              </span>
              {admin && !m.revoked_at && m.id !== s.member.id && (
                <button
                  class="small danger"
                  onClick={() =>
                    confirm(`Revoke ${m.label}? Its token stops working at once.`) &&
                    guard(act('DELETE', roomPath(s.name, `/members/${m.id}`)))
                  }
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
        {admin && <PairCode s={s} />}
      </section>
    </div>
  );
}

function PairCode({ s }: { s: RoomState }) {
  const [scopes, setScopes] = useState<string[]>(['read', 'write', 'checkpoint']);
  const [code, setCode] = useState<PairCodeResponse | null>(null);
  const [error, setError] = useState('');
  const make = async (ev: Event) => {
    ev.preventDefault();
    setError('');
    try {
      setCode(await act<PairCodeResponse>('POST', roomPath(s.name, '/codes'), { scopes }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const link = code ? `${location.origin}/join#${code.code}` : '';
  return (
    <form class="card pair" onSubmit={make} aria-label="Make a pair code">
      <h3>Pair a new device</h3>
      <fieldset class="row wrap">
        <legend>Scopes</legend>
        {['read', 'write', 'checkpoint', 'approve', 'admin'].map((sc) => (
          <label key={sc} class="check">
            <input
              type="checkbox"
              checked={scopes.includes(sc)}
              onChange={(e) =>
                setScopes(
                  (e.target as HTMLInputElement).checked
                    ? [...scopes, sc]
                    : scopes.filter((x) => x !== sc),
                )
              }
            />
            {sc}
          </label>
        ))}
      </fieldset>
      <button class="primary" type="submit" disabled={scopes.length === 0}>
        Make pair code
      </button>
      <ErrorLine text={error} />
      {code && (
        <div class="code-out">
          <p>
            Code <strong class="code">{code.code}</strong> (expires <Time at={code.expires_at} />)
          </p>
          <p>
            Join link: <a href={link}>{link}</a>
          </p>
          <img
            class="qr"
            alt={`QR code of the join link ${link}`}
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(renderSVG(link, { border: 2 }))}`}
          />
        </div>
      )}
    </form>
  );
}
