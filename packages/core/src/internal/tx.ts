import { SqlClient, SqlError } from "@effect/sql"
import { Effect, Option, Schedule } from "effect"

const codeOf = (error: unknown): unknown => (error as { cause?: { code?: unknown } } | undefined)?.cause?.code

const isBusy = (error: SqlError.SqlError): boolean => {
  const code = codeOf(error)
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED"
}

/**
 * When `BEGIN IMMEDIATE` itself gives up (busy past the timeout), @effect/sql still issues a
 * ROLLBACK, which fails because no transaction began, and that failure surfaces as a defect that
 * hides the busy error. It means the transaction never started: safe to retry.
 */
const isFailedBegin = (defect: unknown): boolean =>
  defect instanceof SqlError.SqlError &&
  String((defect.cause as { message?: unknown } | undefined)?.message ?? "").includes("no transaction is active")

/**
 * Runs a use case as one write transaction (`BEGIN IMMEDIATE` on SQLite). When another process
 * holds the write lock past the busy timeout, the whole transaction is retried a few times
 * rather than surfacing SQLITE_BUSY; any other database failure is a defect.
 */
export const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.withTransaction(effect)).pipe(
    Effect.catchSomeDefect((defect) => isFailedBegin(defect) ? Option.some(Effect.fail(defect as SqlError.SqlError)) : Option.none()),
    Effect.retry({
      while: (error) => (error as { _tag?: string })._tag === "SqlError" && (isBusy(error as SqlError.SqlError) || isFailedBegin(error)),
      schedule: Schedule.exponential("20 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(8)))
    }),
    Effect.catchIf(
      (error): error is SqlError.SqlError => (error as { _tag?: string })._tag === "SqlError",
      (error) => Effect.die(error)
    )
  ) as Effect.Effect<A, E, R | SqlClient.SqlClient>
