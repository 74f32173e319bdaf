// The Store slice of shared variables.

import type { EventDraft, RoomEvent, Variable } from '../types.js';
import type { Idempotency } from '../store.js';

export interface VariableStore {
  /**
   * Sets a variable and appends `event`. With `expected_version`, the write happens only if the
   * current version equals it (0: the key must not exist); otherwise fails with
   * `variable_conflict` whose details hold the current variable. Versions keep increasing across
   * deletes, so an old version never matches a newer value. Fails with `too_many_variables` when
   * a new key would pass `max_keys`.
   */
  setVariable(
    roomId: string,
    input: {
      key: string;
      value: string;
      expected_version?: number;
      set_by: string;
      at: number;
      max_keys: number;
    },
    event: (v: Variable) => EventDraft,
    idem?: Idempotency,
  ): Promise<{ variable: Variable; event: RoomEvent }>;

  getVariable(roomId: string, key: string): Promise<Variable | null>;

  /** Every variable of the room, by key. */
  listVariables(roomId: string): Promise<Variable[]>;

  /**
   * Deletes a variable (with `expected_version`, only at that version) and appends `event`.
   * Fails with `variable_not_found` or `variable_conflict`.
   */
  deleteVariable(
    roomId: string,
    input: { key: string; expected_version?: number; at: number },
    event: (v: Variable) => EventDraft,
  ): Promise<{ variable: Variable; event: RoomEvent }>;
}
