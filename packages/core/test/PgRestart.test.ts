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

  it.live("an approval whose backend is terminated after its first writes (the request claimed, the deletion under way) leaves the request pending and the account whole; approving again carries it out", () =>
    Effect.gen(function*() {
      const db = yield* tempPgDatabase
      const runtime = yield* Effect.acquireRelease(
        Effect.sync(() => Core.makeCoreRuntime(db.location, tempConfig(db.location, db.dir))),
        (r) => Effect.promise(() => r.dispose())
      )
      const request = yield* Effect.promise(() => runtime.runPromise(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "bob@acme.test" })
        yield* activeUser({ email: "apo@acme.test", roles: ["approver"] })
        return (yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(Core.asUser("admin@acme.test", "cli"))).approval
      })))
      // another session holds bob's row: the approval claims the request, writes its audit row,
      // then waits inside its transaction when the deletion reaches that row
      const holder = new Pg.Client({ connectionString: PG_SERVER })
      yield* Effect.acquireRelease(Effect.promise(() => holder.connect()), () => Effect.promise(() => holder.end()))
      yield* Effect.promise(() => holder.query("BEGIN"))
      yield* Effect.promise(() => holder.query(`SELECT id FROM ${db.name}.users WHERE email = 'bob@acme.test' FOR UPDATE`))
      const approval = runtime.runPromiseExit(Core.approveRequest(request.id).pipe(Core.asUser("apo@acme.test", "slack")))
      let terminated = 0
      for (let i = 0; i < 50 && terminated === 0; i++) {
        yield* Effect.sleep("100 millis")
        const found = yield* Effect.promise(() => holder.query(
          "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND state = 'active'"
        ))
        terminated = found.rowCount ?? 0
      }
      assert.strictEqual(terminated, 1, "the approval was waiting inside its transaction")
      const exit = yield* Effect.promise(() => approval)
      const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
      assert.isTrue(Option.isSome(failure) && (failure.value as { _tag: string })._tag === "DatabaseUnavailable", `got ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "success"}`)
      yield* Effect.promise(() => holder.query("COMMIT"))

      const after = yield* Effect.promise(() => runtime.runPromise(Effect.gen(function*() {
        const pending = (yield* Core.showApproval(request.id).pipe(system)).status
        const bob = (yield* Core.showUser("bob@acme.test").pipe(system)).user.status
        const verified = yield* Core.verifyAudit.pipe(system)
        const again = yield* Core.approveRequest(request.id).pipe(Core.asUser("apo@acme.test", "slack"))
        const gone = yield* Effect.either(Core.showUser("bob@acme.test").pipe(system))
        return { pending, bob, ok: verified.ok, executed: again.executed, gone: gone._tag === "Left", okAfter: (yield* Core.verifyAudit.pipe(system)).ok }
      })))
      assert.deepStrictEqual(after, { pending: "pending", bob: "active", ok: true, executed: true, gone: true, okAfter: true })
    }).pipe(Effect.scoped), 30_000)
})
