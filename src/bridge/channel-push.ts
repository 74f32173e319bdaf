// Claude Code channels: the bridge pushes each new message to its agent into the running session
// as a `notifications/claude/channel` notification. It takes each message from the hub's injection
// ledger first, so a message a hook already showed is not pushed, and one pushed is not shown by a
// hook again.

import type { HubClient } from '../client/hub-client.js';
import { frameMessage } from '../core/messaging/framing.js';
import type { Message, RoomEvent } from '../core/types.js';

/** The notification a channel server sends (it declares `CHANNEL_CAPABILITY` of mcp-server). */
export const CHANNEL_METHOD = 'notifications/claude/channel';

export interface ChannelNotification {
  /** The framed message, angle brackets escaped: Claude Code shows it inside a <channel> tag. */
  content: string;
  /** Strings only, keys of letters, digits and underscores. */
  meta: { room: string; sender: string; kind: string; message_id: string };
}

export interface ChannelPush {
  /** Hands every event of the agent's room stream to the channel; it keeps messages to `agent`. */
  onEvent(event: RoomEvent): void;
  /** Resolves once every message seen so far is pushed (or failed). */
  idle(): Promise<void>;
}

export function createChannelPush(
  client: Pick<HubClient, 'injected'>,
  room: string,
  agent: string,
  notify: (n: ChannelNotification) => Promise<void>,
  onError: (err: unknown) => void = () => {},
): ChannelPush {
  let chain = Promise.resolve();
  return {
    onEvent(event) {
      if (event.type !== 'message') return;
      const m = event.body.message as Message;
      if (m.from === agent || !m.recipients.includes(agent)) return;
      chain = chain.then(async () => {
        try {
          const { injected } = await client.injected(room, agent, [m.id]);
          if (!injected.includes(m.id)) return; // a hook showed it already
          await notify({
            content: frameMessage(m),
            meta: { room: m.room, sender: m.from, kind: m.kind, message_id: m.id },
          });
        } catch (err) {
          try {
            onError(err);
          } catch {
            // a failing error handler must not stop later pushes
          }
        }
      });
    },
    idle: () => chain,
  };
}
