import type { SqlClient, Statement } from "@effect/sql"
import { Effect } from "effect"
import { limitOffset } from "./sqlText.js"

/** A LIKE pattern for text anywhere, LIKE's own characters escaped (with `ESCAPE '\'`). */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/** Up to this many rows a condition's rows are listed first (then sorted); beyond, rows are tested as a page walks the name order. */
const FEW = 2000

/**
 * A condition on `users` rows with two ways to evaluate it: `few` lists, through an index, the
 * keys of the rows that meet it and `listed` is the condition on that list; `test` tests one row.
 * Listing is right when few rows meet it (a page then sorts them); testing is right when many do
 * (a page walking the name order fills at once), and either is a walk over a million rows when
 * chosen wrongly (a group of ten, an organization holding everyone) — hence a capped count of
 * `few` first. `listed` defaults to `rowid IN (few)`.
 */
export const selective = (sql: SqlClient.SqlClient, few: Statement.Fragment, test: Statement.Fragment, listed = sql`rowid IN (${few})`) =>
  Effect.gen(function*() {
    const [probe] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM (${few} ${limitOffset(sql, FEW + 1)}) AS probe`
    return Number(probe?.n ?? 0) <= FEW ? listed : test
  }).pipe(Effect.orDie)

/** An FTS5 string: the text in double quotes, its own doubled. */
const ftsString = (text: string) => `"${text.replace(/"/g, "\"\"")}"`

/**
 * "The row's search text (`users.search`, lower case) contains this", as a condition on `users`
 * rows. On SQLite, text of three characters or more is looked up in the trigram index of
 * migration 0018 when it is rare (the index's match rechecked with LIKE, so the answer is LIKE's
 * whichever way it is found) and tested row by row when it is common; shorter text is always
 * tested (trigrams cannot find it, and it is common). On PostgreSQL the planner takes the LIKE to
 * `pg_trgm`'s index itself.
 */
export const searchCondition = (sql: SqlClient.SqlClient, text: string) => {
  const like = sql`search LIKE ${containsPattern(text)} ESCAPE '\\'`
  return sql.onDialectOrElse({
    pg: () => Effect.succeed(like),
    orElse: () =>
      [...text].length < 3
        ? Effect.succeed(like)
        : selective(sql, sql`SELECT rowid FROM users_search WHERE users_search MATCH ${ftsString(text)} AND ${like}`, like)
  })
}

/**
 * "The account's status is this": on SQLite by its index when few accounts have it (a page
 * then sorts them), else tested as the page walks the name order (`+status`: not by the index).
 */
export const statusCondition = (sql: SqlClient.SqlClient, status: string) =>
  sql.onDialectOrElse({
    pg: () => Effect.succeed(sql`status = ${status}`),
    orElse: () => selective(sql, sql`SELECT rowid FROM users WHERE status = ${status}`, sql`+status = ${status}`)
  })
