import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * The users view pages by `rowid`, SQLite's implicit row number. PostgreSQL has none, so there
 * users get a column of that name (a sequence, unique), and the same queries run on both.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.onDialectOrElse({
    pg: () =>
      Effect.andThen(
        sql`ALTER TABLE users ADD COLUMN rowid BIGSERIAL`,
        sql`CREATE UNIQUE INDEX users_rowid ON users (rowid)`
      ),
    orElse: () => Effect.void
  })
})
