// huddle receipts: how far a message got with each recipient, step by step.

import type { Run } from '../registry.js';
import { table } from '../render.js';

const time = (iso: string | null) => (iso ? iso.slice(11, 23) : '-');

export const run: Run = async (ctx, [room, id]) => {
  const { client } = ctx.forRoom(room!);
  const result = await client.receipts(room!, id!);
  ctx.print(result, () =>
    table([
      ['AGENT', 'STORED', 'DELIVERED', 'INJECTED', 'READ', 'ACKED'],
      ...result.receipts.map((r) => [
        r.agent,
        time(r.stored_at),
        time(r.delivered_at),
        time(r.injected_at),
        time(r.read_at),
        time(r.acked_at),
      ]),
    ]),
  );
};
