// Validation of what agents announce: names, clients, capabilities and presence states.

import { HuddleError } from '../errors.js';
import {
  AGENT_CLIENTS,
  type AgentCapabilities,
  type AgentClient,
  type AgentStatus,
} from '../types.js';

export const AGENT_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,47}$/;
const SHORT_TEXT_MAX = 512;
const LIST_MAX = 64;

export function assertAgentName(name: string, field = 'name'): void {
  if (!AGENT_NAME_PATTERN.test(name)) {
    throw new HuddleError(
      'invalid',
      'invalid_agent_name',
      `Invalid agent name ${JSON.stringify(name.slice(0, 80))}: use 1 to 48 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit (pattern ${AGENT_NAME_PATTERN.source}).`,
      { details: { field, pattern: AGENT_NAME_PATTERN.source } },
    );
  }
}

function invalid(field: string, message: string): HuddleError {
  return new HuddleError('invalid', 'invalid_capabilities', `${field}: ${message}`, {
    details: { field },
  });
}

function shortText(field: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (value.length > SHORT_TEXT_MAX) throw invalid(field, `at most ${SHORT_TEXT_MAX} characters`);
  return value;
}

function list(field: string, value: string[] | undefined, itemMax: number): string[] {
  const items = value ?? [];
  if (items.length > LIST_MAX) throw invalid(field, `at most ${LIST_MAX} entries`);
  for (const item of items) {
    if (item.length === 0 || item.length > itemMax)
      throw invalid(field, `each entry has 1 to ${itemMax} characters`);
  }
  return [...new Set(items)];
}

export interface CapabilitiesInput {
  client?: string | undefined;
  model?: string | null | undefined;
  host?: string | null | undefined;
  cwd?: string | null | undefined;
  mcp_servers?: string[] | undefined;
  tags?: string[] | undefined;
}

export function parseCapabilities(input: CapabilitiesInput): AgentCapabilities {
  const client = input.client ?? 'other';
  if (!(AGENT_CLIENTS as readonly string[]).includes(client)) {
    throw new HuddleError(
      'invalid',
      'invalid_capabilities',
      `client must be one of ${AGENT_CLIENTS.join(', ')}.`,
      {
        details: { field: 'client', allowed: [...AGENT_CLIENTS] },
      },
    );
  }
  return {
    client: client as AgentClient,
    model: shortText('model', input.model),
    host: shortText('host', input.host),
    cwd: shortText('cwd', input.cwd),
    mcp_servers: list('mcp_servers', input.mcp_servers, 200),
    tags: list('tags', input.tags, 64),
  };
}

/** The states a client may report; offline and retired are the hub's to set. */
export const REPORTABLE_STATUSES = ['online', 'working', 'idle', 'waiting'] as const;

export function parseReportedStatus(status: string | undefined): AgentStatus | undefined {
  if (status === undefined) return undefined;
  if (!(REPORTABLE_STATUSES as readonly string[]).includes(status)) {
    throw new HuddleError(
      'invalid',
      'invalid_status',
      `status must be one of ${REPORTABLE_STATUSES.join(', ')}.`,
      {
        details: { field: 'status', allowed: [...REPORTABLE_STATUSES] },
      },
    );
  }
  return status as AgentStatus;
}
