// The SQLite schema, as numbered migrations applied in order, each in its own transaction.

export const SQLITE_MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE rooms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_seq INTEGER NOT NULL DEFAULT 0,
  checkpoint_text TEXT NOT NULL DEFAULT '',
  checkpoint_version INTEGER NOT NULL DEFAULT 0,
  checkpoint_member TEXT,
  checkpoint_label TEXT,
  checkpoint_at INTEGER
);
CREATE TABLE events (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  actor_member TEXT,
  actor_label TEXT,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (room_id, seq)
) WITHOUT ROWID;
CREATE TABLE members (
  id TEXT PRIMARY KEY,
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX members_room ON members(room_id);
CREATE TABLE tokens (
  digest TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
);
CREATE INDEX tokens_member ON tokens(member_id);
CREATE TABLE pair_codes (
  digest TEXT PRIMARY KEY,
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  scopes TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  used_by TEXT
);
CREATE INDEX pair_codes_room ON pair_codes(room_id);
CREATE INDEX pair_codes_expiry ON pair_codes(expires_at);
CREATE TABLE idempotency (
  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  result TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (member_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_created ON idempotency(created_at);
`,
  },
  {
    version: 2,
    sql: `
CREATE TABLE agents (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  client TEXT NOT NULL,
  model TEXT,
  host TEXT,
  cwd TEXT,
  mcp_servers TEXT NOT NULL,
  tags TEXT NOT NULL,
  status TEXT NOT NULL,
  last_seen INTEGER NOT NULL,
  registered_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, name)
) WITHOUT ROWID;
CREATE INDEX agents_presence ON agents(status, last_seen);
CREATE TABLE messages (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  sender TEXT NOT NULL,
  to_spec TEXT NOT NULL,
  recipients TEXT NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  thread TEXT NOT NULL,
  reply_to TEXT,
  refs TEXT NOT NULL,
  priority TEXT NOT NULL,
  depth INTEGER NOT NULL,
  digest TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, id)
) WITHOUT ROWID;
CREATE INDEX messages_duplicates ON messages(room_id, sender, digest, created_at);
CREATE INDEX messages_seq ON messages(room_id, seq);
CREATE TABLE receipts (
  room_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  stored_at INTEGER NOT NULL,
  delivered_at INTEGER,
  injected_at INTEGER,
  read_at INTEGER,
  acked_at INTEGER,
  PRIMARY KEY (room_id, agent, message_id),
  FOREIGN KEY (room_id, message_id) REFERENCES messages(room_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX receipts_inbox ON receipts(room_id, agent, acked_at, seq);
CREATE INDEX receipts_message ON receipts(room_id, message_id);
`,
  },
  {
    version: 3,
    sql: `
CREATE TABLE tasks (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  status TEXT NOT NULL,
  priority TEXT NOT NULL,
  assignee TEXT,
  depends_on TEXT NOT NULL,
  result TEXT,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  closed_at INTEGER,
  PRIMARY KEY (room_id, id)
) WITHOUT ROWID;
CREATE INDEX tasks_open ON tasks(room_id, closed_at);
CREATE TABLE variables (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT,
  version INTEGER NOT NULL,
  set_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, key)
) WITHOUT ROWID;
CREATE TABLE leases (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  agent TEXT NOT NULL,
  paths TEXT NOT NULL,
  mode TEXT NOT NULL,
  reason TEXT NOT NULL,
  ttl_seconds INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, id)
) WITHOUT ROWID;
CREATE INDEX leases_expiry ON leases(expires_at);
CREATE INDEX leases_agent ON leases(room_id, agent);
`,
  },
  {
    version: 4,
    sql: `
ALTER TABLE members ADD COLUMN kind TEXT NOT NULL DEFAULT 'device';
`,
  },
  {
    version: 5,
    sql: `
CREATE TABLE web_sessions (
  digest TEXT PRIMARY KEY,
  csrf_digest TEXT NOT NULL,
  person TEXT NOT NULL,
  local_owner INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE web_session_rooms (
  session_digest TEXT NOT NULL REFERENCES web_sessions(digest) ON DELETE CASCADE,
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  member_id TEXT NOT NULL,
  token_digest TEXT NOT NULL,
  agent TEXT,
  via TEXT NOT NULL,
  PRIMARY KEY (session_digest, room_id)
) WITHOUT ROWID;
CREATE INDEX web_session_rooms_room ON web_session_rooms(room_id);
`,
  },
  {
    version: 6,
    sql: `
CREATE TABLE approvals (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  agent TEXT NOT NULL,
  client TEXT NOT NULL,
  tool TEXT NOT NULL,
  input_preview TEXT NOT NULL,
  reason TEXT,
  status TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  decided_at INTEGER,
  decided_member TEXT,
  decided_label TEXT,
  decided_agent TEXT,
  decision_reason TEXT,
  PRIMARY KEY (room_id, id)
) WITHOUT ROWID;
CREATE INDEX approvals_room ON approvals(room_id, requested_at);
CREATE INDEX approvals_pending ON approvals(status, expires_at);
`,
  },
  {
    version: 7,
    sql: `
CREATE TABLE hub_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE push_subscriptions (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  endpoint TEXT NOT NULL,
  p256dh TEXT NOT NULL,
  auth TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, member_id, endpoint)
) WITHOUT ROWID;
`,
  },
  {
    // One approval for one prompt asked about twice (hook and channel relay): the key they share,
    // and how many of them still wait.
    version: 8,
    sql: `
ALTER TABLE approvals ADD COLUMN match_key TEXT;
ALTER TABLE approvals ADD COLUMN waiters INTEGER NOT NULL DEFAULT 1;
CREATE INDEX approvals_match ON approvals(room_id, agent, tool, match_key)
  WHERE status = 'pending' AND match_key IS NOT NULL;
`,
  },
  {
    version: 9,
    sql: `
ALTER TABLE web_sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
UPDATE web_sessions SET last_seen_at = created_at;
CREATE INDEX web_sessions_seen ON web_sessions(last_seen_at);
`,
  },
  {
    // A replayed send rebuilds its message from its event, which carries it: the index that
    // found the message by seq cost a page on every message's commit and served nothing else.
    version: 10,
    sql: `
DROP INDEX messages_seq;
`,
  },
  {
    // Each hub's live stream connections bound to agents, so hubs sharing the file agree on
    // presence; a record that its hub stops renewing expires.
    version: 11,
    sql: `
CREATE TABLE agent_connections (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  agent TEXT NOT NULL,
  connection_id TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX agent_connections_agent ON agent_connections(room_id, agent);
`,
  },
  {
    version: 12,
    sql: `
CREATE TABLE rate_limits (
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  -- ms since the epoch, with fractions: a limit of a million a second moves it by 0.001.
  tat REAL NOT NULL,
  PRIMARY KEY (name, key)
) WITHOUT ROWID;
CREATE INDEX rate_limits_tat ON rate_limits(tat);
`,
  },
];
