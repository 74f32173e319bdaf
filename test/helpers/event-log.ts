// A room's event log read whole over REST, and the checks the crash and retry tests make on it:
// seqs dense, every acknowledged message present as it was acknowledged, no message twice.

import type { Message } from '../../src/core/types.js';

/** The idempotency key a test put first in a message's body ("<key> <rest>"). */
export const keyOf = (body: string): string => body.split(' ', 1)[0]!;

/** A random integer from `lo` to `hi`, both included. */
export const randomInt = (lo: number, hi: number): number =>
  lo + Math.floor(Math.random() * (hi - lo + 1));

export interface LoggedEvent {
  seq: number;
  id: string;
  type: string;
  body: { message?: Message; text?: string };
}

/** Every event of the room after `after`, page by page. */
export async function readLog(
  url: string,
  room: string,
  token: string,
  after = 0,
): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  for (;;) {
    const res = await fetch(`${url}/v1/rooms/${room}/events?after=${after}&limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`GET events: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as {
      events: LoggedEvent[];
      has_more: boolean;
      next_after: number;
    };
    events.push(...page.events);
    if (!page.has_more) return events;
    after = page.next_after;
  }
}

/** The messages of a log, in seq order. */
export function messagesOf(events: LoggedEvent[]): Message[] {
  return events.filter((e) => e.type === 'message').map((e) => e.body.message!);
}

/**
 * What is wrong with `events` (read after `after`): a seq that is not the one after the last, an
 * acknowledged message (with a seq past `after`) missing or changed, a key whose message appears
 * twice. `keyOf` reads the idempotency key a test put in a message body. Empty when all is well.
 */
export function auditLog(
  events: LoggedEvent[],
  options: {
    after?: number;
    acked?: Iterable<Message>;
    keyOf: (body: string) => string;
  },
): string[] {
  const after = options.after ?? 0;
  const problems: string[] = [];
  events.forEach((e, i) => {
    if (e.seq !== after + i + 1) problems.push(`seq ${e.seq} where ${after + i + 1} was due`);
  });
  const logged = new Map<string, Message>();
  const byKey = new Map<string, string>();
  for (const m of messagesOf(events)) {
    logged.set(m.id, m);
    const key = options.keyOf(m.body);
    const first = byKey.get(key);
    if (first !== undefined) problems.push(`key ${key} stored twice: ${first} and ${m.id}`);
    else byKey.set(key, m.id);
  }
  for (const a of options.acked ?? []) {
    if (a.seq <= after) continue;
    const m = logged.get(a.id);
    if (!m) problems.push(`acknowledged ${a.id} (seq ${a.seq}) is missing`);
    else if (m.seq !== a.seq || m.body !== a.body) problems.push(`acknowledged ${a.id} changed`);
  }
  // A broken run would list thousands; the first ones say enough.
  return problems.length > 20
    ? [...problems.slice(0, 20), `and ${problems.length - 20} more`]
    : problems;
}
