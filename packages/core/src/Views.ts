import { SqlClient, type Statement } from "@effect/sql"
import { Effect, Either } from "effect"
import { readableOrgs, requireAt } from "./Actor.js"
import * as Scope from "./Domain/Scope.js"
import type { User } from "./Domain/User.js"
import { findGroup, findOrg, findRole, toUser, USER_COLUMNS, type UserRow } from "./internal/lookup.js"
import { changeMarker } from "./Views/Activity.js"
import { parseUserFilter, type UserFilter } from "./Views/UserFilter.js"
import { searchCondition, selective, statusCondition } from "./internal/search.js"
import { limitOffset } from "./internal/sqlText.js"

export { filterKeys, formatUserFilter, parseUserFilter, withStatus, type FilterKey, type UserFilter } from "./Views/UserFilter.js"
export { accessTree, auditPage, changeMarker, type AccessTree, type AuditLine, type AuditPageQuery } from "./Views/Activity.js"

/** The columns the users view sorts by. */
export const userSortColumns = ["name", "email", "phone", "status", "registered", "lastActive"] as const
export type UserSortColumn = typeof userSortColumns[number]

/** How the users view is sorted. */
export interface UserSort {
  readonly column: UserSortColumn
  readonly descending?: boolean
}

/** What `userPage` reads: a filter (text, as typed), a sort, a window. */
export interface UserPageQuery {
  /** filter text: search words and `status:`, `org:`, `group:`, `role:` tokens */
  readonly filter?: string
  readonly sort?: UserSort
  readonly offset?: number
  readonly limit?: number
  /**
   * count the matching users (default true). With false, `total` is only given when the window
   * shows it for free (it ends the list); `userCount` counts separately.
   */
  readonly withTotal?: boolean
}

/** A user as a row of the users view: the account and the names of the roles it holds (directly or through groups). */
export interface UserListRow extends User {
  readonly roles: ReadonlyArray<string>
}

/** One window of the users view. */
export interface UserPage {
  readonly offset: number
  readonly rows: ReadonlyArray<UserListRow>
  /** how many users match; null when not asked for and not evident from the window */
  readonly total: number | null
  readonly filter: UserFilter
}

/**
 * ORDER BY of each column; the default (name) is the key order of the users view's index
 * (migration 0004, all five of its columns, so that a page read from the end is the exact
 * reverse of one read from the start), the others sort.
 */
const ORDER: Record<UserSortColumn, ReadonlyArray<string>> = {
  name: ["last_name", "first_name", "email", "status", "search"],
  email: ["email"],
  phone: ["phone", "email"],
  status: ["status", "last_name", "first_name", "email"],
  registered: ["registered_at", "email"],
  lastActive: ["last_active_at", "email"]
}

const orderBy = (sort: UserSort | undefined) =>
  ORDER[sort?.column ?? "name"].map((c) => `${c}${sort?.descending === true ? " DESC" : ""}`).join(", ")

/** A set of users a filter token stands for: as a list of ids, and as a test of one `users` row. */
interface MemberSet {
  readonly ids: Statement.Fragment
  readonly holds: Statement.Fragment
}

/** The condition for a set: listed by id when small, else tested row by row with a correlated EXISTS (see `selective`). */
const conditionFor = (set: MemberSet) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => selective(sql, set.ids, sql`EXISTS (${set.holds})`, sql`id IN (${set.ids})`))

/** The WHERE conditions of a filter, on `users` rows, with the actor's visibility applied. */
const conditionsOf = (filter: UserFilter) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const visible = yield* readableOrgs
    const org = filter.org === undefined ? undefined : yield* findOrg(filter.org)
    if (org !== undefined && visible !== "everywhere") yield* requireAt("users.read", Scope.org(org.slug))
    const group = filter.group === undefined ? undefined : yield* findGroup(filter.group, filter.org)
    const role = filter.role === undefined ? undefined : yield* findRole(filter.role)
    const sets: Array<MemberSet> = []
    if (org !== undefined) {
      sets.push({
        ids: sql`SELECT user_id FROM memberships WHERE org_id = ${org.id}`,
        holds: sql`SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = ${org.id}`
      })
    }
    if (group !== undefined) {
      sets.push({
        ids: sql`SELECT user_id FROM group_members WHERE group_id = ${group.id}`,
        holds: sql`SELECT 1 FROM group_members m WHERE m.user_id = users.id AND m.group_id = ${group.id}`
      })
    }
    if (role !== undefined) {
      sets.push({
        ids: sql`SELECT principal_id AS user_id FROM grants WHERE principal_type = 'user' AND role_id = ${role.id}
          UNION SELECT m.user_id FROM grants g JOIN group_members m ON m.group_id = g.principal_id
           WHERE g.principal_type = 'group' AND g.role_id = ${role.id}`,
        holds: sql`SELECT 1 FROM grants g WHERE g.principal_type = 'user' AND g.principal_id = users.id AND g.role_id = ${role.id}
          UNION ALL SELECT 1 FROM group_members m JOIN grants g ON g.principal_type = 'group' AND g.principal_id = m.group_id
           WHERE m.user_id = users.id AND g.role_id = ${role.id}`
      })
    }
    if (visible !== "everywhere") {
      sets.push({
        ids: sql`SELECT user_id FROM memberships WHERE ${sql.in("org_id", visible)}`,
        holds: sql`SELECT 1 FROM memberships m WHERE m.user_id = users.id AND ${sql.in("m.org_id", visible)}`
      })
    }
    return [
      filter.status === undefined ? sql`status <> 'deleted'` : yield* statusCondition(sql, filter.status),
      ...(yield* Effect.forEach(filter.terms, (term) => searchCondition(sql, term))),
      ...(yield* Effect.forEach(sets, conditionFor))
    ]
  })

/** The distinct role names each user holds, directly or through a group. */
const rolesOf = (userIds: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const out = new Map<string, Array<string>>()
    if (userIds.length === 0) return out
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ userId: string; role: string }>`
      SELECT g.principal_id AS user_id, r.name AS role FROM grants g JOIN roles r ON r.id = g.role_id
       WHERE g.principal_type = 'user' AND ${sql.in("g.principal_id", userIds)}
      UNION
      SELECT m.user_id, r.name FROM group_members m
        JOIN grants g ON g.principal_type = 'group' AND g.principal_id = m.group_id JOIN roles r ON r.id = g.role_id
       WHERE ${sql.in("m.user_id", userIds)}
       ORDER BY 1, 2`.pipe(Effect.orDie)
    for (const row of rows) {
      const list = out.get(row.userId)
      if (list === undefined) out.set(row.userId, [row.role])
      else list.push(row.role)
    }
    return out
  })

/** Users as rows of the view: each with the roles it holds. */
const listRows = (users: ReadonlyArray<User>) =>
  Effect.map(rolesOf(users.map((u) => u.id)), (roles) => users.map((u): UserListRow => ({ ...u, roles: roles.get(u.id) ?? [] })))

/** Beyond this offset a window of the name order near the end is read from the end, backwards. */
const FAR = 5_000

/**
 * How many users match, remembered per database and filter while the change marker stays
 * (every change to who is listed moves it): a page far down the list asks for it to read from
 * the nearer end, and the view asks for it with every page.
 */
/**
 * On SQLite, the count of a filter of words alone from the trigram index, without reading the
 * accounts: for words of three or more ASCII characters (where the index's case folding is
 * LIKE's), an actor who may read everyone, and no other token. Deleted accounts need no test:
 * their search text is erased, so no word matches them. Otherwise undefined (count the rows).
 */
const indexCount = (filter: UserFilter) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const words = filter.terms.length > 0 && filter.status === undefined && filter.org === undefined && filter.group === undefined &&
      filter.role === undefined && filter.terms.every((t) => /^[\x20-\x7e]{3,}$/.test(t))
    if (!words || (yield* readableOrgs) !== "everywhere") return undefined
    const query = filter.terms.map((t) => `"${t.replace(/"/g, "\"\"")}"`).join(" AND ")
    return sql.onDialectOrElse({
      pg: () => undefined,
      orElse: () => sql<{ n: number }>`SELECT COUNT(*) AS n FROM users_search WHERE users_search MATCH ${query}`
    })
  })

const counts = new WeakMap<SqlClient.SqlClient, { marker: string; byWhere: Map<string, number> }>()
const countWhere = (where: Statement.Fragment, filter?: UserFilter) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const marker = yield* changeMarker
    let known = counts.get(sql)
    if (known?.marker !== marker) counts.set(sql, known = { marker, byWhere: new Map() })
    const [text, params] = sql`${where}`.compile()
    const key = `${text}\n${JSON.stringify(params)}`
    const cached = known.byWhere.get(key)
    if (cached !== undefined) return cached
    const fromIndex = filter === undefined ? undefined : yield* indexCount(filter)
    const [row] = yield* (fromIndex ?? sql<{ n: number }>`SELECT COUNT(*) AS n FROM users WHERE ${where}`).pipe(Effect.orDie)
    const n = Number(row?.n ?? 0)
    if (known.byWhere.size > 200) known.byWhere.clear()
    known.byWhere.set(key, n)
    return n
  })

/**
 * One window of the users view, fast at a million users: the filter (see `parseUserFilter`;
 * its words through the search index of migration 0018), a sort by any column, and the number
 * of matching users. A window far down the name order is read from the end when that is nearer
 * (`G`, paging back from it), so its cost is its distance from the nearer end. Visibility is
 * `listUsers`'s: everyone with `users.read` at provider, otherwise the members of the
 * organizations where the actor holds it.
 */
export const userPage = (query: UserPageQuery = {}) =>
  Effect.gen(function*() {
    const filter = yield* Either.match(parseUserFilter(query.filter ?? ""), { onLeft: Effect.fail, onRight: Effect.succeed })
    const sql = yield* SqlClient.SqlClient
    const offset = Math.max(0, Math.floor(query.offset ?? 0))
    const limit = Math.max(1, Math.min(Math.floor(query.limit ?? 100), 1000))
    const conditions = yield* conditionsOf(filter)
    const where = sql.and(conditions)
    const descending = query.sort?.descending === true
    const window = (sort: UserSort | undefined, from: number, count: number) => {
      const order = orderBy(sort)
      return sql<UserRow>`SELECT ${sql.literal(USER_COLUMNS)} FROM users
        WHERE rowid IN (SELECT rowid FROM users WHERE ${where} ORDER BY ${sql.literal(order)} ${limitOffset(sql, count, from)})
        ORDER BY ${sql.literal(order)}`.pipe(Effect.orDie)
    }
    if ((query.sort?.column ?? "name") === "name" && offset > FAR) {
      const total = yield* countWhere(where, filter)
      const count = Math.max(0, Math.min(limit, total - offset))
      const after = total - offset - count
      if (after < offset) {
        const backwards = count === 0 ? [] : yield* window({ column: "name", descending: !descending }, after, count)
        const rows = yield* listRows([...backwards].reverse().map(toUser))
        return { offset, rows, total, filter } satisfies UserPage
      }
    }
    const rows = yield* listRows((yield* window(query.sort, offset, limit)).map(toUser))
    // a window that is not full and not empty ends the list: its end is the count, no scan needed
    const total = rows.length < limit && (rows.length > 0 || offset === 0)
      ? offset + rows.length
      : query.withTotal === false
      ? null
      : yield* countWhere(where, filter)
    return { offset, rows, total, filter } satisfies UserPage
  })

/** How many users match a filter of the users view (same visibility as `userPage`). */
export const userCount = (filter: string) =>
  Effect.gen(function*() {
    const parsed = yield* Either.match(parseUserFilter(filter), { onLeft: Effect.fail, onRight: Effect.succeed })
    const sql = yield* SqlClient.SqlClient
    return yield* countWhere(sql.and(yield* conditionsOf(parsed)), parsed)
  })
