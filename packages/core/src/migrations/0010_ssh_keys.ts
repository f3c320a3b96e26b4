import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Admins' SSH public keys, for `usher ssh-serve`: a key is found by its fingerprint (SHA-256 of
 * its blob, as `ssh-keygen -lf` prints it) and acts as its user while that user is active. A
 * read-only key opens the dashboard read-only. Plain columns and standard SQL, for every engine.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE ssh_keys (
    fingerprint TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    key_type TEXT NOT NULL,
    key_blob TEXT NOT NULL,
    comment TEXT NOT NULL,
    readonly INTEGER NOT NULL DEFAULT 0,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    last_used_at TEXT
  )`
  yield* sql`CREATE INDEX ssh_keys_user ON ssh_keys (user_id)`
})
