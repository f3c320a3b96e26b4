import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Accounts linked to an OpenID Connect provider: a person is found by the provider's issuer and
 * the subject it gives them, never by e-mail alone. One link per account and issuer; `email` is
 * what the provider last said, kept only to show it (usher's own e-mail does not follow it).
 * Plain columns and standard SQL, for every engine.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE identity_links (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    linked_at TEXT NOT NULL,
    last_used_at TEXT,
    PRIMARY KEY (issuer, subject)
  )`
  yield* sql`CREATE UNIQUE INDEX identity_links_user_issuer ON identity_links (user_id, issuer)`
})
