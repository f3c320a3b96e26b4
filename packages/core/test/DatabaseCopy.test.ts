import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, initialized, makeTempDirectory, system, tempConfig, tempPgDatabase } from "./support.js"

const jobs = Core.Jobs.asSystem("cli")

describe("usher db copy: an embedded directory into an empty PostgreSQL database", () => {
  it.live("every table is copied, the audit chain and its checkpoints verify on both sides; a non-empty target is refused", () =>
    Effect.gen(function*() {
      const temp = yield* Effect.acquireRelease(Effect.sync(makeTempDirectory), (t) => Effect.sync(t.cleanup))
      const from: Core.DatabaseLocation = { engine: "sqlite", path: temp.path }
      const fromConfig = tempConfig(from, temp.dir)
      // a directory with some history: accounts, a group, a grant, an invitation, a pending request
      yield* Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "apo@acme.test", roles: ["approver"] })
        yield* activeUser({ email: "bob@acme.test" })
        yield* Core.createGroup({ name: "ops" }).pipe(system)
        yield* Core.addGroupMembers("ops", ["bob@acme.test"]).pipe(system)
        yield* Core.inviteUser({ email: "new@acme.test", roles: ["auditor"], link: true }).pipe(asUser(ADMIN))
        yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(asUser(ADMIN))
      }).pipe(Effect.provide(Layer.fresh(Core.CoreLive(from, fromConfig))), Effect.orDie)

      const pg = yield* tempPgDatabase
      // the same data directory: one signing key, the checkpoints copied beside it under the target's name
      const toConfig = tempConfig(pg.location, temp.dir)
      const report = yield* Core.Jobs.copyDatabase(from, pg.location, { from: fromConfig, to: { ...toConfig, auditCheckpoints: `${temp.dir}/pg-checkpoints.jsonl` } }).pipe(jobs)
      assert.isTrue(report.source.ok, JSON.stringify(report.source.problems))
      assert.isTrue(report.target.ok, JSON.stringify(report.target.problems))
      assert.strictEqual(report.target.events, report.source.events)
      assert.isAbove(report.target.checkpoints.valid, 0, "the copied checkpoints verify against the same key")
      assert.strictEqual(report.rows["users"], 4)

      // the copy is a working directory
      const onTarget = Layer.fresh(Core.CoreLive(pg.location, { ...toConfig, auditCheckpoints: `${temp.dir}/pg-checkpoints.jsonl` }))
      yield* Effect.gen(function*() {
        const [pending] = yield* Core.listApprovals({ status: "pending" }).pipe(asUser(ADMIN))
        assert.strictEqual(pending?.summary, "Delete the account bob@acme.test")
        assert.isTrue((yield* Core.approveRequest(pending!.id).pipe(asUser("apo@acme.test"))).executed)
        assert.deepStrictEqual((yield* Core.groupMembers("ops").pipe(asUser(ADMIN))).members, [])
        const sql = yield* SqlClient.SqlClient
        const [users] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM users WHERE status <> 'deleted'`
        assert.strictEqual(Number(users?.n), 3, "bob erased on the copy")
        assert.isTrue((yield* Core.verifyAudit.pipe(system)).ok)
      }).pipe(Effect.provide(onTarget), Effect.orDie)

      // a second copy into the same database is refused, and changes nothing
      const refused = yield* Effect.flip(Core.Jobs.copyDatabase(from, pg.location, { from: fromConfig, to: toConfig }).pipe(jobs))
      assert.strictEqual(refused._tag, "DatabaseCopyRefused")
      assert.include(refused.message, "holds a directory already")
    }).pipe(Effect.scoped), 60_000)
})
