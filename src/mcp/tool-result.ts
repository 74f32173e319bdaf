// How every tool answers: brief Markdown for the model plus structuredContent for programs, and
// refusals as tool results (isError) that say what to do next, never as protocol errors.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** Anything thrown by the session that carries a code and a message (HubError, HuddleError). */
interface CodedError {
  code?: string;
  message?: string;
  details?: unknown;
}

export function ok(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** A refusal as a tool result the model can act on, never a protocol error. */
export function toolError(err: unknown): CallToolResult {
  const e = err as CodedError;
  const code = e.code ?? 'error';
  return {
    isError: true,
    content: [{ type: 'text', text: `Error ${code}: ${e.message ?? String(err)}` }],
    structuredContent: {
      error: { code, message: e.message ?? String(err), details: e.details ?? {} },
    },
  };
}

/** A refusal of the tool itself, before the hub is asked: `message` says what to pass. */
export function invalidArgs(message: string): CodedError {
  return { code: 'invalid_request', message };
}

/** Runs a tool's handler, turning anything thrown into a tool error. */
export function guard<A>(fn: (args: A) => Promise<CallToolResult>) {
  return async (args: A): Promise<CallToolResult> => {
    try {
      return await fn(args);
    } catch (err) {
      return toolError(err);
    }
  };
}
