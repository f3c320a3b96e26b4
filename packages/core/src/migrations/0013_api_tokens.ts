import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * API tokens: a program acts as the token's owner, never more. Only the SHA-256 of the secret is
 * kept (`token_hash`); `only` limits a token to one surface (`check`, `scim`, `admin`; null: all),
 * `org_id` to one organization's scope. Revoked tokens stay, for the audit trail's sake.
 * Plain columns and standard SQL, for every engine.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    only_for TEXT,
    org_id TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT
  )`
  yield* sql`CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at)`
})
