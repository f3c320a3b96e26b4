import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * When a user or a group last changed, for SCIM's `meta.lastModified`. `users.updated_at` is
 * written with every version bump of the row (`writeUser`); `user_groups.updated_at` when a
 * group is renamed or its members change, which also moves the group's version (its ETag), since
 * the members are part of the resource an identity provider reads. NULL until the first change:
 * readers fall back to `created_at`. Plain columns, for every engine.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE users ADD COLUMN updated_at TEXT`
  yield* sql`ALTER TABLE user_groups ADD COLUMN updated_at TEXT`
})
