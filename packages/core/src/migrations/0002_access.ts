import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { builtInRoles } from "../Domain/Permissions.js"

/**
 * Invitations and reset tokens, the mail outbox, sign-in lockout and session tokens, approval
 * requests (four-eyes), and the built-in roles brought up to the current catalog.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0`
  yield* sql`ALTER TABLE users ADD COLUMN locked_at TEXT`
  yield* sql`ALTER TABLE users ADD COLUMN password_changed_at TEXT`
  yield* sql`ALTER TABLE sessions ADD COLUMN token_hash TEXT`
  yield* sql`CREATE UNIQUE INDEX sessions_token ON sessions (token_hash)`
  yield* sql`CREATE TABLE sign_in_misses (
    email TEXT PRIMARY KEY,
    misses INTEGER NOT NULL,
    last_at TEXT NOT NULL
  )`
  yield* sql`CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    superseded_at TEXT
  )`
  yield* sql`CREATE INDEX tokens_user ON tokens (user_id, purpose)`
  yield* sql`CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    invited_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted')),
    delivery TEXT NOT NULL CHECK (delivery IN ('email', 'link')),
    token_id TEXT,
    expires_at TEXT NOT NULL,
    sent_count INTEGER NOT NULL DEFAULT 1,
    last_sent_at TEXT NOT NULL,
    accepted_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
  )`
  yield* sql`CREATE INDEX invitations_status ON invitations (status, expires_at)`
  yield* sql`CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    user_id TEXT,
    to_address TEXT NOT NULL,
    from_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    transport TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_until TEXT,
    sent_at TEXT,
    file TEXT,
    message_id TEXT,
    error TEXT
  )`
  yield* sql`CREATE INDEX outbox_status ON outbox (status, created_at)`
  yield* sql`CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    action TEXT NOT NULL,
    payload TEXT NOT NULL,
    summary TEXT NOT NULL,
    scopes TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_via TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'executed', 'denied', 'expired', 'canceled', 'failed')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    decided_by TEXT,
    decided_via TEXT,
    decided_at TEXT,
    note TEXT,
    result TEXT,
    error TEXT,
    slack_channel TEXT,
    slack_ts TEXT,
    slack_synced_version INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1
  )`
  yield* sql`CREATE INDEX approvals_status ON approvals (status, created_at)`
  for (const role of builtInRoles) {
    yield* sql`UPDATE roles SET permissions = ${JSON.stringify(role.permissions)}, description = ${role.description}
                WHERE name = ${role.name} AND built_in = 1`
  }
})
