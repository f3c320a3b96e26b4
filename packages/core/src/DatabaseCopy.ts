/**
 * `usher db copy`: moves an embedded directory into an empty database of the other engine (in
 * practice SQLite → PostgreSQL), every table as it is, then verifies the audit log on both sides.
 */
import { SqlClient } from "@effect/sql"
import { Data, Effect, Layer } from "effect"
import { chmodSync, copyFileSync, existsSync, mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { verifyAudit, type AuditVerification } from "./Audit.js"
import { as, CoreLive } from "./Core.js"
import { auditFiles, type CoreConfigShape } from "./CoreConfig.js"
import { describeLocation, type DatabaseLocation } from "./Database.js"
import type { HttpStatus } from "./Domain/HttpStatus.js"

/** The copy was refused before anything was written: the target holds a directory already, or source and target are one. */
export class DatabaseCopyRefused extends Data.TaggedError("DatabaseCopyRefused")<{ readonly target: string; readonly reason: string }> {
  static readonly httpStatus = 409 satisfies HttpStatus
  override get message() {
    return `Not copying into ${this.target}: ${this.reason}`
  }
}

/** The tables in an order that satisfies their foreign keys; a table not named here follows them. */
const ORDER = [
  "organizations", "users", "memberships", "apps", "roles", "user_groups", "group_members", "grants", "sessions",
  "audit_events", "audit_head", "settings", "sign_in_misses", "tokens", "invitations", "outbox", "approvals",
  "slack_links", "slack_deliveries", "ssh_keys"
]
/** The migrator's own bookkeeping, and SQLite's: each side keeps its own. */
const SKIP = new Set(["effect_sql_migrations", "sqlite_sequence"])
/** SQLite's search index (migration 0018) and its shadow tables: an engine's own index of `users`, rebuilt from it, not data. */
const isEngineIndex = (table: string) => table === "users_search" || table.startsWith("users_search_")
/** Columns one engine has for itself (PostgreSQL's `rowid` stands in for SQLite's implicit one). */
const ENGINE_COLUMNS = new Set(["rowid"])

const tablesOf = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({
    pg: () => sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    orElse: () => sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'`
  })).pipe(Effect.map((rows) => rows.map((r) => r.name).filter((n) => !SKIP.has(n) && !isEngineIndex(n))))

/** What a copy did: rows per table, and the audit verification of each side. */
export interface CopyReport {
  readonly from: string
  readonly to: string
  readonly rows: Readonly<Record<string, number>>
  readonly source: AuditVerification
  readonly target: AuditVerification
}

const CHUNK = 500

/**
 * Copies every table of `from` into `to`, which must be empty (migrated, no accounts and no
 * audit events; the rows migrations seed are replaced by the source's), in one transaction on
 * the target. The audit checkpoint file goes along when the target has none yet, so the copy
 * verifies against the same signatures. Both sides are verified afterwards.
 */
export const copyDatabase = (
  from: DatabaseLocation,
  to: DatabaseLocation,
  configs: { readonly from: CoreConfigShape; readonly to: CoreConfigShape }
) =>
  Effect.gen(function*() {
    const target = describeLocation(to)
    if (describeLocation(from) === target) return yield* Effect.fail(new DatabaseCopyRefused({ target, reason: "it is the source itself" }))
    const source = yield* Layer.build(Layer.fresh(CoreLive(from, configs.from)))
    const destination = yield* Layer.build(Layer.fresh(CoreLive(to, configs.to)))
    const onSource = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, source)
    const onTarget = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.provide(effect, destination)

    const occupied = yield* onTarget(Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql<{ users: number; events: number }>`SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM audit_events) AS events`)).pipe(Effect.orDie)
    if (Number(occupied[0]?.users ?? 0) > 0 || Number(occupied[0]?.events ?? 0) > 0) {
      return yield* Effect.fail(new DatabaseCopyRefused({
        target,
        reason: `it holds a directory already (${occupied[0]?.users ?? 0} accounts, ${occupied[0]?.events ?? 0} audit events); copy into an empty database`
      }))
    }
    const tables = yield* onSource(tablesOf).pipe(Effect.orDie)
    const ordered = [...ORDER.filter((t) => tables.includes(t)), ...tables.filter((t) => !ORDER.includes(t)).sort()]
    const rows: Record<string, number> = {}
    // read from one snapshot of the source first: inside the target's transaction every query
    // would run on the target's connection
    const data = yield* onSource(Effect.flatMap(SqlClient.SqlClient, (src) =>
      src.withTransaction(Effect.forEach(ordered, (table) => src.unsafe<Record<string, unknown>>(`SELECT * FROM "${table}"`))))).pipe(Effect.orDie)
    yield* onTarget(Effect.flatMap(SqlClient.SqlClient, (sql) =>
      sql.withTransaction(Effect.gen(function*() {
        // what the target's migrations seeded (built-in roles, settings) gives way to the source's rows
        for (const table of [...ordered].reverse()) yield* sql.unsafe(`DELETE FROM "${table}"`)
        for (const [n, table] of ordered.entries()) {
          const all = data[n]!
          rows[table] = all.length
          for (let i = 0; i < all.length; i += CHUNK) {
            const part = all.slice(i, i + CHUNK).map((row) =>
              Object.fromEntries(Object.entries(row).filter(([column]) => !ENGINE_COLUMNS.has(column))))
            yield* sql`INSERT INTO ${sql(table)} ${sql.insert(part)}`
          }
        }
      })))).pipe(Effect.orDie)

    // the signed checkpoints go along, and the key that signed them when the target has none yet
    // (0600, as the original): the copy then verifies against the same signatures and signs on
    const files = { from: auditFiles(configs.from), to: auditFiles(configs.to) }
    if (files.from !== null && files.to !== null) {
      const pairs = [[files.from.checkpoints, files.to.checkpoints], [files.from.keyFile, files.to.keyFile]] as const
      for (const [source, copy] of pairs) {
        if (source === copy || !existsSync(source) || existsSync(copy)) continue
        mkdirSync(dirname(copy), { recursive: true, mode: 0o700 })
        copyFileSync(source, copy)
        chmodSync(copy, 0o600)
      }
    }
    const system = as("system", "cli")
    return {
      from: describeLocation(from),
      to: target,
      rows,
      source: yield* onSource(verifyAudit.pipe(system)),
      target: yield* onTarget(verifyAudit.pipe(system))
    } satisfies CopyReport
  }).pipe(Effect.scoped)
