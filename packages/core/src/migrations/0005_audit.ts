import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Audit events say which scopes they concern (`scopes`: a JSON array of `provider` and
 * `org:<slug>`), so an organization's auditors read only their organization's events. Events
 * written before this migration keep `NULL` (and their hashes, which never covered it).
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE audit_events ADD COLUMN scopes TEXT`
})
