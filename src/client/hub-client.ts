// HubClient: the one place that knows the hub's URLs. Uses node:http(s) directly, which starts
// faster than fetch, so the CLI and hooks stay quick.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import type {
  ActivityQuery,
  ApprovalRequest,
  HistoryResponse,
  JoinResponse,
  LeaseRequest,
  PairCodeResponse,
  PlanItem,
  ReadResponse,
  SendRequest,
  SendResponse,
  ShareRequest,
  TaskFields,
  TaskResponse,
  TaskUpdate,
  WebTicketResponse,
} from '../core/api-types.js';
import type { HubStatus } from '../core/hub-status.js';
import type { AgentDigest } from '../core/sessions/sessions.js';
import type {
  Agent,
  AgentCapabilities,
  Approval,
  Checkpoint,
  InboxItem,
  Lease,
  Member,
  Message,
  Receipt,
  Room,
  RoomEvent,
  Scope,
  Task,
  Variable,
} from '../core/types.js';

/** An error the hub answered with (or could not answer because it was unreachable: status 0). */
export class HubError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    retryable: boolean,
    details: Record<string, unknown> = {},
    retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HubError';
    this.status = status;
    this.code = code;
    this.retryable = retryable;
    this.details = details;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface HubClientOptions {
  url: string;
  /** The member token used by room calls. */
  token?: string | undefined;
  timeoutMs?: number;
}

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Sends an Idempotency-Key and retries transient failures with the same key. */
  idempotent?: boolean;
  /** An Idempotency-Key chosen by the caller: sent as is, and retried like `idempotent`. */
  key?: string | undefined;
  /** For long-polls: how long the socket may stay silent. */
  timeoutMs?: number;
  /** Receives the body as it streams instead of parsing JSON. */
  onChunk?: (chunk: Buffer) => void;
  /** Headers of this call only. */
  headers?: Record<string, string>;
}

// The wire shapes live in the core, declared once for the hub, this client, the MCP tools and the
// cockpit; re-exported here for the client's callers.
export type * from '../core/api-types.js';

const enc = encodeURIComponent;

export function createHubClient(options: HubClientOptions) {
  const base = new URL(options.url.replace(/\/+$/, '') + '/');
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function send<T>(call: Call, key: string | undefined): Promise<T> {
    const url = new URL(call.path.replace(/^\//, ''), base);
    for (const [k, v] of Object.entries(call.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    // The hub takes POST, PUT and PATCH bodies only as declared JSON, even an empty one.
    if (payload || call.method === 'POST' || call.method === 'PUT' || call.method === 'PATCH') {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload?.length ?? 0);
    }
    if (key) headers['idempotency-key'] = key;
    Object.assign(headers, call.headers);
    // node:http is loaded with this module; node:https only for a hub that uses it.
    const request = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;

    const timeout = call.timeoutMs ?? timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const req = request(
        url,
        { method: call.method, headers, timeout },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          const streaming = call.onChunk !== undefined && status < 400;
          res.on('data', (chunk: Buffer) =>
            streaming ? call.onChunk!(chunk) : chunks.push(chunk),
          );
          res.on('error', (err) => reject(unreachable(err)));
          res.on('end', () => {
            if (streaming) return resolve(undefined as T);
            const text = Buffer.concat(chunks).toString('utf8');
            let data: unknown;
            try {
              data = text ? JSON.parse(text) : undefined;
            } catch {
              return reject(
                new HubError(
                  status,
                  'bad_response',
                  `The hub answered ${status} with a body that is not JSON. Is ${options.url} a huddle hub?`,
                  false,
                ),
              );
            }
            if (status >= 200 && status < 300) return resolve(data as T);
            const e = (
              data as {
                error?: {
                  code?: string;
                  message?: string;
                  retryable?: boolean;
                  details?: Record<string, unknown>;
                };
              }
            )?.error;
            const retryAfter = Number(res.headers['retry-after']);
            reject(
              new HubError(
                status,
                e?.code ?? 'http_error',
                e?.message ?? `The hub answered HTTP ${status}.`,
                e?.retryable ?? status >= 500,
                e?.details ?? {},
                Number.isFinite(retryAfter) ? retryAfter : undefined,
              ),
            );
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeout} ms`)));
      req.on('error', (err) => reject(unreachable(err)));
      req.end(payload);
    });
  }

  function unreachable(err: Error): HubError {
    const code = (err as NodeJS.ErrnoException).code;
    if (
      code === 'ECONNRESET' ||
      code === 'EPIPE' ||
      /socket hang up|no answer within/.test(err.message)
    ) {
      return new HubError(
        0,
        'connection_lost',
        `The connection to the hub at ${options.url} was lost: ${code ?? err.message}.`,
        true,
      );
    }
    const hint =
      code === 'ECONNREFUSED'
        ? ' Is the hub running? Start one with "huddle serve", or pass --hub (HUDDLE_URL).'
        : '';
    return new HubError(
      0,
      'hub_unreachable',
      `Cannot reach the hub at ${options.url}: ${code ?? err.message}.${hint}`,
      true,
    );
  }

  /** Idempotent writes carry one key across retries of transient failures, so none is applied twice. */
  async function call<T>(c: Call): Promise<T> {
    if (!c.idempotent && c.key === undefined) return send<T>(c, undefined);
    // The global Web Crypto loads on first use: commands that write nothing never pay for it.
    const key = c.key ?? globalThis.crypto.randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        return await send<T>(c, key);
      } catch (err) {
        const transient =
          err instanceof HubError && (err.code === 'connection_lost' || err.status === 503);
        if (attempt >= 2 || !transient) throw err;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  const room = (name: string, rest = '') => `/v1/rooms/${enc(name)}${rest}`;
  const agentPath = (name: string, agent: string, rest = '') =>
    room(name, `/agents/${enc(agent)}${rest}`);

  return {
    url: options.url,
    health: () => call<{ ok: boolean }>({ method: 'GET', path: '/healthz' }),
    /** The hub's status; with its local secret (send it only to a hub on this machine), its details. */
    status: (localSecret?: string) =>
      call<HubStatus>({
        method: 'GET',
        path: '/v1/status',
        ...(localSecret !== undefined && { headers: { 'x-huddle-local-secret': localSecret } }),
      }),
    createRoom: (body: {
      name?: string | undefined;
      label?: string;
      create_secret?: string | undefined;
    }) => call<JoinResponse>({ method: 'POST', path: '/v1/rooms', body }),
    localJoin: (body: { secret: string; room: string; label?: string }) =>
      call<JoinResponse & { created: boolean }>({ method: 'POST', path: '/v1/local/join', body }),
    webTicket: (body: { secret: string }) =>
      call<WebTicketResponse>({
        method: 'POST',
        path: '/v1/local/web-ticket',
        body,
      }),
    join: (body: { code: string; label?: string }) =>
      call<JoinResponse>({ method: 'POST', path: '/v1/join', body }),
    createCode: (name: string, body: { scopes?: Scope[]; ttl_seconds?: number } = {}) =>
      call<PairCodeResponse>({
        method: 'POST',
        path: room(name, '/codes'),
        body,
      }),
    read: (name: string, limit?: number) =>
      call<ReadResponse>({ method: 'GET', path: room(name), query: { limit } }),
    history: (name: string, after?: number, limit?: number) =>
      call<HistoryResponse>({
        method: 'GET',
        path: room(name, '/events'),
        query: { after, limit },
      }),
    writeNote: (name: string, text: string) =>
      call<{ event: RoomEvent }>({
        method: 'POST',
        path: room(name, '/notes'),
        body: { text },
        idempotent: true,
      }),
    getCheckpoint: (name: string) =>
      call<{ checkpoint: Checkpoint }>({ method: 'GET', path: room(name, '/checkpoint') }),
    setCheckpoint: (name: string, text: string, expectedVersion?: number) =>
      call<{ checkpoint: Checkpoint; event: RoomEvent }>({
        method: 'PUT',
        path: room(name, '/checkpoint'),
        body:
          expectedVersion === undefined ? { text } : { text, expected_version: expectedVersion },
        idempotent: true,
      }),
    whoami: (name: string) =>
      call<{ room: Room; member: Member }>({ method: 'GET', path: room(name, '/me') }),
    members: (name: string) =>
      call<{ members: Member[] }>({ method: 'GET', path: room(name, '/members') }),
    rotate: (name: string) =>
      call<{ member: Member; token: string }>({ method: 'POST', path: room(name, '/rotate') }),
    revoke: (name: string, memberId: string) =>
      call<{ event: RoomEvent }>({
        method: 'DELETE',
        path: room(name, `/members/${enc(memberId)}`),
        idempotent: true,
      }),
    exportRoom: (name: string, format: 'md' | 'jsonl', onChunk: (chunk: Buffer) => void) =>
      call<void>({ method: 'GET', path: room(name, '/export'), query: { format }, onChunk }),
    deleteRoom: (name: string) => call<{ deleted: string }>({ method: 'DELETE', path: room(name) }),
    waitEvents: (name: string, after: number, waitSeconds: number, limit?: number) =>
      call<HistoryResponse>({
        method: 'GET',
        path: room(name, '/events'),
        query: { after, limit, wait: waitSeconds },
        timeoutMs: (waitSeconds + 15) * 1000,
      }),

    registerAgent: (
      name: string,
      body: Partial<AgentCapabilities> & { name: string; exclusive?: boolean },
    ) =>
      call<{ agent: Agent; event: RoomEvent }>({
        method: 'POST',
        path: room(name, '/agents'),
        body,
      }),
    agents: (name: string) =>
      call<{ agents: Agent[] }>({ method: 'GET', path: room(name, '/agents') }),
    heartbeat: (name: string, agent: string, status?: string) =>
      call<{ agent: Agent }>({
        method: 'POST',
        path: agentPath(name, agent, '/heartbeat'),
        body: status ? { status } : {},
      }),
    retireAgent: (name: string, agent: string) =>
      call<{ agent: Agent }>({ method: 'DELETE', path: agentPath(name, agent) }),
    /**
     * Sends as `agent`. Without `key`, a repeat of the same message within the hub's duplicate
     * window is refused; with one, a retry is answered with the original message.
     */
    send: (name: string, agent: string, body: SendRequest, key?: string) =>
      call<SendResponse>({
        method: 'POST',
        path: agentPath(name, agent, '/messages'),
        body,
        key,
      }),
    reply: (
      name: string,
      agent: string,
      messageId: string,
      body: { body: string; kind?: string },
      key?: string,
    ) =>
      call<SendResponse>({
        method: 'POST',
        path: agentPath(name, agent, `/messages/${enc(messageId)}/reply`),
        body,
        key,
      }),
    peekInbox: (
      name: string,
      agent: string,
      query: { limit?: number; all?: boolean; wait?: number } = {},
    ) =>
      call<{ messages: InboxItem[] }>({
        method: 'GET',
        path: agentPath(name, agent, '/inbox'),
        query: { limit: query.limit, all: query.all ? 1 : undefined, wait: query.wait },
        ...(query.wait && { timeoutMs: (query.wait + 15) * 1000 }),
      }),
    readInbox: (name: string, agent: string, body: { limit?: number; ids?: string[] } = {}) =>
      call<{ messages: InboxItem[] }>({
        method: 'POST',
        path: agentPath(name, agent, '/inbox/read'),
        body,
      }),
    ack: (name: string, agent: string, ids: string[] | 'all') =>
      call<{ acked: string[] }>({
        method: 'POST',
        path: agentPath(name, agent, '/inbox/ack'),
        body: ids === 'all' ? { all: true } : { ids },
      }),
    injected: (name: string, agent: string, ids: string[]) =>
      call<{ injected: string[] }>({
        method: 'POST',
        path: agentPath(name, agent, '/inbox/injected'),
        body: { ids },
      }),
    /** Takes the messages no hook or channel showed yet, recording them `injected`. */
    inject: (name: string, agent: string, body: { limit?: number; wait?: number } = {}) =>
      call<{ messages: InboxItem[] }>({
        method: 'POST',
        path: agentPath(name, agent, '/inbox/inject'),
        body,
        ...(body.wait && { timeoutMs: (body.wait + 15) * 1000 }),
      }),
    startSession: (
      name: string,
      agent: string,
      body: Partial<AgentCapabilities> & { session_id: string; source?: string },
    ) =>
      call<{ agent: Agent; event: RoomEvent; digest: AgentDigest }>({
        method: 'POST',
        path: agentPath(name, agent, '/sessions'),
        body,
      }),
    digest: (name: string, agent: string) =>
      call<AgentDigest>({ method: 'GET', path: agentPath(name, agent, '/digest') }),
    /** A snippet read from disk may know no language (null): it is sent without one. */
    share: (
      name: string,
      agent: string,
      body: Omit<ShareRequest, 'language'> & { language?: string | null | undefined },
      key?: string,
    ) =>
      call<SendResponse>({
        method: 'POST',
        path: agentPath(name, agent, '/shares'),
        body: { ...body, language: body.language ?? undefined },
        key,
        idempotent: true,
      }),

    tasks: (name: string, query: { ready?: boolean; status?: string[]; assignee?: string } = {}) =>
      call<{ tasks: Task[] }>({
        method: 'GET',
        path: room(name, '/tasks'),
        query: {
          ready: query.ready ? 1 : undefined,
          status: query.status?.join(','),
          assignee: query.assignee,
        },
      }),
    task: (name: string, id: string) =>
      call<{ task: Task }>({ method: 'GET', path: room(name, `/tasks/${enc(id)}`) }),
    addTask: (name: string, agent: string, fields: TaskFields) =>
      call<TaskResponse>({
        method: 'POST',
        path: room(name, '/tasks'),
        body: { agent, ...fields },
        idempotent: true,
      }),
    planTasks: (name: string, agent: string, tasks: PlanItem[]) =>
      call<{ tasks: Task[]; refs: Record<string, string>; event: RoomEvent }>({
        method: 'POST',
        path: room(name, '/tasks/plan'),
        body: { agent, tasks },
        idempotent: true,
      }),
    updateTask: (
      name: string,
      agent: string,
      id: string,
      fields: TaskUpdate & { force?: boolean },
    ) =>
      call<TaskResponse>({
        method: 'PATCH',
        path: room(name, `/tasks/${enc(id)}`),
        body: { agent, ...fields },
        idempotent: true,
      }),
    /**
     * claim, unclaim, start, done or cancel; done and cancel may carry a result. `force` (an
     * admin's override of another agent's hold) is for unclaim, done and cancel.
     */
    taskStep: (
      name: string,
      agent: string,
      id: string,
      step: 'claim' | 'unclaim' | 'start' | 'done' | 'cancel',
      result?: string,
      force?: boolean,
    ) =>
      call<TaskResponse>({
        method: 'POST',
        path: room(name, `/tasks/${enc(id)}/${step}`),
        body: { agent, ...(result !== undefined && { result }), ...(force && { force }) },
        idempotent: true,
      }),
    handoffTask: (
      name: string,
      agent: string,
      id: string,
      to: string,
      note?: string,
      force?: boolean,
    ) =>
      call<TaskResponse>({
        method: 'POST',
        path: room(name, `/tasks/${enc(id)}/handoff`),
        body: { agent, to, ...(note !== undefined && { note }), ...(force && { force }) },
        idempotent: true,
      }),

    variables: (name: string) =>
      call<{ variables: Variable[] }>({ method: 'GET', path: room(name, '/vars') }),
    variable: (name: string, key: string) =>
      call<{ variable: Variable }>({ method: 'GET', path: room(name, `/vars/${enc(key)}`) }),
    setVariable: (
      name: string,
      key: string,
      body: { value: string; expected_version?: number; agent?: string },
    ) =>
      call<{ variable: Variable; event: RoomEvent }>({
        method: 'PUT',
        path: room(name, `/vars/${enc(key)}`),
        body,
        idempotent: true,
      }),
    deleteVariable: (
      name: string,
      key: string,
      body: { expected_version?: number; agent?: string } = {},
    ) =>
      call<{ deleted: Variable; event: RoomEvent }>({
        method: 'DELETE',
        path: room(name, `/vars/${enc(key)}`),
        body,
      }),

    leases: (name: string, query: { agent?: string; path?: string } = {}) =>
      call<{ leases: Lease[] }>({ method: 'GET', path: room(name, '/leases'), query }),
    lease: (name: string, agent: string, body: LeaseRequest) =>
      call<{ lease: Lease; event: RoomEvent }>({
        method: 'POST',
        path: room(name, '/leases'),
        body: { agent, ...body },
        idempotent: true,
      }),
    release: (
      name: string,
      agent: string,
      body: ({ ids: string[] } | { paths: string[] }) & { force?: boolean },
    ) =>
      call<{ released: Lease[]; event: RoomEvent | null }>({
        method: 'POST',
        path: room(name, '/leases/release'),
        body: { agent, ...body },
      }),
    renewLeases: (
      name: string,
      agent: string,
      body: { ids?: string[]; ttl_seconds?: number } = {},
    ) =>
      call<{ renewed: Lease[]; event: RoomEvent | null }>({
        method: 'POST',
        path: room(name, '/leases/renew'),
        body: { agent, ...body },
      }),

    activity: (name: string, query: ActivityQuery = {}) =>
      call<HistoryResponse>({
        method: 'GET',
        path: room(name, '/activity'),
        query: {
          after: query.after,
          limit: query.limit,
          type: query.types?.join(','),
          since: query.since,
          actor: query.actor,
        },
      }),

    /**
     * Asks a person to allow or deny a tool call of `agent`; answered 201 with the pending request
     * (`joined` when it is one already asked about the same prompt, named by `match_key`).
     */
    requestApproval: (name: string, agent: string, body: ApprovalRequest) =>
      call<{ approval: Approval; joined?: true }>({
        method: 'POST',
        path: agentPath(name, agent, '/approvals'),
        body,
      }),
    /** The room's approval requests, newest first: pending ones, or all. */
    approvals: (name: string, query: { status?: 'pending' | 'all'; limit?: number } = {}) =>
      call<{ approvals: Approval[] }>({ method: 'GET', path: room(name, '/approvals'), query }),
    /** One request; with `wait`, answered once it is no longer pending or after `wait` seconds. */
    approval: (name: string, id: string, wait?: number) =>
      call<{ approval: Approval }>({
        method: 'GET',
        path: room(name, `/approvals/${enc(id)}`),
        query: { wait },
        ...(wait && { timeoutMs: (wait + 15) * 1000 }),
      }),
    /** A person's answer (the token must be a person's member with the approve scope). */
    decideApproval: (name: string, id: string, decision: 'allow' | 'deny', reason?: string) =>
      call<{ approval: Approval }>({
        method: 'POST',
        path: room(name, `/approvals/${enc(id)}/decision`),
        body: { decision, ...(reason !== undefined && { reason }) },
      }),
    /** Withdraws a pending request of one of this member's agents (one waiter, when shared). */
    cancelApproval: (name: string, id: string, reason?: string) =>
      call<{ approval: Approval }>({
        method: 'POST',
        path: room(name, `/approvals/${enc(id)}/cancel`),
        body: reason !== undefined ? { reason } : {},
      }),

    receipts: (name: string, messageId: string) =>
      call<{ message: Message; receipts: Receipt[] }>({
        method: 'GET',
        path: room(name, `/messages/${enc(messageId)}/receipts`),
      }),
  };
}

export type HubClient = ReturnType<typeof createHubClient>;
