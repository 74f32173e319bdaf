// What a Web Push notification says, for each thing that needs a person: an agent waiting, an
// approval requested, a message to the person. Plain text; the URL opens the cockpit at the thing.

import type { Message } from '../types.js';

export const PUSH_KINDS = ['waiting', 'approval', 'message'] as const;
export type PushKind = (typeof PUSH_KINDS)[number];

/** The JSON a browser's service worker receives (encrypted on the way). */
export interface PushNotification {
  title: string;
  /** At most PUSH_BODY_MAX_CHARS characters. */
  body: string;
  /** Relative to the hub: the cockpit's hash route of the thing. */
  url: string;
  /** Notifications with the same tag replace each other on the device. */
  tag: string;
  room: string;
  kind: PushKind;
}

export const PUSH_TITLE_MAX_CHARS = 80;
export const PUSH_BODY_MAX_CHARS = 200;

/** One line, cut at `max` characters (whole code points) with an ellipsis when longer. */
export function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = [...line];
  return chars.length <= max ? line : chars.slice(0, max - 1).join('') + '…';
}

const roomPath = (room: string) => `/#/rooms/${encodeURIComponent(room)}`;

function notification(n: PushNotification): PushNotification {
  return {
    ...n,
    title: clip(n.title, PUSH_TITLE_MAX_CHARS),
    body: clip(n.body, PUSH_BODY_MAX_CHARS),
  };
}

export function waitingNotification(room: string, agent: string): PushNotification {
  return notification({
    title: `${agent} is waiting for you`,
    body: `In room ${room}, ${agent} is waiting for a person's input.`,
    url: roomPath(room),
    tag: `waiting:${room}:${agent}`,
    room,
    kind: 'waiting',
  });
}

export function approvalNotification(
  room: string,
  /** `detail`: the request's reason, else a preview of what the tool would run. */
  request: { id: string; agent: string; tool: string; detail: string | null },
): PushNotification {
  return notification({
    title: `${request.agent} asks to use ${request.tool}`,
    body: request.detail
      ? `${request.detail} (room ${room})`
      : `In room ${room}, ${request.agent} waits for your allow or deny.`,
    url: `${roomPath(room)}/approvals/${encodeURIComponent(request.id)}`,
    tag: `approval:${room}:${request.id}`,
    room,
    kind: 'approval',
  });
}

export function messageNotification(room: string, message: Message): PushNotification {
  const urgent = message.priority === 'urgent' ? 'Urgent: ' : '';
  return notification({
    title: `${urgent}${message.from} (${message.kind}) in ${room}`,
    body: message.body,
    url: `${roomPath(room)}/messages/${encodeURIComponent(message.id)}`,
    tag: `message:${room}:${message.id}`,
    room,
    kind: 'message',
  });
}
