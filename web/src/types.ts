// The records the cockpit reads and the answers it gets: the hub's own types.

export type {
  Agent,
  Approval,
  Checkpoint,
  CodeRef,
  InboxItem,
  Lease,
  Member,
  Message,
  Receipt,
  Room,
  RoomEvent,
  Task,
  Variable,
} from '../../src/core/types.js';

export type {
  HistoryResponse,
  PairCodeResponse,
  ReadResponse,
  SendRequest,
  WebSessionView as Session,
} from '../../src/core/api-types.js';
