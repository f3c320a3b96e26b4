import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * An index for the users view's search, so that looking for a word costs what it finds rather
 * than a walk over every account. `users.search` holds the lower-case text a search matches
 * (names, e-mail, phone digits); a word is looked for anywhere in it.
 *
 * - SQLite: an FTS5 table with the trigram tokenizer over that column (external content: it
 *   stores only its index, the rows stay in `users`), kept by triggers. It answers `LIKE
 *   '%word%'` for words of three characters or more; shorter ones are read from `users`.
 * - PostgreSQL: `pg_trgm`'s GIN index on the column, used by the planner for the same `LIKE`.
 *   The extension is created in `public` when missing (it is a trusted extension: the database's
 *   owner may); where it cannot be, the migration goes on without the index and searches scan.
 */
export default Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql.onDialectOrElse({
    pg: () =>
      Effect.gen(function*() {
        const schemaOf = sql<{ schema: string }>`
          SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`
        // in a savepoint: another process creating it at the same moment, or no right to, must not end this migration
        if ((yield* schemaOf).length === 0) {
          yield* sql.withTransaction(sql`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`).pipe(Effect.ignore)
        }
        const [found] = yield* schemaOf
        if (found === undefined) return
        yield* sql`CREATE INDEX users_search_trgm ON users USING gin (search ${sql(found.schema)}.gin_trgm_ops)`
      }),
    orElse: () =>
      Effect.gen(function*() {
        yield* sql`CREATE VIRTUAL TABLE users_search USING fts5(search, content = 'users', content_rowid = 'rowid', tokenize = 'trigram')`
        yield* sql`CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
          INSERT INTO users_search (rowid, search) VALUES (new.rowid, new.search);
        END`
        yield* sql`CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
          INSERT INTO users_search (users_search, rowid, search) VALUES ('delete', old.rowid, old.search);
        END`
        yield* sql`CREATE TRIGGER users_search_update AFTER UPDATE OF search ON users BEGIN
          INSERT INTO users_search (users_search, rowid, search) VALUES ('delete', old.rowid, old.search);
          INSERT INTO users_search (rowid, search) VALUES (new.rowid, new.search);
        END`
        yield* sql`INSERT INTO users_search (users_search) VALUES ('rebuild')`
      })
  })
})
