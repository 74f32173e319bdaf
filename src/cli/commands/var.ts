// huddle var set|get|del: the room's shared variables, changed by compare-and-set.

import type { Variable } from '../../core/types.js';
import type { Run } from '../registry.js';
import { intFlag } from '../flags.js';
import { table } from '../render.js';
import { subcommands } from './subcommands.js';

const oneLine = (text: string, max = 60) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

function renderVariables(variables: Variable[]): string {
  return table([
    ['KEY', 'VERSION', 'SET BY', 'UPDATED', 'VALUE'],
    ...variables.map((v) => [
      v.key,
      `v${v.version}`,
      v.set_by,
      v.updated_at.slice(0, 19).replace('T', ' '),
      oneLine(v.value),
    ]),
  ]);
}

const set: Run = async (ctx, [room, key, raw], flags) => {
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const value = raw === '-' ? await ctx.io.readStdin() : raw!;
  const expected = intFlag(flags, 'expect-version');
  const answer = await client.setVariable(room!, key!, {
    value,
    agent,
    ...(expected !== undefined && { expected_version: expected }),
  });
  const v = answer.variable;
  ctx.print(answer, () => `Set ${v.key} = ${JSON.stringify(oneLine(v.value))} (v${v.version}).\n`);
};

/** One value prints as is, for scripts; `*` lists them all. */
const get: Run = async (ctx, [room, key]) => {
  const { client } = ctx.forRoom(room!);
  if (key === '*') {
    const answer = await client.variables(room!);
    return ctx.print(answer, () =>
      answer.variables.length === 0
        ? `No variables in ${room}.\n`
        : renderVariables(answer.variables),
    );
  }
  const answer = await client.variable(room!, key!);
  ctx.print(answer, () => answer.variable.value.replace(/\n?$/, '\n'));
};

const del: Run = async (ctx, [room, key], flags) => {
  const { client, credential } = ctx.forRoom(room!);
  const agent = ctx.agentFor(room!, credential);
  const expected = intFlag(flags, 'expect-version');
  const answer = await client.deleteVariable(room!, key!, {
    agent,
    ...(expected !== undefined && { expected_version: expected }),
  });
  ctx.print(answer, () => `Deleted ${answer.deleted.key} (was v${answer.deleted.version}).\n`);
};

export const run = subcommands('var', {
  set: { min: 3, max: 3, options: ['expect-version'], load: async () => ({ run: set }) },
  get: { min: 2, max: 2, options: [], load: async () => ({ run: get }) },
  del: { min: 2, max: 2, options: ['expect-version'], load: async () => ({ run: del }) },
});
