import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import * as Core from "../src/index.js"
import {
  activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, initialized, snapshot, system,
  withDatabase, messages, verdict, allowInserts, dropAuditGuards, refuseInserts
} from "./support.js"

const verify = Core.verifyAudit.pipe(asUser(ADMIN))

/** Audit rows after `seq`, oldest first, as stored. */
const eventsAfter = (seq: number) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ action: string; actor: string; via: string; target: string | null }>`
      SELECT action, actor, via, target FROM audit_events WHERE seq > ${seq} ORDER BY seq`
  }).pipe(Effect.orDie)

describe("Audit", () => {
  it.live("every mutating use case appends its audit rows, by the acting user and front-end; the chain stays intact", () =>
    withDatabase(Effect.gen(function*() {
      const { admin } = yield* initialized
      const pat = yield* activeUser({ email: "pat@acme.test" })
      const slack = Core.asUser(ADMIN, "slack")
      const steps: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, Core.CoreServices>, ReadonlyArray<string>]> = [
        ["createOrg", Core.createOrg({ slug: "beta" }).pipe(slack), ["org.create"]],
        ["createApp", Core.createApp("acme/expenses").pipe(slack), ["app.create"]],
        ["createRole", Core.createRole({ name: "Payer", permissions: ["expenses.approve"] }).pipe(slack), ["role.create"]],
        ["createGroup", Core.createGroup({ name: "finance" }).pipe(slack), ["group.create"]],
        ["createUser", Core.createUser({ email: "new@acme.test", firstName: "New", lastName: "User", roles: ["auditor"], groups: ["finance"] }).pipe(slack), ["user.create", "role.grant", "group.member.add"]],
        ["updateUser", Core.updateUser("pat@acme.test", { position: "Lead" }).pipe(slack), ["user.update"]],
        ["grantRole", Core.grantRole({ role: "Payer", to: { group: "finance" }, scope: "app:acme/expenses" }).pipe(slack), ["role.grant"]],
        ["addGroupMembers", Core.addGroupMembers("finance", ["pat@acme.test"]).pipe(slack), ["group.member.add"]],
        ["removeGroupMembers", Core.removeGroupMembers("finance", ["pat@acme.test"]).pipe(slack), ["group.member.remove"]],
        ["revokeRole", Core.revokeRole({ role: "Payer", from: { group: "finance" }, scope: "app:acme/expenses" }).pipe(slack), ["role.revoke"]],
        ["addOrgMembers", Core.addOrgMembers("beta", ["pat@acme.test"]).pipe(slack), ["org.member.add"]],
        ["removeOrgMembers", Core.removeOrgMembers("beta", ["pat@acme.test"]).pipe(slack), ["org.member.remove"]],
        ["suspendUser", Core.suspendUser("pat@acme.test", { reason: "on leave" }).pipe(slack), ["user.suspend"]],
        ["reactivateUser", Core.reactivateUser("pat@acme.test").pipe(slack), ["user.reactivate"]],
        ["deleteGroup", Core.deleteGroup("finance").pipe(slack), ["group.delete"]],
        ["seedUsers", Core.seedUsers(3).pipe(slack), ["group.create", "group.create", "group.create", "group.create", "group.create", "user.seed", "user.seed", "user.seed"]]
      ]
      for (const [name, effect, actions] of steps) {
        const head = yield* auditHead
        yield* effect
        const events = yield* eventsAfter(head)
        assert.deepStrictEqual(events.map((e) => e.action), actions, name)
        for (const event of events) assert.deepStrictEqual([event.actor, event.via], [admin.id, "slack"], name)
        assert.deepStrictEqual(verdict(yield* verify), { ok: true, events: head + actions.length, problems: [] }, name)
      }
      const targets = (yield* Core.listAudit({ userId: pat.id, limit: 100 }).pipe(asUser(ADMIN))).map((e) => e.action)
      assert.deepStrictEqual(targets, ["user.reactivate", "user.suspend", "org.member.remove", "org.member.add", "group.member.remove", "group.member.add", "user.update", "user.create"])
    })))

  it.live("a failed use case adds no audit row (and nothing else), even when it had written before failing", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* activeUser({ email: "mia@acme.test", roles: ["user-manager"] })
      yield* Core.createGroup({ name: "admins" }).pipe(system)
      yield* Core.grantRole({ role: "org-admin", to: { group: "admins" } }).pipe(system)
      const head = yield* auditHead
      // the user row and its user.create event are written before the group's delegation check fails
      yield* failsWithNothingWritten(
        Core.createUser({ email: "eve@acme.test", firstName: "Eve", lastName: "E", groups: ["admins"] }).pipe(asUser("mia@acme.test")),
        "EscalationDenied"
      )
      // the grant is deleted before the last-admin check fails
      yield* failsWithNothingWritten(Core.revokeRole({ role: "provider-admin", from: { user: ADMIN }, scope: "provider" }).pipe(asUser(ADMIN)), "LastProviderAdmin")
      // the first member is removed before the second turns out not to be one
      yield* Core.addGroupMembers("admins", ["mia@acme.test"]).pipe(system)
      const afterAdd = yield* auditHead
      yield* failsWithNothingWritten(Core.removeGroupMembers("admins", ["mia@acme.test", ADMIN]).pipe(asUser(ADMIN)), "NotAMember")
      yield* failsWithNothingWritten(Core.updateUser("mia@acme.test", { lastName: "X" }, { expectedVersion: 99 }).pipe(asUser(ADMIN)), "ConcurrentModification")
      yield* failsWithNothingWritten(Core.createOrg({ slug: "beta" }).pipe(asUser("mia@acme.test")), "PermissionDenied")
      assert.strictEqual(yield* auditHead, afterAdd)
      assert.deepStrictEqual(yield* auditActions(head), ["group.member.add"])
    })))

  it.live("the audit row is in the same transaction: when it cannot be written, the change is rolled back", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* activeUser({ email: "pat@acme.test" })
      yield* refuseInserts("audit_events_refuse", "audit_events", "1 = 1", "audit unavailable")
      const before = yield* snapshot
      for (const effect of [
        Core.createGroup({ name: "finance" }),
        Core.suspendUser("pat@acme.test"),
        Core.grantRole({ role: "auditor", to: { user: "pat@acme.test" } }),
        Core.updateUser("pat@acme.test", { lastName: "Changed" })
      ] as ReadonlyArray<Effect.Effect<unknown, unknown, Core.CoreServices | Core.Actor>>) {
        const exit = yield* Effect.exit(effect.pipe(asUser(ADMIN)))
        assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause), "an infrastructure failure is a defect")
        assert.deepStrictEqual(yield* snapshot, before)
      }
      yield* allowInserts("audit_events_refuse", "audit_events")
      assert.strictEqual((yield* Core.suspendUser("pat@acme.test").pipe(asUser(ADMIN))).status, "suspended")
    })))

  it.live("the log is append-only: UPDATE and DELETE are refused by the database", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const sql = yield* SqlClient.SqlClient
      const update = yield* Effect.exit(sql`UPDATE audit_events SET details = '{}' WHERE seq = 1`)
      assert.isTrue(Exit.isFailure(update))
      const remove = yield* Effect.exit(sql`DELETE FROM audit_events WHERE seq = 1`)
      assert.isTrue(Exit.isFailure(remove))
      assert.deepStrictEqual(verdict(yield* verify), { ok: true, events: 1, problems: [] })
    })))

  describe("verifyAudit", () => {
    const withHistory = Effect.gen(function*() {
      yield* initialized
      yield* Core.createGroup({ name: "finance" }).pipe(system)
      yield* activeUser({ email: "pat@acme.test", groups: ["finance"] })
      yield* Core.updateUser("pat@acme.test", { position: "Lead" }).pipe(asUser(ADMIN))
      yield* Core.suspendUser("pat@acme.test").pipe(asUser(ADMIN))
      const ok = yield* verify
      assert.deepStrictEqual(verdict(ok), { ok: true, events: 6, problems: [] })
      return yield* SqlClient.SqlClient
    })

    it.live("detects an edited event (after dropping the append-only trigger)", () =>
      withDatabase(Effect.gen(function*() {
        const sql = yield* withHistory
        yield* dropAuditGuards
        yield* sql`UPDATE audit_events SET details = ${JSON.stringify({ position: { from: null, to: "CEO" } })} WHERE seq = 5`
        const result = yield* verify
        assert.deepStrictEqual([result.ok, result.events], [false, 6])
        assert.include(messages(result), "event 5 was altered")
      })))

    it.live("detects an edited actor, even with the rest of the row untouched", () =>
      withDatabase(Effect.gen(function*() {
        const sql = yield* withHistory
        yield* dropAuditGuards
        yield* sql`UPDATE audit_events SET actor = 'system' WHERE seq = 6`
        assert.include(messages(yield* verify), "event 6")
      })))

    it.live("detects the newest event deleted (after dropping the append-only trigger)", () =>
      withDatabase(Effect.gen(function*() {
        const sql = yield* withHistory
        yield* dropAuditGuards
        yield* sql`DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)`
        const result = yield* verify
        assert.deepStrictEqual([result.ok, result.events], [false, 5])
        assert.include(messages(result), "removed from the end")
      })))

    it.live("detects an event deleted from the middle", () =>
      withDatabase(Effect.gen(function*() {
        const sql = yield* withHistory
        yield* dropAuditGuards
        yield* sql`DELETE FROM audit_events WHERE seq = 2`
        const result = yield* verify
        assert.isFalse(result.ok)
        assert.include(messages(result), "event 2 is missing")
      })))

    it.live("needs audit.read at provider", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "audrey@acme.test", roles: ["auditor"] })
        const denied = yield* failsWith(Core.verifyAudit.pipe(asUser("audrey@acme.test")), "PermissionDenied")
        assert.deepStrictEqual([denied.permission, denied.scope], ["audit.read", "provider"])
      })))
  })

  it.live("listAudit: newest first, by user, after a sequence number, limited; the whole log at provider, an organization's scoped events below", () =>
    withDatabase(Effect.gen(function*() {
      const { admin } = yield* initialized
      const pat = yield* activeUser({ email: "pat@acme.test", roles: ["auditor"], scope: "provider" })
      yield* Core.updateUser("pat@acme.test", { position: "Lead" }).pipe(asUser(ADMIN))
      yield* Core.createGroup({ name: "finance" }).pipe(system)
      const all = yield* Core.listAudit().pipe(asUser("pat@acme.test"))
      assert.deepStrictEqual(all.map((e) => e.seq), [5, 4, 3, 2, 1])
      assert.deepStrictEqual(all.map((e) => e.action), ["group.create", "user.update", "role.grant", "user.create", "directory.init"])
      assert.deepStrictEqual(all[1]?.details, { position: { from: null, to: "Lead" } })
      assert.deepStrictEqual([all[1]?.actor, all[1]?.target, all[1]?.via], [admin.id, pat.id, "cli"])
      assert.strictEqual(all[0]?.actor, "system")
      assert.match(all[0]!.hash, /^[0-9a-f]{64}$/)
      assert.strictEqual(all[0]?.prevHash, all[1]?.hash)
      assert.deepStrictEqual((yield* Core.listAudit({ userId: pat.id }).pipe(asUser(ADMIN))).map((e) => e.seq), [4, 3, 2])
      assert.deepStrictEqual((yield* Core.listAudit({ afterSeq: 2 }).pipe(asUser(ADMIN))).map((e) => e.seq), [5, 4, 3])
      assert.deepStrictEqual((yield* Core.listAudit({ limit: 1 }).pipe(asUser(ADMIN))).map((e) => e.seq), [5])
      const olga = yield* activeUser({ email: "olga@acme.test", roles: ["org-admin"] })
      // audit.read at org:acme only: the events recorded at acme, not pat's provider-wide grant (3)
      const scoped = yield* Core.listAudit().pipe(asUser("olga@acme.test"))
      assert.deepStrictEqual(scoped.map((e) => e.seq), [7, 6, 5, 4, 2, 1])
      assert.deepStrictEqual(scoped.map((e) => e.target), [olga.id, olga.id, null, pat.id, pat.id, admin.id])
      assert.deepStrictEqual(all.find((e) => e.seq === 3)?.scopes, ["provider"])
      yield* activeUser({ email: "nobody@acme.test" })
      const denied = yield* failsWith(Core.listAudit().pipe(asUser("nobody@acme.test")), "PermissionDenied")
      assert.deepStrictEqual([denied.permission, denied.scope], ["audit.read", "org:acme"])
      // one user's events need audit.read at one of that user's organizations only
      assert.deepStrictEqual((yield* Core.listAudit({ userId: pat.id }).pipe(asUser("olga@acme.test"))).map((e) => e.seq), [4, 2])
      yield* Core.createOrg({ slug: "beta" }).pipe(system)
      yield* activeUser({ email: "bea@beta.test", org: "beta", roles: ["org-admin"] })
      const elsewhere = yield* failsWith(Core.listAudit({ userId: pat.id }).pipe(asUser("bea@beta.test")), "UserNotFound")
      assert.strictEqual(elsewhere.user, "pat@acme.test", "an account outside what the reader may see answers as a missing one")
      const bea = (yield* Core.listAudit().pipe(asUser("bea@beta.test"))).map((e) => e.target)
      assert.isTrue(bea.length > 0 && bea.every((t) => t !== pat.id && t !== olga.id), "nothing about acme's people shows to beta's admin")
    })))
})
