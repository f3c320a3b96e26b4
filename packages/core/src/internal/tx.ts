import { SqlClient, type SqlError } from "@effect/sql"
import { Effect, Schedule } from "effect"

const isBusy = (error: SqlError.SqlError): boolean => {
  const code = (error.cause as { code?: unknown } | undefined)?.code
  return code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT" || code === "SQLITE_LOCKED"
}

/**
 * Runs a use case as one write transaction (`BEGIN IMMEDIATE` on SQLite). When another process
 * holds the write lock past the busy timeout, the whole transaction is retried a few times
 * rather than surfacing SQLITE_BUSY; any other database failure is a defect.
 */
export const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.withTransaction(effect)).pipe(
    Effect.retry({
      while: (error) => (error as { _tag?: string })._tag === "SqlError" && isBusy(error as SqlError.SqlError),
      schedule: Schedule.exponential("20 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(8)))
    }),
    Effect.catchIf(
      (error): error is SqlError.SqlError => (error as { _tag?: string })._tag === "SqlError",
      (error) => Effect.die(error)
    )
  ) as Effect.Effect<A, E, R | SqlClient.SqlClient>
