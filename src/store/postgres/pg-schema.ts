// The PostgreSQL schema, as numbered migrations. Times are milliseconds since the epoch (BIGINT),
// bodies and lists are JSON text exactly as the SQLite store keeps them, so a room moves between
// the two stores byte for byte.

export interface PgMigration {
  version: number;
  sql: string;
}

export const PG_MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE rooms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_seq BIGINT NOT NULL DEFAULT 0,
  checkpoint_text TEXT NOT NULL DEFAULT '',
  checkpoint_version BIGINT NOT NULL DEFAULT 0,
  checkpoint_member TEXT,
  checkpoint_label TEXT,
  checkpoint_at BIGINT
);
CREATE TABLE events (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  id TEXT NOT NULL,
  ts BIGINT NOT NULL,
  actor_member TEXT,
  actor_label TEXT,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (room_id, seq)
);
CREATE TABLE members (
  id TEXT PRIMARY KEY,
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'device',
  scopes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX members_room ON members(room_id);
CREATE TABLE tokens (
  digest TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL
);
CREATE INDEX tokens_member ON tokens(member_id);
CREATE TABLE pair_codes (
  digest TEXT PRIMARY KEY,
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  scopes TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  used_by TEXT
);
CREATE INDEX pair_codes_room ON pair_codes(room_id);
CREATE INDEX pair_codes_expiry ON pair_codes(expires_at);
CREATE TABLE idempotency (
  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  result TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (member_id, key)
);
CREATE INDEX idempotency_created ON idempotency(created_at);
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
  last_seen BIGINT NOT NULL,
  registered_at BIGINT NOT NULL,
  PRIMARY KEY (room_id, name)
);
CREATE INDEX agents_presence ON agents(status, last_seen);
CREATE TABLE messages (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  seq BIGINT NOT NULL,
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
  created_at BIGINT NOT NULL,
  PRIMARY KEY (room_id, id)
);
CREATE INDEX messages_duplicates ON messages(room_id, sender, digest, created_at);
CREATE TABLE receipts (
  room_id TEXT NOT NULL,
  agent TEXT NOT NULL,
  message_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  stored_at BIGINT NOT NULL,
  delivered_at BIGINT,
  injected_at BIGINT,
  read_at BIGINT,
  acked_at BIGINT,
  PRIMARY KEY (room_id, agent, message_id),
  FOREIGN KEY (room_id, message_id) REFERENCES messages(room_id, id) ON DELETE CASCADE
);
CREATE INDEX receipts_inbox ON receipts(room_id, agent, acked_at, seq);
CREATE INDEX receipts_message ON receipts(room_id, message_id);
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
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  closed_at BIGINT,
  PRIMARY KEY (room_id, id)
);
CREATE INDEX tasks_open ON tasks(room_id, closed_at);
CREATE TABLE variables (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT,
  version BIGINT NOT NULL,
  set_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (room_id, key)
);
CREATE TABLE leases (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  agent TEXT NOT NULL,
  paths TEXT NOT NULL,
  mode TEXT NOT NULL,
  reason TEXT NOT NULL,
  ttl_seconds INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (room_id, id)
);
CREATE INDEX leases_expiry ON leases(expires_at);
CREATE INDEX leases_agent ON leases(room_id, agent);
CREATE TABLE web_sessions (
  digest TEXT PRIMARY KEY,
  csrf_digest TEXT NOT NULL,
  person TEXT NOT NULL,
  local_owner INTEGER NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX web_sessions_seen ON web_sessions(last_seen_at);
CREATE TABLE web_session_rooms (
  session_digest TEXT NOT NULL REFERENCES web_sessions(digest) ON DELETE CASCADE,
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  member_id TEXT NOT NULL,
  token_digest TEXT NOT NULL,
  agent TEXT,
  via TEXT NOT NULL,
  PRIMARY KEY (session_digest, room_id)
);
CREATE INDEX web_session_rooms_room ON web_session_rooms(room_id);
CREATE TABLE approvals (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  agent TEXT NOT NULL,
  client TEXT NOT NULL,
  tool TEXT NOT NULL,
  input_preview TEXT NOT NULL,
  reason TEXT,
  status TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_member TEXT,
  decided_label TEXT,
  decided_agent TEXT,
  decision_reason TEXT,
  match_key TEXT,
  waiters INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (room_id, id)
);
CREATE INDEX approvals_room ON approvals(room_id, requested_at);
CREATE INDEX approvals_pending ON approvals(status, expires_at);
CREATE INDEX approvals_match ON approvals(room_id, agent, tool, match_key)
  WHERE status = 'pending' AND match_key IS NOT NULL;
CREATE TABLE hub_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE push_subscriptions (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  member_id TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
  endpoint TEXT NOT NULL,
  p256dh TEXT NOT NULL,
  auth TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (room_id, member_id, endpoint)
);
`,
  },
  {
    // Each hub's live stream connections bound to agents, so hubs sharing the database agree on
    // presence; a record that its hub stops renewing expires.
    version: 2,
    sql: `
CREATE TABLE agent_connections (
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  agent TEXT NOT NULL,
  connection_id TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX agent_connections_agent ON agent_connections(room_id, agent);
`,
  },
  {
    version: 3,
    sql: `
CREATE TABLE rate_limits (
  name TEXT NOT NULL,
  key TEXT NOT NULL,
  -- ms since the epoch, with fractions: a limit of a million a second moves it by 0.001.
  tat DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (name, key)
);
CREATE INDEX rate_limits_tat ON rate_limits(tat);
`,
  },
];
