// What the MCP tools need from the hub, for one agent in one room. The stdio bridge implements it
// over HubClient; the hub's own /mcp endpoint can implement it over the Hub.

import type { HistoryResponse, ReadResponse, SendRequest } from '../client/hub-client.js';
import type { Agent, Checkpoint, InboxItem, Message, RoomEvent } from '../core/types.js';

export interface AgentSession {
  readonly room: string;
  readonly agent: string;
  read(limit: number): Promise<ReadResponse>;
  history(after: number, limit: number): Promise<HistoryResponse>;
  writeNote(text: string): Promise<{ event: RoomEvent }>;
  setCheckpoint(
    text: string,
    expectedVersion?: number,
  ): Promise<{ checkpoint: Checkpoint; event: RoomEvent }>;
  send(request: SendRequest): Promise<{ message: Message }>;
  reply(messageId: string, body: string, kind?: string): Promise<{ message: Message }>;
  peekInbox(all: boolean): Promise<{ messages: InboxItem[] }>;
  readInbox(ids?: string[]): Promise<{ messages: InboxItem[] }>;
  ack(ids: string[] | 'all'): Promise<{ acked: string[] }>;
  agents(): Promise<{ agents: Agent[] }>;
}
