import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The policy runner (`Policies.ts`). `policy_lease` lets one replica at a time run a pass: a row
 * per lease name (`policies`), who holds it and until when. `dormancy_notices` remembers when an
 * account was last sent the dormant-account notice, so a pass sends it once per spell of
 * inactivity (a later sign-in starts a new spell). `invitations.expired_at` is when a pass
 * recorded an invitation's expiry (its audit row): the invitation still reads `expired` by its
 * date as before, and a resend clears it. `grants_expires` lets a pass find expired grants
 * without reading them all. Plain columns and standard SQL, for every engine.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE policy_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  )`
  yield* sql`CREATE TABLE dormancy_notices (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    notified_at TEXT NOT NULL,
    inactive_since TEXT NOT NULL
  )`
  yield* sql`ALTER TABLE invitations ADD COLUMN expired_at TEXT`
  yield* sql`CREATE INDEX grants_expires ON grants (expires_at)`
})
