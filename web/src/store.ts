// The cockpit's state: the session, every signed-in room, the stream that keeps them live, and
// the actions the views call. Views re-render when `version` moves.

import { box } from './box.js';
import { api, ApiError, roomPath, setCsrf } from './api.js';
import { addOlder, applyEvent, emptyRoom, type RoomState } from './room-state.js';
import { createStream, type Stream, type StreamState } from './stream.js';
import type {
  Agent,
  Approval,
  HistoryResponse,
  InboxItem,
  Lease,
  Member,
  Message,
  Receipt,
  ReadResponse,
  RoomEvent,
  SendRequest,
  Session,
  Task,
  Variable,
} from './types.js';

export const session = box<Session | null | undefined>(undefined);
export const streamState = box<StreamState>('connecting');
/** Moves on every change of any room; views read it to re-render. */
export const version = box(0);
export const notice = box<{ text: string; error: boolean } | null>(null);
export const rooms = new Map<string, RoomState>();

let stream: Stream | null = null;
let bumpQueued = false;

/** Coalesces the changes of one task (a backlog burst) into one render. */
function bump(): void {
  if (bumpQueued) return;
  bumpQueued = true;
  queueMicrotask(() => {
    bumpQueued = false;
    version.value++;
  });
}

export function say(text: string, error = false): void {
  notice.value = { text, error };
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code})`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Reads the session; shows sign-in when there is none. */
export async function loadSession(): Promise<void> {
  clearTimeout(retryTimer);
  try {
    const s = await api<Session>('GET', '/v1/web/session', undefined, 5000);
    unreachable.value = false;
    retryDelay = 1000;
    await adoptSession(s);
  } catch (err) {
    if (err instanceof ApiError && err.status === 0) {
      // The hub is out of reach (offline, or stopped): say so and try again, never sign-in.
      unreachable.value = true;
      retryTimer = setTimeout(() => void loadSession(), retryDelay);
      retryDelay = Math.min(15_000, retryDelay * 2);
    } else if (err instanceof ApiError && err.status === 401) {
      unreachable.value = false;
      setCsrf(null);
      session.value = null;
    } else {
      unreachable.value = false;
      session.value = null;
      say(errorText(err), true);
    }
  }
}

/** The session could not be read because the hub was out of reach; a retry is scheduled. */
export const unreachable = box(false);
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let retryDelay = 1000;
addEventListener('online', () => {
  if (unreachable.value) void loadSession();
});

async function adoptSession(s: Session): Promise<void> {
  session.value = s;
  for (const sr of s.rooms) {
    if (!rooms.has(sr.room.name)) rooms.set(sr.room.name, emptyRoom(sr.room, sr.member, sr.agent));
  }
  for (const name of [...rooms.keys()])
    if (!s.rooms.some((r) => r.room.name === name)) {
      rooms.delete(name);
      stream?.unfollow(name);
    }
  ensureStream();
  bump();
  // A room already loaded stays live through the stream; reloading it would race the stream.
  await Promise.all(
    s.rooms.filter((r) => !rooms.get(r.room.name)?.loaded).map((r) => loadRoom(r.room.name)),
  );
}

function ensureStream(): void {
  if (stream) return;
  stream = createStream({
    onEvent(e) {
      const s = rooms.get(e.room);
      if (!s || !s.loaded) return;
      if (applyEvent(s, e)) {
        afterEvent(s, e);
        bump();
      }
    },
    cursor: (room) => rooms.get(room)?.cursor ?? 0,
    agent: (room) => rooms.get(room)?.agent ?? undefined,
    onState: (st) => (streamState.value = st),
    onError(code, message, room) {
      const s = room ? rooms.get(room) : undefined;
      if (s) {
        s.error = `${message} (${code})`;
        bump();
      } else say(`${message} (${code})`, true);
    },
    onUnauthenticated() {
      void loadSession();
    },
  });
  (window as unknown as { huddleStream: Stream }).huddleStream = stream;
}

/** Follow-ups that need the hub: an approval event without the record fetches the record. */
function afterEvent(s: RoomState, e: RoomEvent): void {
  const b = e.body as { id?: string; approval?: Approval; member_id?: string };
  if (e.type.startsWith('approval.') && !b.approval && b.id) {
    api<{ approval: Approval }>('GET', roomPath(s.name, `/approvals/${encodeURIComponent(b.id)}`))
      .then((r) => {
        s.approvals.set(r.approval.id, r.approval);
        bump();
      })
      .catch(() => {});
  }
  if (e.type === 'member.revoked' && b.member_id === s.member.id) void loadSession();
  // The event names no kind: the list has it (a browser's member is a person).
  if (e.type === 'member.joined')
    api<{ members: Member[] }>('GET', roomPath(s.name, '/members'))
      .then((r) => {
        s.members = r.members;
        bump();
      })
      .catch(() => {});
}

async function optional<T>(p: Promise<T>, fallback: T): Promise<T> {
  try {
    return await p;
  } catch {
    return fallback;
  }
}

/**
 * Loads a room: its newest events and cursor first, then the lists (which may be newer than
 * the cursor; the stream then replays from the cursor, and every event carries whole records).
 */
export async function loadRoom(name: string): Promise<void> {
  const s = rooms.get(name);
  if (!s) return;
  const p = (rest: string) => roomPath(name, rest);
  try {
    const head = await api<ReadResponse>('GET', p('?limit=100'));
    const admin = s.member.scopes.includes('admin');
    const [agents, tasks, leases, vars, members, approvals, inbox] = await Promise.all([
      api<{ agents: Agent[] }>('GET', p('/agents')),
      api<{ tasks: Task[] }>('GET', p('/tasks?status=all')),
      api<{ leases: Lease[] }>('GET', p('/leases')),
      api<{ variables: Variable[] }>('GET', p('/vars')),
      api<{ members: Member[] }>('GET', p('/members')),
      optional(api<{ approvals: Approval[] }>('GET', p('/approvals?status=all')), {
        approvals: [],
      }),
      s.agent === null
        ? { messages: [] as InboxItem[] }
        : optional(
            api<{ messages: InboxItem[] }>(
              'GET',
              p(`/agents/${encodeURIComponent(s.agent)}/inbox?all=1&limit=100`),
            ),
            { messages: [] },
          ),
    ]);
    void admin;
    s.room = head.room;
    s.checkpoint = head.checkpoint;
    s.cursor = head.cursor;
    s.events.clear();
    s.oldest = head.events[0]?.seq ?? head.cursor + 1;
    addOlder(s, head.events, s.oldest);
    for (const e of head.events) {
      if (e.type === 'message') {
        const m = (e.body as { message: Message }).message;
        if (m.from === s.agent) trackMine(s, m);
      }
    }
    s.agents = new Map(agents.agents.map((a) => [a.name, a]));
    s.tasks = new Map(tasks.tasks.map((t) => [t.id, t]));
    s.leases = new Map(leases.leases.map((l) => [l.id, l]));
    s.vars = new Map(vars.variables.map((v) => [v.key, v]));
    s.members = members.members;
    s.approvals = new Map(approvals.approvals.map((a) => [a.id, a]));
    s.inbox = new Map(inbox.messages.map((i) => [i.message.id, i]));
    s.loaded = true;
    s.error = null;
    bump();
    stream?.follow(name);
    void loadReceipts(s);
  } catch (err) {
    s.error = errorText(err);
    bump();
  }
}

function trackMine(s: RoomState, m: Message): void {
  if (s.receipts.has(m.id)) return;
  s.receipts.set(
    m.id,
    new Map(
      m.recipients.map((a) => [
        a,
        {
          message_id: m.id,
          agent: a,
          stored_at: m.created_at,
          delivered_at: null,
          injected_at: null,
          read_at: null,
          acked_at: null,
        },
      ]),
    ),
  );
}

/** The receipts of the person's newest messages (the stream's receipt events move them on). */
async function loadReceipts(s: RoomState): Promise<void> {
  const ids = [...s.receipts.keys()].slice(-20);
  await Promise.all(
    ids.map(async (id) => {
      const r = await optional(
        api<{ receipts: Receipt[] }>('GET', roomPath(s.name, `/messages/${id}/receipts`)),
        null,
      );
      if (!r) return;
      const map = s.receipts.get(id);
      if (!map) return;
      for (const rc of r.receipts) {
        const cur = map.get(rc.agent);
        // Keep whatever step the stream already moved it to.
        if (!cur || stepIndex(rc) >= stepIndex(cur)) map.set(rc.agent, rc);
      }
    }),
  );
  bump();
}

function stepIndex(r: Receipt): number {
  return [r.delivered_at, r.injected_at, r.read_at, r.acked_at].filter(Boolean).length;
}

/** Loads the page of events before the oldest one shown. */
export async function loadOlder(name: string): Promise<void> {
  const s = rooms.get(name);
  if (!s || s.oldest <= 1) return;
  const after = Math.max(0, s.oldest - 101);
  const page = await api<HistoryResponse>(
    'GET',
    roomPath(name, `/events?after=${after}&limit=100`),
  );
  addOlder(
    s,
    page.events.filter((e) => e.seq < s.oldest),
    after + 1,
  );
  bump();
}

export interface Draft {
  to: string | string[];
  body: string;
  kind: string;
  priority: 'normal' | 'urgent';
  reply_to?: string;
}

/** Sends as the person over the stream (REST when the stream is down). */
export async function sendMessage(name: string, draft: Draft): Promise<Message> {
  const s = rooms.get(name)!;
  const agent = speaker(s);
  const message: SendRequest = {
    to: draft.to,
    body: draft.body,
    kind: draft.kind,
    priority: draft.priority,
  };
  if (draft.reply_to) message.reply_to = draft.reply_to;
  let m: Message;
  if (stream?.connected) {
    try {
      m = await stream.send(name, agent, message);
    } catch (err) {
      const e = err as { code?: string; message?: string; details?: Record<string, unknown> };
      if (e.code !== 'disconnected')
        throw new ApiError(400, e.code ?? 'error', e.message ?? String(err), e.details);
      m = await restSend(name, agent, message);
    }
  } else m = await restSend(name, agent, message);
  trackMine(s, m);
  if (draft.reply_to && s.inbox.has(draft.reply_to)) void ack(name, [draft.reply_to]);
  bump();
  return m;
}

/** The person's agent in a room; a member that may only watch has none and cannot speak. */
function speaker(s: RoomState): string {
  if (s.agent === null) {
    throw new ApiError(
      403,
      'insufficient_scope',
      `You may only watch room "${s.name}": ask one of its admins for a pair code with the write scope.`,
    );
  }
  return s.agent;
}

async function restSend(room: string, agent: string, message: SendRequest): Promise<Message> {
  const r = await api<{ message: Message }>(
    'POST',
    roomPath(room, `/agents/${encodeURIComponent(agent)}/messages`),
    message,
  );
  return r.message;
}

export async function markRead(name: string, ids: string[]): Promise<void> {
  const s = rooms.get(name);
  if (!s || ids.length === 0) return;
  if (s.agent === null) return;
  await api('POST', roomPath(name, `/agents/${encodeURIComponent(s.agent)}/inbox/read`), { ids });
}

export async function ack(name: string, ids: string[]): Promise<void> {
  const s = rooms.get(name);
  if (!s || ids.length === 0) return;
  if (s.agent === null) return;
  await api('POST', roomPath(name, `/agents/${encodeURIComponent(s.agent)}/inbox/ack`), { ids });
}

/** A call that changes something; the stream brings the change itself. */
export async function act<T>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  return api<T>(method, path, body);
}

export async function signIn(body: Record<string, string>): Promise<Session> {
  const r = await api<{ csrf: string } & Session>('POST', '/v1/web/session', body);
  setCsrf(r.csrf);
  // A join or open link has done its work: the cockpit lives at /.
  if (location.pathname !== '/') history.replaceState(null, '', '/#/');
  // The answer may list only the room just added; read the whole session.
  const full = await api<Session>('GET', '/v1/web/session').catch(() => r);
  await adoptSession(full);
  return full;
}

export async function signOut(): Promise<void> {
  try {
    await api('DELETE', '/v1/web/session');
  } finally {
    stream?.close();
    stream = null;
    rooms.clear();
    setCsrf(null);
    session.value = null;
  }
}

export async function leaveRoom(name: string): Promise<void> {
  await api('DELETE', `/v1/web/session/rooms/${encodeURIComponent(name)}`);
  await loadSession();
}

export function roomList(): RoomState[] {
  return [...rooms.values()].sort((a, b) => a.name.localeCompare(b.name));
}
