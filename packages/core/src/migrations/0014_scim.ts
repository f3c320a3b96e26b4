import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * SCIM 2.0: the identity provider's own names for what it provisions. `scim_user_name` is the
 * `userName` an IdP sent when it differs from the e-mail (a user's `userName` is this, else the
 * e-mail), unique without regard to case as RFC 7643 compares it (SCIM's use cases also refuse a
 * `userName` that is another account's e-mail; the e-mail stays the CLI's own rule). The lookup an
 * IdP makes, `userName eq "…"`, reads the second index. `scim_external_id` keeps the IdP's
 * `externalId` for users and groups. Expression indexes and standard SQL, for every engine.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE users ADD COLUMN scim_user_name TEXT`
  yield* sql`ALTER TABLE users ADD COLUMN scim_external_id TEXT`
  yield* sql`CREATE UNIQUE INDEX users_scim_user_name ON users (lower(scim_user_name))`
  yield* sql`CREATE INDEX users_user_name ON users (lower(COALESCE(scim_user_name, email)))`
  // Entra looks users up by `externalId eq "…"`
  yield* sql`CREATE INDEX users_scim_external_id ON users (scim_external_id)`
  yield* sql`ALTER TABLE user_groups ADD COLUMN scim_external_id TEXT`
})
