// Request body shapes of the REST API. Strict: a field the API does not know is refused.

import { z } from 'zod';

const markdown = z.string();

export const createRoomBody = z.strictObject({
  name: z.string().optional(),
  label: z.string().optional(),
  create_secret: z.string().optional(),
});

export const createCodeBody = z.strictObject({
  scopes: z.array(z.string()).optional(),
  ttl_seconds: z.number().int().optional(),
});

export const joinBody = z.strictObject({
  code: z.string(),
  label: z.string().optional(),
});

export const noteBody = z.strictObject({ text: markdown });

export const checkpointBody = z.strictObject({
  text: markdown,
  expected_version: z.number().int().min(0).optional(),
});

export const DEFAULT_LABEL = 'device';

export const localJoinBody = z.strictObject({
  secret: z.string(),
  room: z.string(),
  label: z.string().optional(),
});

export const registerAgentBody = z.strictObject({
  name: z.string(),
  client: z.string().optional(),
  model: z.string().nullable().optional(),
  host: z.string().nullable().optional(),
  cwd: z.string().nullable().optional(),
  mcp_servers: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  exclusive: z.boolean().optional(),
});

export const heartbeatBody = z.strictObject({ status: z.string().optional() });

const codeRef = z.strictObject({
  path: z.string(),
  start_line: z.number().int().optional(),
  end_line: z.number().int().optional(),
  snippet: z.string().optional(),
  language: z.string().optional(),
});

export const sendBody = z.strictObject({
  to: z.union([z.string(), z.array(z.string())]),
  kind: z.string().optional(),
  body: z.string(),
  thread: z.string().optional(),
  reply_to: z.string().optional(),
  refs: z.array(codeRef).optional(),
  priority: z.enum(['normal', 'urgent']).optional(),
});

export const replyBody = z.strictObject({ body: z.string(), kind: z.string().optional() });

export const readInboxBody = z.strictObject({
  limit: z.number().int().optional(),
  ids: z.array(z.string()).optional(),
});

export const ackBody = z
  .strictObject({ ids: z.array(z.string()).optional(), all: z.literal(true).optional() })
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), {
    message: 'give either "ids" (a list of message ids) or "all": true',
  });

export const idsBody = z.strictObject({ ids: z.array(z.string()) });

export const injectBody = z.strictObject({
  limit: z.number().int().optional(),
  wait: z.number().int().optional(),
});

export const sessionBody = z.strictObject({
  session_id: z.string(),
  source: z.string().optional(),
  client: z.string().optional(),
  model: z.string().nullable().optional(),
  host: z.string().nullable().optional(),
  cwd: z.string().nullable().optional(),
});

const agent = z.string();
/** An admin's explicit override of another agent's hold on a task or lease. */
const force = z.boolean().optional();

const taskFields = {
  title: z.string(),
  description: markdown.optional(),
  priority: z.string().optional(),
  depends_on: z.array(z.string()).optional(),
  assignee: z.string().optional(),
};

export const addTaskBody = z.strictObject({ agent, ...taskFields });

export const planBody = z.strictObject({
  agent,
  tasks: z.array(z.strictObject({ ref: z.string().optional(), ...taskFields })),
});

export const updateTaskBody = z.strictObject({
  agent,
  title: z.string().optional(),
  description: markdown.optional(),
  priority: z.string().optional(),
  depends_on: z.array(z.string()).optional(),
  force,
});

export const agentBody = z.strictObject({ agent });

export const unclaimBody = z.strictObject({ agent, force });

export const taskStepBody = z.strictObject({ agent, result: markdown.optional(), force });

export const handoffBody = z.strictObject({
  agent,
  to: z.string(),
  note: markdown.optional(),
  force,
});

export const setVariableBody = z.strictObject({
  value: z.string(),
  expected_version: z.number().int().optional(),
  agent: agent.optional(),
});

export const deleteVariableBody = z.strictObject({
  expected_version: z.number().int().optional(),
  agent: agent.optional(),
});

export const leaseBody = z.strictObject({
  agent,
  paths: z.array(z.string()),
  mode: z.string().optional(),
  reason: z.string().optional(),
  ttl_seconds: z.number().int().optional(),
});

export const releaseBody = z.strictObject({
  agent,
  ids: z.array(z.string()).optional(),
  paths: z.array(z.string()).optional(),
  force,
});

export const renewBody = z.strictObject({
  agent,
  ids: z.array(z.string()).optional(),
  ttl_seconds: z.number().int().optional(),
});

export const shareBody = z.strictObject({
  path: z.string(),
  start_line: z.number().int().optional(),
  end_line: z.number().int().optional(),
  language: z.string().optional(),
  content: z.string(),
  note: markdown.optional(),
  to: z.union([z.string(), z.array(z.string())]).optional(),
});

/** Exactly one way in: a pair code, a token, or a `huddle open` ticket. */
export const webSignInBody = z
  .strictObject({
    code: z.string().optional(),
    token: z.string().optional(),
    ticket: z.string().optional(),
    name: z.string().optional(),
  })
  .refine(
    (b) => [b.code, b.token, b.ticket].filter((v) => v !== undefined).length === 1,
    'give exactly one of "code", "token" or "ticket"',
  );

export const webTicketBody = z.strictObject({ secret: z.string() });

export const approvalRequestBody = z.strictObject({
  tool: z.string(),
  input_preview: z.string().optional(),
  reason: z.string().optional(),
  client: z.string().optional(),
  timeout_seconds: z.number().int().optional(),
  match_key: z.string().optional(),
});

export const approvalDecisionBody = z.strictObject({
  decision: z.string(),
  reason: z.string().optional(),
});

export const approvalCancelBody = z.strictObject({ reason: z.string().optional() });

export const pushSubscribeBody = z.strictObject({
  endpoint: z.string(),
  keys: z.strictObject({ p256dh: z.string(), auth: z.string() }),
  // PushSubscription.toJSON() includes it; the hub does not use it.
  expirationTime: z.number().nullable().optional(),
});

export const pushUnsubscribeBody = z.strictObject({ endpoint: z.string() });
