import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * What `usher serve` keeps between requests and between its instances: rate-limit counters (one
 * row per limited key and window; the key is a hash, never an address or a token). Plain columns
 * and standard SQL, for every engine.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    hits INTEGER NOT NULL
  )`
  yield* sql`CREATE INDEX rate_limits_window ON rate_limits (window_start)`
})
