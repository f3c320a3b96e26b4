import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { loadSubject, now, requireReadable } from "../Actor.js"
import { auditVisibility } from "../Audit.js"
import type { AuditEvent } from "../Domain/Audit.js"
import { findUser } from "../internal/lookup.js"
import { limitOffset } from "../internal/sqlText.js"

/**
 * Where a user's access comes from, as a tree: user → source (direct, or a group) →
 * role@scope → permissions. `active` false means none of it counts now (DESIGN §2).
 */
export interface AccessTree {
  readonly user: string
  readonly status: string
  readonly active: boolean
  readonly sources: ReadonlyArray<{
    /** null for grants made to the user directly, else the group (`ORG/NAME`) that carries them */
    readonly group: string | null
    readonly grants: ReadonlyArray<{
      readonly role: string
      readonly scope: string
      readonly expiresAt: string | null
      /** the grant's time ran out: it no longer counts */
      readonly expired: boolean
      readonly permissions: ReadonlyArray<string>
    }>
  }>
  /** how many distinct permissions the user holds somewhere right now */
  readonly effectiveCount: number
}

/** A user's access with its provenance (needs `users.read` at provider or one of the user's organizations). */
export const accessTree = (ref: string) =>
  Effect.gen(function*() {
    const user = yield* findUser(ref)
    yield* requireReadable(user.id)
    const subject = yield* loadSubject(user.id)
    const at = (yield* now).getTime()
    const bySource = new Map<string | null, Array<AccessTree["sources"][number]["grants"][number]>>()
    for (const path of subject.paths) {
      const expired = path.expiresAt !== null && Date.parse(path.expiresAt) <= at
      const list = bySource.get(path.group) ?? []
      list.push({ role: path.role, scope: path.scope, expiresAt: path.expiresAt, expired, permissions: [...path.permissions].sort() })
      bySource.set(path.group, list)
    }
    const sources = [...bySource.entries()]
      .sort(([a], [b]) => a === null ? -1 : b === null ? 1 : a.localeCompare(b))
      .map(([group, grants]) => ({ group, grants: grants.sort((x, y) => `${x.role}@${x.scope}`.localeCompare(`${y.role}@${y.scope}`)) }))
    const held = new Set(sources.flatMap((s) => s.grants.filter((g) => !g.expired).flatMap((g) => g.permissions)))
    return {
      user: user.email,
      status: user.status,
      active: subject.active,
      sources,
      effectiveCount: subject.active ? held.size : 0
    } satisfies AccessTree
  })

/**
 * A cheap marker that changes whenever anyone commits to the directory: SQLite's
 * `data_version` (bumped by other connections' commits) with the audit head (this one's).
 * Front-ends poll it to refresh what they show; it reveals nothing, so it needs no permission.
 */
export const changeMarker = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // SQLite: data_version moves on other connections' commits. PostgreSQL has no such counter per
  // connection: the audit head moves with every audited change at once, and the server's write
  // counters of this schema's tables (flushed within a second) with the bookkeeping that writes no
  // audit row (mail sent, Slack messages synced) — a constant-cost read, however large the tables
  // one round trip: the check API reads it for every question it is asked
  const [row] = yield* sql.onDialectOrElse({
    pg: () => sql<{ dataVersion: string; seq: number | null }>`SELECT (SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0)::text
      FROM pg_stat_user_tables WHERE schemaname = current_schema()) AS data_version, (SELECT seq FROM audit_head WHERE id = 1) AS seq`,
    orElse: () => sql<{ dataVersion: string; seq: number | null }>`SELECT (SELECT data_version FROM pragma_data_version()) AS data_version,
      (SELECT seq FROM audit_head WHERE id = 1) AS seq`
  })
  return `${row?.dataVersion ?? 0}:${row?.seq ?? 0}`
}).pipe(Effect.orDie)

/** An audit event with the e-mails of its actor and target, for reading. */
export interface AuditLine extends AuditEvent {
  readonly actorEmail: string | null
  readonly targetEmail: string | null
}

/** What `auditPage` reads. */
export interface AuditPageQuery {
  /** words that must each occur in the action, the actor's or target's e-mail, the details or the reason */
  readonly filter?: string
  readonly limit?: number
  /** only events about or by this user (e-mail or id) */
  readonly user?: string
}

/**
 * The newest audit events, optionally filtered, newest first, with `listAudit`'s visibility: the
 * whole log with `audit.read` at provider, else the events recorded at the organizations where
 * the actor holds it; one user's events need it at provider or at one of its organizations, and
 * show only at the scopes the actor may audit.
 */
export const auditPage = (query: AuditPageQuery = {}) =>
  Effect.gen(function*() {
    const user = query.user === undefined ? undefined : yield* findUser(query.user)
    const sql = yield* SqlClient.SqlClient
    if (user !== undefined) yield* requireReadable(user.id, "audit.read")
    const visible = yield* auditVisibility
    const limit = Math.max(1, Math.min(query.limit ?? 200, 2000))
    const words = (query.filter ?? "").trim().toLowerCase().split(/\s+/).filter((w) => w !== "")
    const conditions = words.map((word) => {
      const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      return sql`(a.action LIKE ${like} ESCAPE '\\' OR ua.email LIKE ${like} ESCAPE '\\' OR ut.email LIKE ${like} ESCAPE '\\'
        OR lower(a.details) LIKE ${like} ESCAPE '\\' OR lower(a.reason) LIKE ${like} ESCAPE '\\' OR a.via = ${word})`
    })
    conditions.push(visible)
    if (user !== undefined) conditions.push(sql`(a.target = ${user.id} OR a.actor = ${user.id})`)
    const rows = yield* sql<Omit<AuditLine, "details" | "scopes"> & { readonly details: string; readonly scopes: string | null; readonly legacyScopes: string | null }>`
      SELECT a.*, ua.email AS actor_email, ut.email AS target_email
        FROM audit_events a LEFT JOIN users ua ON ua.id = a.actor LEFT JOIN users ut ON ut.id = a.target
       WHERE ${sql.and(conditions)} ORDER BY a.seq DESC ${limitOffset(sql, limit)}`.pipe(Effect.orDie)
    return rows.map(({ scopes, legacyScopes: _legacy, ...row }): AuditLine => ({
      ...row,
      seq: Number(row.seq),
      details: JSON.parse(row.details) as unknown,
      ...(scopes === null ? {} : { scopes: JSON.parse(scopes) as ReadonlyArray<string> })
    }))
  })
