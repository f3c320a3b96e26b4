import { SqlClient, SqlError } from "@effect/sql"
import { Effect, FiberRef, Option, Schedule } from "effect"
import { rmSync } from "node:fs"
import { AuditCheckpointer } from "../Audit/Checkpointer.js"
import { Database, DatabaseUnavailable, describeLocation } from "../Database.js"

const codeOf = (error: unknown): unknown => (error as { cause?: { code?: unknown } } | undefined)?.cause?.code

/** Another writer held the engine up: SQLite's busy codes, PostgreSQL's serialization failure and deadlock. */
const isBusy = (error: SqlError.SqlError): boolean => {
  const code = codeOf(error)
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED" || code === "40001" || code === "40P01"
}

/**
 * Write transactions run one at a time on both engines, as on SQLite (`BEGIN IMMEDIATE`): on
 * PostgreSQL (READ COMMITTED) every write transaction first takes one advisory transaction lock.
 * Every use case appends to the one audit chain, so writers would queue on its head anyway; taking
 * the lock first makes each use case's reads and checks see the state its writes build on (last
 * provider admin, one execution per approval, one pending request per target, a linear chain).
 * Savepoints take it again, which PostgreSQL grants at once to the same transaction.
 */
/** The PostgreSQL channel every committed write transaction notifies, with its schema as the payload. */
export const CHANGES_CHANNEL = "usher_changes"

// one lock per schema: directories kept in several schemas of one database do not wait on each other
const serializeWriters = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql.onDialectOrElse({
    // and tells every listening process of the change once it commits (a rolled-back one says nothing)
    pg: () => Effect.asVoid(sql`SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':usher-writers')), pg_notify(${CHANGES_CHANNEL}, current_schema())`),
    orElse: () => Effect.void
  }))

/**
 * When `BEGIN IMMEDIATE` itself gives up (busy past the timeout), @effect/sql still issues a
 * ROLLBACK, which fails because no transaction began, and that failure surfaces as a defect that
 * hides the busy error. It means the transaction never started: safe to retry.
 */
const isFailedBegin = (defect: unknown): boolean =>
  defect instanceof SqlError.SqlError &&
  String((defect.cause as { message?: unknown } | undefined)?.message ?? "").includes("no transaction is active")

/**
 * Files to remove once the running transaction has committed (a deletion's `.eml` mails): a
 * file removed inside the transaction would be gone even when the transaction rolls back.
 */
const afterCommit: FiberRef.FiberRef<Array<string> | null> = FiberRef.unsafeMake<Array<string> | null>(null)

/** Removes the file once the caller's transaction commits (at once outside a transaction). */
export const removeAfterCommit = (file: string) =>
  Effect.flatMap(FiberRef.get(afterCommit), (files) =>
    Effect.sync(() => {
      if (files === null) rmSync(file, { force: true })
      else files.push(file)
    }))

/**
 * Runs the effect with its own list of files to remove, handed to the enclosing list only when
 * it succeeds: a savepoint that rolls back keeps the files its work meant to remove.
 */
export const collectingRemovals = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const outer = yield* FiberRef.get(afterCommit)
    const files: Array<string> = []
    const result = yield* Effect.locally(effect, afterCommit, files)
    if (outer !== null) outer.push(...files)
    else for (const file of files) rmSync(file, { force: true })
    return result
  })

/** After a top-level commit (not a savepoint's): the audit head is signed when a checkpoint is due. */
const checkpointAfterCommit = Effect.flatMap(Effect.serviceOption(SqlClient.TransactionConnection), (outer) =>
  Option.isSome(outer)
    ? Effect.void
    : Effect.flatMap(Effect.serviceOption(AuditCheckpointer), Option.match({ onNone: () => Effect.void, onSome: (c) => c.afterCommit })))

/**
 * Runs a use case as one write transaction (`BEGIN IMMEDIATE` on SQLite). When another process
 * holds the write lock past the busy timeout, the whole transaction is retried a few times
 * rather than surfacing SQLITE_BUSY; any other database failure is a defect.
 */
/**
 * The server went away under a transaction (PostgreSQL restarted, the backend was terminated,
 * the connection dropped): the transaction is rolled back by the server, so nothing of it was
 * applied, and the pool opens a fresh connection for the next one.
 */
const CONNECTION_LOST = new Set(["57P01", "57P02", "57P03", "08000", "08003", "08006", "ECONNRESET", "ECONNREFUSED", "EPIPE"])
const connectionLost = (error: unknown): string | undefined => {
  for (let e = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0; e !== undefined && e !== null && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && CONNECTION_LOST.has(e.code)) return String(e.message ?? e.code)
    if (typeof e.message === "string" && /Connection terminated|terminating connection|connection error and is not queryable/i.test(e.message)) return e.message
  }
  return undefined
}

export const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | DatabaseUnavailable, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => collectingRemovals(sql.withTransaction(Effect.zipRight(serializeWriters, effect)))).pipe(
    Effect.catchSomeDefect((defect) => isFailedBegin(defect) ? Option.some(Effect.fail(defect as SqlError.SqlError)) : Option.none()),
    Effect.retry({
      while: (error) => (error as { _tag?: string })._tag === "SqlError" && (isBusy(error as SqlError.SqlError) || isFailedBegin(error)),
      schedule: Schedule.exponential("20 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(8)))
    }),
    Effect.catchIf(
      (error): error is SqlError.SqlError => (error as { _tag?: string })._tag === "SqlError",
      (error) => Effect.die(error)
    ),
    // a lost connection is the one infrastructure failure a person can act on: say so, typed
    Effect.catchSomeDefect((defect) => {
      const reason = connectionLost(defect)
      return reason === undefined ? Option.none() : Option.some(Effect.flatMap(Effect.serviceOption(Database), (location) =>
        Effect.fail(new DatabaseUnavailable({
          path: Option.match(location, { onNone: () => "(unknown)", onSome: describeLocation }),
          reason: `the connection was lost (${reason}); nothing of this change was applied, try again`
        }))))
    }),
    Effect.tap(() => checkpointAfterCommit)
  ) as Effect.Effect<A, E | DatabaseUnavailable, R | SqlClient.SqlClient>
