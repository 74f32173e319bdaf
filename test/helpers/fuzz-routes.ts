// The REST surface of docs/protocol.md as generators: for each route, its path parameters, query
// parameters and body fields, each with the values a client might plausibly (or hostilely) send.

import { createECDH, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { AGENTS, PERSON_AGENT, ROOM, type FuzzWorld } from './fuzz-hub.js';
import { bodyOf, nastyInt, nastyNumber, nastyString, oneOr } from './fuzz-values.js';

type Fields = Record<string, fc.Arbitrary<unknown>>;

export interface FuzzRoute {
  method: string;
  /** Template: `:room`, `:agent`, `:task`, `:message`, `:approval`, `:key`, `:member`. */
  path: string;
  /** The body's documented fields; none for routes that take no body (one is fuzzed anyway). */
  body?: Fields;
  /** The body fields the route cannot do without. */
  required?: string[];
  query?: Record<string, fc.Arbitrary<string>>;
  /** A person's token is as likely as the admin device's (approvals, Web Push). */
  person?: boolean;
  /** It destroys what it touches (token, room, member, agent): it runs on a fresh room. */
  scratch?: boolean;
  /** Needs no token. */
  open?: boolean;
}

/** A browser's real subscription keys, so a subscription can be stored (its pushes go nowhere). */
const pushKeys = {
  p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
  auth: randomBytes(16).toString('base64url'),
};

/** Required body fields, by `METHOD path`: a body without them stops at the schema. */
const REQUIRED: Record<string, string[]> = {
  'POST /v1/join': ['code'],
  'POST /v1/local/join': ['secret', 'room'],
  'POST /v1/local/web-ticket': ['secret'],
  'POST /v1/rooms/:room/notes': ['text'],
  'PUT /v1/rooms/:room/checkpoint': ['text'],
  'POST /v1/rooms/:room/agents': ['name'],
  'POST /v1/rooms/:room/agents/:agent/messages': ['to', 'body'],
  'POST /v1/rooms/:room/agents/:agent/shares': ['path', 'content'],
  'POST /v1/rooms/:room/agents/:agent/messages/:message/reply': ['body'],
  'POST /v1/rooms/:room/agents/:agent/inbox/injected': ['ids'],
  'POST /v1/rooms/:room/agents/:agent/sessions': ['session_id'],
  'POST /v1/rooms/:room/tasks': ['agent', 'title'],
  'POST /v1/rooms/:room/tasks/plan': ['agent', 'tasks'],
  'PATCH /v1/rooms/:room/tasks/:task': ['agent'],
  'POST /v1/rooms/:room/tasks/:task/claim': ['agent'],
  'POST /v1/rooms/:room/tasks/:task/start': ['agent'],
  'POST /v1/rooms/:room/tasks/:task/unclaim': ['agent'],
  'POST /v1/rooms/:room/tasks/:task/done': ['agent'],
  'POST /v1/rooms/:room/tasks/:task/cancel': ['agent'],
  'POST /v1/rooms/:room/tasks/:task/handoff': ['agent', 'to'],
  'PUT /v1/rooms/:room/vars/:key': ['value'],
  'POST /v1/rooms/:room/leases': ['agent', 'paths'],
  'POST /v1/rooms/:room/leases/release': ['agent'],
  'POST /v1/rooms/:room/leases/renew': ['agent'],
  'POST /v1/rooms/:room/agents/:agent/approvals': ['tool'],
  'POST /v1/rooms/:room/approvals/:approval/decision': ['decision'],
  'PUT /v1/rooms/:room/push': ['endpoint', 'keys'],
  'DELETE /v1/rooms/:room/push': ['endpoint'],
};

/** A list of `item`, now and then one past the hub's largest list limit. */
const listOf = (item: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.array(item, { maxLength: 5 }) },
    { weight: 1, arbitrary: item.map((v) => Array.from({ length: 1_001 }, () => v)) },
  );

/** Query values around each parameter's rules; `wait` never holds a request open. */
const Q = {
  limit: fc.constantFrom('0', '1', '50', '100', '101', '-1', '1.5', 'abc', '', '9'.repeat(20)),
  after: fc.constantFrom('0', '1', '999999', '-1', 'x', '', '9'.repeat(20)),
  wait: fc.constantFrom('0', '-1', '301', 'x', '', '1.5', '9'.repeat(20)),
  flag: fc.constantFrom('1', '0', 'true', 'false', 'yes', 'no', 'maybe', ''),
  since: fc.constantFrom('1h', '30m', '2026-01-01T00:00:00Z', 'yesterday', '-1h', '99999999h', ''),
  format: fc.constantFrom('md', 'jsonl', 'json', 'MD', ''),
};

/** Every route of docs/protocol.md that reads a body, a path parameter or a query parameter. */
export function fuzzRoutes(world: FuzzWorld): FuzzRoute[] {
  const { ids } = world;
  const str = nastyString;
  const int = nastyInt;
  const bool = fc.boolean();
  const agent = oneOr<string>([...AGENTS, PERSON_AGENT, 'ghost'], str);
  const agentQ = oneOr<string>([...AGENTS, PERSON_AGENT], str);
  const taskIds = listOf(oneOr(ids.tasks, str));
  const messageIds = listOf(oneOr(ids.messages, str));
  const leaseIds = listOf(oneOr(ids.leases, str));
  const to = fc.oneof(agent, fc.constant('*'), fc.array(agent, { maxLength: 17 }));
  const kind = oneOr(['finding', 'status', 'question', 'handoff', 'task', 'review', 'chat'], str);
  const priority = oneOr(['critical', 'high', 'medium', 'low'], str);
  const scopes = listOf(oneOr(['read', 'write', 'checkpoint', 'approve', 'admin'], str));
  const refs = fc.array(
    bodyOf({ path: str, start_line: int, end_line: int, snippet: str, language: str }, ['path']),
    { maxLength: 3 },
  );
  const taskFields: Fields = {
    title: str,
    description: str,
    priority,
    depends_on: taskIds,
    assignee: agent,
  };
  const planTasks = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.array(bodyOf({ ref: str, ...taskFields }, ['title']), { maxLength: 5 }),
    },
    {
      weight: 1,
      arbitrary: fc.constant(Array.from({ length: 101 }, (_, i) => ({ title: `${i}` }))),
    },
  );
  const wait = fc.constantFrom(0, -1, 301, 1.5, 1e9);
  const endpoint = oneOr(['http://127.0.0.1:9/push/x', 'https://fcm.googleapis.com/x'], str);

  const rooms = '/v1/rooms/:room';
  const agents = `${rooms}/agents/:agent`;
  const tasks = `${rooms}/tasks`;
  const routes: FuzzRoute[] = [
    // No token: they hand one out, or read a browser session.
    {
      method: 'POST',
      path: '/v1/rooms',
      open: true,
      body: { name: str, label: str, create_secret: str },
    },
    { method: 'POST', path: '/v1/join', open: true, body: { code: str, label: str } },
    {
      method: 'POST',
      path: '/v1/local/join',
      open: true,
      body: { secret: str, room: str, label: str },
    },
    { method: 'POST', path: '/v1/local/web-ticket', open: true, body: { secret: str } },
    {
      method: 'POST',
      path: '/v1/web/session',
      open: true,
      body: { code: str, token: oneOr([world.admin, world.person], str), ticket: str, name: str },
    },
    { method: 'GET', path: '/v1/web/session', open: true },
    { method: 'DELETE', path: '/v1/web/session', open: true },
    { method: 'DELETE', path: '/v1/web/session/rooms/:room', open: true },
    { method: 'GET', path: '/v1/status', open: true },
    { method: 'GET', path: '/v1/push/key', open: true },

    // Rooms, notes, checkpoint, members.
    { method: 'GET', path: rooms, query: { limit: Q.limit } },
    {
      method: 'GET',
      path: `${rooms}/events`,
      query: { after: Q.after, limit: Q.limit, wait: Q.wait },
    },
    { method: 'POST', path: `${rooms}/notes`, body: { text: str } },
    { method: 'GET', path: `${rooms}/checkpoint` },
    { method: 'PUT', path: `${rooms}/checkpoint`, body: { text: str, expected_version: int } },
    { method: 'POST', path: `${rooms}/codes`, body: { scopes, ttl_seconds: int } },
    { method: 'GET', path: `${rooms}/me` },
    { method: 'GET', path: `${rooms}/members` },
    { method: 'GET', path: `${rooms}/export`, query: { format: Q.format } },
    { method: 'POST', path: `${rooms}/rotate`, scratch: true },
    { method: 'DELETE', path: `${rooms}/members/:member`, scratch: true },
    { method: 'DELETE', path: rooms, scratch: true },

    // Agents, messages, the inbox.
    {
      method: 'POST',
      path: `${rooms}/agents`,
      body: {
        name: agent,
        client: oneOr(['claude-code', 'codex', 'gemini', 'human', 'other'], str),
        model: fc.option(str),
        host: fc.option(str),
        cwd: fc.option(str),
        mcp_servers: listOf(str),
        tags: listOf(str),
        exclusive: bool,
      },
    },
    { method: 'GET', path: `${rooms}/agents` },
    {
      method: 'POST',
      path: `${agents}/heartbeat`,
      body: { status: oneOr(['online', 'working', 'idle', 'waiting', 'offline'], str) },
    },
    { method: 'DELETE', path: agents, scratch: true },
    {
      method: 'POST',
      path: `${agents}/messages`,
      body: {
        to,
        kind,
        body: str,
        thread: str,
        reply_to: oneOr(ids.messages, str),
        refs,
        priority: oneOr(['normal', 'urgent'], str),
      },
    },
    {
      method: 'POST',
      path: `${agents}/shares`,
      body: {
        path: str,
        start_line: int,
        end_line: int,
        language: oneOr(['ts', 'c++', 'c#'], str),
        content: str,
        note: str,
        to,
      },
    },
    { method: 'POST', path: `${agents}/messages/:message/reply`, body: { body: str, kind } },
    {
      method: 'GET',
      path: `${agents}/inbox`,
      query: { limit: Q.limit, all: Q.flag, wait: Q.wait },
    },
    { method: 'POST', path: `${agents}/inbox/read`, body: { limit: int, ids: messageIds } },
    {
      method: 'POST',
      path: `${agents}/inbox/ack`,
      body: { ids: messageIds, all: oneOr([true], anyBool()) },
    },
    { method: 'POST', path: `${agents}/inbox/injected`, body: { ids: messageIds } },
    { method: 'POST', path: `${agents}/inbox/inject`, body: { limit: int, wait } },
    {
      method: 'POST',
      path: `${agents}/sessions`,
      body: {
        session_id: str,
        source: oneOr(['startup', 'resume', 'clear', 'compact'], str),
        client: str,
        model: fc.option(str),
        host: fc.option(str),
        cwd: fc.option(str),
      },
    },
    { method: 'GET', path: `${agents}/digest` },
    { method: 'GET', path: `${rooms}/messages/:message/receipts` },

    // Tasks.
    {
      method: 'GET',
      path: tasks,
      query: {
        ready: Q.flag,
        status: fc.constantFrom('open,claimed', 'all', 'bogus', ',,,', ''),
        assignee: agentQ,
      },
    },
    { method: 'POST', path: tasks, body: { agent, ...taskFields } },
    { method: 'POST', path: `${tasks}/plan`, body: { agent, tasks: planTasks } },
    { method: 'GET', path: `${tasks}/:task` },
    {
      method: 'PATCH',
      path: `${tasks}/:task`,
      body: { agent, title: str, description: str, priority, depends_on: taskIds, force: bool },
    },
    { method: 'POST', path: `${tasks}/:task/claim`, body: { agent } },
    { method: 'POST', path: `${tasks}/:task/start`, body: { agent } },
    { method: 'POST', path: `${tasks}/:task/unclaim`, body: { agent, force: bool } },
    { method: 'POST', path: `${tasks}/:task/done`, body: { agent, result: str, force: bool } },
    { method: 'POST', path: `${tasks}/:task/cancel`, body: { agent, result: str, force: bool } },
    {
      method: 'POST',
      path: `${tasks}/:task/handoff`,
      body: { agent, to: agent, note: str, force: bool },
    },

    // Variables, leases, activity.
    { method: 'GET', path: `${rooms}/vars` },
    { method: 'GET', path: `${rooms}/vars/:key` },
    {
      method: 'PUT',
      path: `${rooms}/vars/:key`,
      body: { value: str, expected_version: int, agent },
    },
    { method: 'DELETE', path: `${rooms}/vars/:key`, body: { expected_version: int, agent } },
    { method: 'GET', path: `${rooms}/leases`, query: { agent: agentQ, path: nastyString } },
    {
      method: 'POST',
      path: `${rooms}/leases`,
      body: {
        agent,
        paths: listOf(oneOr(['src/**', 'README.md', '**', '*', '/abs', '../up'], str)),
        mode: oneOr(['exclusive', 'shared'], str),
        reason: str,
        ttl_seconds: int,
      },
    },
    {
      method: 'POST',
      path: `${rooms}/leases/release`,
      body: { agent, ids: leaseIds, paths: listOf(str), force: bool },
    },
    {
      method: 'POST',
      path: `${rooms}/leases/renew`,
      body: { agent, ids: leaseIds, ttl_seconds: int },
    },
    {
      method: 'GET',
      path: `${rooms}/activity`,
      query: {
        after: Q.after,
        limit: Q.limit,
        type: fc.constantFrom('task.*', 'note', 'message,var.set', 'bogus', ','.repeat(30)),
        since: Q.since,
        actor: agentQ,
      },
    },

    // Approvals.
    {
      method: 'POST',
      path: `${agents}/approvals`,
      body: {
        tool: oneOr(['Bash', 'Edit'], str),
        input_preview: str,
        reason: str,
        client: oneOr(['claude-code', 'codex', 'human'], str),
        timeout_seconds: int,
        match_key: str,
      },
    },
    {
      method: 'GET',
      path: `${rooms}/approvals`,
      person: true,
      query: { status: fc.constantFrom('pending', 'all', 'x', ''), limit: Q.limit },
    },
    { method: 'GET', path: `${rooms}/approvals/:approval`, person: true, query: { wait: Q.wait } },
    {
      method: 'POST',
      path: `${rooms}/approvals/:approval/decision`,
      person: true,
      body: { decision: oneOr(['allow', 'deny'], str), reason: str },
    },
    { method: 'POST', path: `${rooms}/approvals/:approval/cancel`, body: { reason: str } },

    // Web Push (a person's).
    {
      method: 'PUT',
      path: `${rooms}/push`,
      person: true,
      body: {
        endpoint,
        keys: bodyOf(
          {
            p256dh: oneOr([pushKeys.p256dh, pushKeys.p256dh.slice(1), `${pushKeys.p256dh}=`], str),
            auth: oneOr([pushKeys.auth, `${pushKeys.auth}==`], str),
          },
          ['p256dh', 'auth'],
        ),
        expirationTime: fc.option(nastyNumber),
      },
    },
    { method: 'DELETE', path: `${rooms}/push`, person: true, body: { endpoint } },
    { method: 'GET', path: `${rooms}/push`, person: true },
  ];
  return routes.map((r) => ({ ...r, required: REQUIRED[`${r.method} ${r.path}`] ?? [] }));
}

function anyBool(): fc.Arbitrary<unknown> {
  return fc.oneof(fc.boolean(), fc.constantFrom(1, 'true', null));
}

/** What each path parameter may be, so most requests reach a route's real checks. */
export function knownParams(world: FuzzWorld): Record<string, string[]> {
  return {
    room: [ROOM, 'no-such-room'],
    agent: [...AGENTS, PERSON_AGENT, 'ghost'],
    task: [...world.ids.tasks, 'T-0000'],
    message: [...world.ids.messages, 'msg_0000000000000000'],
    approval: [...world.ids.approvals, 'A-0000'],
    key: [...world.ids.vars, 'fresh.key', 'x'.repeat(101)],
    member: [...world.ids.members, 'mem_000000000000'],
  };
}
