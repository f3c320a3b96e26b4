import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The Slack bot's notices (`SlackNotices.ts`). `slack_notices` holds each notice core planned —
 * a direct message to one account, or a post to the approvals channel — under a key that says
 * what and to whom (`approval.decide:<request>:<user>`), so that it is planned, and sent, once
 * across every replica; `sent_at` is set when a replica takes it (and stays: an interrupted send
 * is not repeated), `outcome` says how it went. Marker rows (`kind` marker) say that a request's
 * deciders were planned for. `slack_feed` is how far the audit log has been read for notices
 * about events (a grant's expiry, a dormant account), starting at the head this migration found,
 * so history is not announced. `slack_homes` remembers who opened the app's Home tab and which
 * audit event their published tab reflects, so a change to their lists publishes it again. The
 * requests already pending count as announced. Plain columns and standard SQL, for every engine.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE slack_notices (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    recipient TEXT,
    details TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    outcome TEXT
  )`
  yield* sql`CREATE INDEX slack_notices_unsent ON slack_notices (created_at) WHERE sent_at IS NULL`
  yield* sql`CREATE INDEX slack_notices_created ON slack_notices (created_at)`
  yield* sql`CREATE TABLE slack_feed (
    name TEXT PRIMARY KEY,
    seq BIGINT NOT NULL
  )`
  yield* sql`INSERT INTO slack_feed (name, seq) SELECT 'notices', COALESCE(MAX(seq), 0) FROM audit_events`
  yield* sql`CREATE TABLE slack_homes (
    slack_user_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    opened_at TEXT NOT NULL,
    published_seq BIGINT NOT NULL,
    stale_seq BIGINT NOT NULL
  )`
  yield* sql`CREATE INDEX slack_homes_user ON slack_homes (user_id)`
  const at = new Date().toISOString()
  yield* sql`INSERT INTO slack_notices (key, kind, subject, recipient, details, created_at, sent_at, outcome)
    SELECT 'approval.announce:' || id, 'marker', id, NULL, '{}', ${at}, ${at}, 'before notices' FROM approvals WHERE status = 'pending'`
})
