// Shared variables: small key/value settings of a room, changed by compare-and-set so that two
// writers never lose each other's update; every change is an event.

import type { RoomCall } from '../call.js';
import { HuddleError } from '../errors.js';
import type { HubContext, Principal } from '../hub-context.js';
import { assertTextSize } from '../limits.js';
import type { Room, RoomEvent, Variable } from '../types.js';

export const VARIABLE_KEY_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;
export const VARIABLE_MAX_BYTES = 8 * 1024;
export const VARIABLES_PER_ROOM = 1000;

export function assertVariableKey(key: string): void {
  if (!VARIABLE_KEY_PATTERN.test(key)) {
    throw new HuddleError(
      'invalid',
      'invalid_key',
      `Invalid variable key ${JSON.stringify(key.slice(0, 120))}: use 1 to 100 letters, digits, ".", "_" or "-".`,
      { details: { field: 'key', pattern: VARIABLE_KEY_PATTERN.source } },
    );
  }
}

function assertExpectedVersion(v: number | undefined): void {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
    throw new HuddleError(
      'invalid',
      'invalid_version',
      'expected_version must be a whole number, 0 meaning "must not exist yet".',
      { details: { field: 'expected_version' } },
    );
  }
}

export function createVariables(ctx: HubContext) {
  const { store, clock, draft, announce, actorOf, idempotency, enter, enterWrite, actingAgent } =
    ctx;

  /** Who the change is attributed to: the named agent (one of the caller's), or the member. */
  async function setter(p: Principal, room: Room, agent: string | undefined): Promise<string> {
    if (agent === undefined) return p.member.label;
    return (await actingAgent(p, room, agent)).name;
  }

  return {
    async setVariable(
      call: RoomCall,
      {
        key,
        ...input
      }: {
        key: string;
        value: string;
        expected_version?: number | undefined;
        agent?: string | undefined;
      },
    ): Promise<{ variable: Variable; event: RoomEvent }> {
      const { principal: p, room: roomName, key: idemKey } = call;
      assertVariableKey(key);
      assertTextSize('value', input.value, VARIABLE_MAX_BYTES);
      assertExpectedVersion(input.expected_version);
      const idem = idempotency(p, idemKey, 'var.set', { key, input });
      const { room, replay } = await enterWrite(p, roomName, 'write', idem);
      if (replay && 'result' in replay)
        return replay.result as { variable: Variable; event: RoomEvent };
      const setBy = await setter(p, room, input.agent);
      const result = await store.setVariable(
        room.id,
        {
          key,
          value: input.value,
          ...(input.expected_version !== undefined && { expected_version: input.expected_version }),
          set_by: setBy,
          at: clock.now(),
          max_keys: VARIABLES_PER_ROOM,
        },
        (v) =>
          draft(actorOf(p), 'var.set', {
            key,
            value: v.value,
            version: v.version,
            set_by: setBy,
            ...(input.agent !== undefined && { agent: input.agent }),
          }),
        idem,
      );
      announce(result.event, room.id);
      return result;
    },

    async getVariable(call: RoomCall, key: string): Promise<{ variable: Variable }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      assertVariableKey(key);
      const variable = await store.getVariable(room.id, key);
      if (!variable) {
        throw new HuddleError(
          'not_found',
          'variable_not_found',
          `No variable "${key}" in room "${room.name}".`,
          {
            details: { key },
          },
        );
      }
      return { variable };
    },

    async listVariables(call: RoomCall): Promise<{ variables: Variable[] }> {
      const { principal: p, room: roomName } = call;
      const room = await enter(p, roomName, 'read');
      return { variables: await store.listVariables(room.id) };
    },

    async deleteVariable(
      call: RoomCall,
      {
        key,
        ...input
      }: { key: string; expected_version?: number | undefined; agent?: string | undefined },
    ): Promise<{ deleted: Variable; event: RoomEvent }> {
      const { principal: p, room: roomName } = call;
      assertVariableKey(key);
      assertExpectedVersion(input.expected_version);
      const room = await enter(p, roomName, 'write', true);
      const by = await setter(p, room, input.agent);
      const { variable, event } = await store.deleteVariable(
        room.id,
        {
          key,
          ...(input.expected_version !== undefined && { expected_version: input.expected_version }),
          at: clock.now(),
        },
        (v) =>
          draft(actorOf(p), 'var.deleted', {
            key,
            version: v.version,
            deleted_by: by,
            ...(input.agent !== undefined && { agent: input.agent }),
          }),
      );
      announce(event, room.id);
      return { deleted: variable, event };
    },
  };
}
