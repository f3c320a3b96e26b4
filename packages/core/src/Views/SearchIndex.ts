import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import type { UserStatus } from "../Domain/User.js"
import { changeMarker } from "./Activity.js"

/**
 * The users view's text filter at its default (name) order, held in memory: every user's rowid,
 * status and search text in name order, read with one scan of the view's index and read again
 * whenever the directory has changed (`changeMarker`). A word that matches few users then costs
 * a scan of strings in memory (a few ms at 100k users) instead of a scan of the whole index in
 * SQLite for every keystroke (15–20 ms), and the number of matches comes with it.
 */
export interface SearchIndex {
  readonly marker: string
  readonly rowids: ReadonlyArray<number>
  readonly statuses: ReadonlyArray<UserStatus>
  readonly texts: ReadonlyArray<string>
}

const indexes = new WeakMap<SqlClient.SqlClient, SearchIndex>()

/** The index of this runtime's directory, as of now. */
export const searchIndex = Effect.gen(function*() {
  const client = yield* SqlClient.SqlClient
  const marker = yield* changeMarker
  const cached = indexes.get(client)
  if (cached?.marker === marker) return cached
  const sql = client.withoutTransforms()
  const rows = yield* sql<{ rowid: number; status: UserStatus; search: string }>`
    SELECT rowid, status, search FROM users WHERE status <> 'deleted' ORDER BY last_name, first_name, email`.pipe(Effect.orDie)
  const index: SearchIndex = {
    marker,
    rowids: rows.map((r) => r.rowid),
    statuses: rows.map((r) => r.status),
    texts: rows.map((r) => r.search)
  }
  indexes.set(client, index)
  return index
})

/** What a search returns: the rowids of one window, in order, and how many users match in all. */
export interface SearchWindow {
  readonly rowids: ReadonlyArray<number>
  readonly total: number
}

/**
 * The users matching every term (and the status, when given), in name order or its reverse:
 * the window `[offset, offset + limit)` and the count. Pure.
 */
export const searchWindow = (
  index: SearchIndex,
  query: { readonly terms: ReadonlyArray<string>; readonly status: UserStatus | undefined; readonly offset: number; readonly limit: number; readonly descending: boolean }
): SearchWindow => {
  const rowids: Array<number> = []
  const n = index.texts.length
  let total = 0
  for (let k = 0; k < n; k++) {
    const i = query.descending ? n - 1 - k : k
    if (query.status !== undefined && index.statuses[i] !== query.status) continue
    const text = index.texts[i]!
    if (!query.terms.every((term) => text.includes(term))) continue
    if (total >= query.offset && rowids.length < query.limit) rowids.push(index.rowids[i]!)
    total++
  }
  return { rowids, total }
}
