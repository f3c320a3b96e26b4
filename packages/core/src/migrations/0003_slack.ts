import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The Slack bot's tables: explicit links from a Slack user id to a directory user (for people
 * whose Slack e-mail is not their directory e-mail), and the deliveries the bot has handled, so
 * a payload Slack delivers twice (to any replica) is acted on once.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE slack_links (
    slack_user_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    linked_by TEXT NOT NULL,
    linked_at TEXT NOT NULL
  )`
  yield* sql`CREATE INDEX slack_links_user ON slack_links (user_id)`
  yield* sql`CREATE TABLE slack_deliveries (
    key TEXT PRIMARY KEY,
    received_at TEXT NOT NULL
  )`
  yield* sql`CREATE INDEX slack_deliveries_received ON slack_deliveries (received_at)`
})
