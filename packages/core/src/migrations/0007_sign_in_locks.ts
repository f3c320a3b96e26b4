import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Sign-in locks are temporary and grow: `locked_until` ends the current lock, `locks` counts the
 * locks of the current run of failures (the next one lasts twice as long). An account locked
 * before this migration stays locked for the first lock's length from now.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE users ADD COLUMN locked_until TEXT`
  yield* sql`ALTER TABLE users ADD COLUMN locks INTEGER NOT NULL DEFAULT 0`
  const until = new Date(Date.now() + 15 * 60_000).toISOString()
  yield* sql`UPDATE users SET locked_until = ${until}, locks = 1 WHERE locked_at IS NOT NULL`
})
