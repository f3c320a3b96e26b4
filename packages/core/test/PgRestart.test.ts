import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import Pg from "pg"
import * as Core from "../src/index.js"
import { activeUser, initialized, system, tempConfig, tempPgDatabase } from "./support.js"

const PG_SERVER = process.env["USHER_TEST_PG_URL"] ?? "postgres://postgres@127.0.0.1:5432/postgres"

describe("PostgreSQL: a backend terminated mid-transaction", () => {
  it.live("the use case fails with a typed DatabaseUnavailable, nothing of it applied; the next one succeeds on a fresh connection", () =>
    Effect.gen(function*() {
      const db = yield* tempPgDatabase
      const runtime = yield* Effect.acquireRelease(
        Effect.sync(() => Core.makeCoreRuntime(db.location, tempConfig(db.location, db.dir))),
        (r) => Effect.promise(() => r.dispose())
      )
      yield* Effect.promise(() => runtime.runPromise(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "bob@acme.test" })
      })))
      // another session holds the writers' lock, so the suspension waits inside its transaction
      const holder = new Pg.Client({ connectionString: PG_SERVER })
      yield* Effect.acquireRelease(Effect.promise(() => holder.connect()), () => Effect.promise(() => holder.end()))
      yield* Effect.promise(() => holder.query("BEGIN"))
      yield* Effect.promise(() => holder.query(`SELECT pg_advisory_xact_lock(hashtext('${db.name}' || ':usher-writers'))`))
      const suspension = runtime.runPromiseExit(Core.suspendUser("bob@acme.test").pipe(system))
      // find the waiting backend and terminate it, as a restart or an operator would
      let terminated = 0
      for (let i = 0; i < 50 && terminated === 0; i++) {
        yield* Effect.sleep("100 millis")
        const found = yield* Effect.promise(() => holder.query(
          "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE '%usher-writers%'"
        ))
        terminated = found.rowCount ?? 0
      }
      assert.strictEqual(terminated, 1, "the suspension was waiting for the lock")
      const exit = yield* Effect.promise(() => suspension)
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      assert.isTrue(Option.isSome(failure) && (failure.value as { _tag: string })._tag === "DatabaseUnavailable", `got ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "success"}`)
      assert.include((failure as Option.Some<{ message: string }>).value.message, "nothing of this change was applied")
      assert.notInclude((failure as Option.Some<{ message: string }>).value.message, "password")
      yield* Effect.promise(() => holder.query("COMMIT"))

      // nothing half-applied, and the same runtime carries on
      const after = yield* Effect.promise(() => runtime.runPromise(Effect.gen(function*() {
        const before = (yield* Core.showUser("bob@acme.test").pipe(system)).user.status
        const suspended = yield* Core.suspendUser("bob@acme.test").pipe(system)
        const verified = yield* Core.verifyAudit.pipe(system)
        return { before, now: suspended.status, ok: verified.ok }
      })))
      assert.deepStrictEqual(after, { before: "active", now: "suspended", ok: true })
    }).pipe(Effect.scoped), 30_000)
})
