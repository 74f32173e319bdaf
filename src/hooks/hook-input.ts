// Reads a hook's stdin: one JSON object. Fields of the wrong type are dropped rather than trusted.

import type { HookInput } from './hook-types.js';

export class HookInputError extends Error {
  override name = 'HookInputError';
}

const STRING_FIELDS = [
  'session_id',
  'cwd',
  'hook_event_name',
  'source',
  'tool_name',
  'prompt',
  'notification_type',
  'message',
];

export function parseHookInput(text: string): HookInput {
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HookInputError(`the hook's stdin is not JSON (${(err as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new HookInputError("the hook's stdin is not a JSON object");
  const raw = data as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  for (const field of STRING_FIELDS) if (typeof raw[field] === 'string') input[field] = raw[field];
  if (typeof raw.stop_hook_active === 'boolean') input.stop_hook_active = raw.stop_hook_active;
  const toolInput = raw.tool_input ?? raw.toolInput;
  if (typeof toolInput === 'object' && toolInput !== null && !Array.isArray(toolInput))
    input.tool_input = toolInput;
  return input as HookInput;
}
