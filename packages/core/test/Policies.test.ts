import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { type Duration, Effect, Fiber, TestClock } from "effect"
import * as Core from "../src/index.js"
import { takeLease } from "../src/Policies/Lease.js"
import {
  activeUser, ADMIN, asUser, auditHead, failsWithNothingWritten, granted, initialized, messages, system, withDatabase
} from "./support.js"

const T0 = Date.parse("2026-12-24T09:00:00.000Z")

/** One policy pass as the system, through the CLI. */
const pass = Core.Jobs.runPolicies().pipe(Core.Jobs.asSystem("cli"))
/** A pass that must have run (not been skipped). */
const ran = Effect.flatMap(pass, (run) => run._tag === "PolicyPass" ? Effect.succeed(run) : Effect.dieMessage(`skipped: ${run.message}`))

const eventsSince = (seq: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ action: string; actor: string; target: string | null; details: string }>`
      SELECT action, actor, target, details FROM audit_events WHERE seq > ${seq} ORDER BY seq`).pipe(
        Effect.map((rows) => rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }))),
        Effect.orDie
      )

const verified = Effect.gen(function*() {
  const verification = yield* Core.verifyAudit.pipe(asUser(ADMIN))
  assert.isTrue(verification.ok, messages(verification))
})

describe("the policy runner: time-bound grants", () => {
  it.effect("a grant made --for 8h counts until then; the pass after revokes it (grant.expire), why no longer shows it, audit verify stays clean", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* initialized
      const bob = yield* activeUser({ email: "bob@acme.test" })
      const grant = yield* granted(yield* Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, expiresIn: "8h" }).pipe(asUser(ADMIN)))
      assert.strictEqual(grant.expiresAt, "2026-12-24T17:00:00.000Z")
      yield* Core.createGroup({ name: "night-shift" }).pipe(asUser(ADMIN))
      yield* granted(yield* Core.grantRole({ role: "approver", to: { group: "night-shift" }, expiresIn: "3d" }).pipe(asUser(ADMIN)))
      yield* Core.addGroupMembers("night-shift", ["bob@acme.test"]).pipe(asUser(ADMIN))

      yield* TestClock.adjust("7 hours")
      assert.deepStrictEqual((yield* ran).counts.grantsExpired, 0, "nothing is due before its time")
      assert.isTrue((yield* Core.why("bob@acme.test", "audit.read", "org:acme").pipe(asUser(ADMIN))).allowed)

      yield* TestClock.adjust("1 hour")
      const head = yield* auditHead
      const run = yield* ran
      assert.deepStrictEqual(run.counts, { grantsExpired: 1, invitationsExpired: 0, approvalsExpired: 0, dormantNotified: 0, dormantSuspended: 0, dormantSkipped: 0 })
      assert.deepStrictEqual(run.grants.expired, [
        { id: grant.id, role: "auditor", scope: "org:acme", principalType: "user", principal: "bob@acme.test", expiresAt: "2026-12-24T17:00:00.000Z" }
      ])
      const [event, ...more] = yield* eventsSince(head)
      assert.lengthOf(more, 0)
      assert.deepStrictEqual([event?.action, event?.actor, event?.target], ["grant.expire", "system", bob.id])
      assert.deepStrictEqual(event?.details, { principal: "bob@acme.test", principalType: "user", role: "auditor", scope: "org:acme", expiresAt: "2026-12-24T17:00:00.000Z" })

      const why = yield* Core.why("bob@acme.test", "audit.read", "org:acme").pipe(asUser(ADMIN))
      // approver (through the group, still running) gives audit.read too; the auditor grant is gone
      assert.deepStrictEqual(why.paths.map((p) => [p.role, p.group]), [["approver", "acme/night-shift"]])
      assert.deepStrictEqual((yield* Core.showUser("bob@acme.test").pipe(asUser(ADMIN))).grants.map((g) => g.role), ["approver"])
      yield* verified

      // the group's grant expires too, named by the group; a second pass finds nothing
      yield* TestClock.adjust("3 days")
      const later = yield* ran
      assert.deepStrictEqual(later.grants.expired.map((g) => [g.principalType, g.principal, g.role]), [["group", "acme/night-shift", "approver"]])
      assert.isFalse((yield* Core.why("bob@acme.test", "audit.read", "org:acme").pipe(asUser(ADMIN))).allowed)
      assert.strictEqual((yield* ran).counts.grantsExpired, 0)
      yield* verified
    })))

  it.effect("bad durations are refused with InvalidInput, nothing written; --for and --expires together too", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* initialized
      yield* activeUser({ email: "bob@acme.test" })
      for (const text of ["0h", "366d", "8x", "", "1.5h", "-3d", "53w"]) {
        const error = yield* failsWithNothingWritten(Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, expiresIn: text }).pipe(asUser(ADMIN)), "InvalidInput")
        assert.strictEqual(error.field, "duration")
      }
      const both = yield* failsWithNothingWritten(
        Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, expiresIn: "8h", expiresAt: "2027-01-01" }).pipe(asUser(ADMIN)),
        "InvalidInput"
      )
      assert.include(both.message, "not both")
    })))

  it.effect("a gated grant --for lasts its duration from the approval, not from the request", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* initialized
      yield* activeUser({ email: "apo@acme.test", roles: ["approver"] })
      yield* activeUser({ email: "bob@acme.test" })
      yield* Core.setSetting("approval.gates", "admin-grants").pipe(asUser(ADMIN))
      yield* TestClock.adjust("1 minute")
      const requested = yield* Core.grantRole({ role: "org-admin", to: { user: "bob@acme.test" }, expiresIn: "8h", reason: "on call" }).pipe(asUser(ADMIN))
      assert.strictEqual(requested._tag, "ApprovalRequested")
      if (requested._tag !== "ApprovalRequested") return
      assert.include(requested.approval.summary, "for 8h")
      yield* TestClock.adjust("10 hours")
      yield* Core.approveRequest(requested.approval.id).pipe(asUser("apo@acme.test"))
      const grants = (yield* Core.showUser("bob@acme.test").pipe(asUser(ADMIN))).grants
      assert.deepStrictEqual(grants.map((g) => [g.role, g.expiresAt]), [["org-admin", new Date(T0 + 60_000 + 18 * 3_600_000).toISOString()]])
      yield* verified
    })))
})

describe("the policy runner: invitations and approval requests", () => {
  it.effect("an invitation past its date is recorded expired once (invitation.expire); a resend starts it over", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* initialized
      const sent = yield* Core.inviteUser({ email: "ivy@acme.test", link: true }).pipe(asUser(ADMIN))
      yield* TestClock.adjust("167 hours")
      assert.strictEqual((yield* ran).counts.invitationsExpired, 0)
      yield* TestClock.adjust("1 hour")
      const head = yield* auditHead
      const run = yield* ran
      assert.deepStrictEqual(run.invitations.expired.map((i) => [i.id, i.email, i.org]), [[sent.invitation.id, "ivy@acme.test", "acme"]])
      assert.deepStrictEqual((yield* eventsSince(head)).map((e) => [e.action, e.target, e.details["invitation"]]), [["invitation.expire", sent.invitation.userId, sent.invitation.id]])
      assert.strictEqual((yield* ran).counts.invitationsExpired, 0, "recorded once")
      assert.deepStrictEqual((yield* Core.listInvitations({ status: "expired" }).pipe(asUser(ADMIN))).map((i) => i.email), ["ivy@acme.test"])

      // a resend clears the mark: its new expiry is recorded in turn
      yield* Core.resendInvitation("ivy@acme.test", { link: true }).pipe(asUser(ADMIN))
      assert.deepStrictEqual((yield* Core.listInvitations({ status: "pending" }).pipe(asUser(ADMIN))).map((i) => i.email), ["ivy@acme.test"])
      yield* TestClock.adjust("168 hours")
      assert.strictEqual((yield* ran).counts.invitationsExpired, 1)
      yield* verified
    })))

  it.effect("approval requests past their date are closed through expireApprovals and named", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* initialized
      yield* activeUser({ email: "apo@acme.test", roles: ["approver"] })
      yield* activeUser({ email: "bob@acme.test" })
      yield* TestClock.adjust("1 minute")
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(asUser(ADMIN))
      yield* TestClock.adjust("72 hours")
      const run = yield* ran
      assert.deepStrictEqual(run.approvals.expired, [approval.id])
      assert.strictEqual((yield* Core.showApproval(approval.id).pipe(asUser(ADMIN))).status, "expired")
      assert.deepStrictEqual((yield* ran).approvals.expired, [])
    })))
})

describe("the policy runner's lease", () => {
  it.effect("a pass finding the lease held by another runner skips, saying by whom; once it expired the pass runs", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* initialized
      yield* activeUser({ email: "bob@acme.test" })
      yield* Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, expiresIn: "1m" }).pipe(asUser(ADMIN))
      yield* TestClock.adjust("1 minute")
      assert.isTrue((yield* takeLease("replica-b:42", 5 * 60_000).pipe(system)).taken)
      const skipped = yield* pass
      assert.strictEqual(skipped._tag, "PolicySkipped")
      if (skipped._tag === "PolicySkipped") {
        assert.strictEqual(skipped.heldBy, "replica-b:42")
        assert.strictEqual(skipped.message, `skipped: held by replica-b:42 until ${new Date(T0 + 6 * 60_000).toISOString()}`)
      }
      assert.strictEqual((yield* Core.showUser("bob@acme.test").pipe(asUser(ADMIN))).grants.length, 1, "nothing done")

      // the holder's own pass renews and runs; it gives the lease up at the end
      const own = yield* Core.Jobs.runPolicies({ holder: "replica-b:42" }).pipe(Core.Jobs.asSystem("cli"))
      assert.strictEqual(own._tag, "PolicyPass")
      assert.strictEqual((yield* ran).counts.grantsExpired, 0, "the lease was given up: another runner goes next")

      yield* takeLease("replica-c:7", 5 * 60_000).pipe(system)
      yield* TestClock.adjust("5 minutes")
      assert.strictEqual((yield* pass)._tag, "PolicyPass", "an expired lease is taken over")
    })))

  it.effect("policyLoop runs a pass at once and then one every interval, and gives the lease up when stopped", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      yield* initialized
      yield* activeUser({ email: "bob@acme.test" })
      const grantsOfBob = Effect.map(Core.showUser("bob@acme.test").pipe(asUser(ADMIN)), (d) => d.grants.length)
      /** waits (in real time: the loop's passes run on their own fiber) until bob holds `n` grants, moving the clock `step` each time */
      const until = (n: number, step: Duration.DurationInput) =>
        Effect.gen(function*() {
          for (let i = 0; i < 200 && (yield* grantsOfBob) !== n; i++) {
            yield* TestClock.adjust(step)
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
          }
          assert.strictEqual(yield* grantsOfBob, n)
        })
      yield* Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, expiresIn: "1m" }).pipe(asUser(ADMIN))
      yield* TestClock.adjust("1 minute")
      const loop = yield* Effect.fork(Core.Jobs.policyLoop("5 minutes", { holder: "loop" }).pipe(Core.Jobs.asSystem("cli")))
      yield* until(0, "0 millis")
      const start = yield* TestClock.currentTimeMillis
      yield* Core.grantRole({ role: "auditor", to: { user: "bob@acme.test" }, expiresIn: "1m" }).pipe(asUser(ADMIN))
      yield* until(0, "1 minute")
      assert.isAtLeast((yield* TestClock.currentTimeMillis) - start, 5 * 60_000, "the next pass came an interval later")
      yield* Fiber.interrupt(loop)
      const sql = yield* SqlClient.SqlClient
      assert.deepStrictEqual(yield* sql`SELECT holder FROM policy_lease`, [])
    })))
})
