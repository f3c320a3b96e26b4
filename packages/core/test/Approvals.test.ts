import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { existsSync } from "node:fs"
import * as Core from "../src/index.js"
import {
  activeUser, ADMIN, asUser, auditHead, failsWith, failsWithNothingWritten, granted, initialized, system, withDatabase
} from "./support.js"

/** The acme directory with a second admin's worth of four eyes: an approver and a user to delete. */
const withApprover = Effect.gen(function*() {
  yield* initialized
  yield* activeUser({ email: "apo@acme.test", firstName: "Apo", roles: ["approver"] })
  yield* Core.createGroup({ name: "ops" }).pipe(system)
  return yield* activeUser({ email: "bob@acme.test", firstName: "Bob", phone: "+44 20 7946 0958", roles: ["auditor"], groups: ["ops"] })
})

const auditSince = (seq: number) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql<{ action: string; actor: string; approvalId: string | null; target: string | null }>`
      SELECT action, actor, approval_id, target FROM audit_events WHERE seq > ${seq} ORDER BY seq`).pipe(Effect.orDie)

describe("Approvals (four eyes)", () => {
  it.live("users delete never deletes: it files a pending request that someone else approves, which erases the account", () =>
    withDatabase(Effect.gen(function*() {
      const bob = yield* withApprover
      const sql = yield* SqlClient.SqlClient
      yield* sql`INSERT INTO sessions ${sql.insert({ id: "s1", userId: bob.id, createdAt: "2025-01-01T00:00:00Z", lastSeenAt: "2025-01-01T00:00:00Z", expiresAt: "2999-01-01T00:00:00Z" })}`
      yield* Core.requestPasswordReset("bob@acme.test").pipe(asUser(ADMIN))
      const [mail] = yield* sql<{ file: string | null }>`SELECT file FROM outbox WHERE user_id = ${bob.id}`
      assert.isTrue(mail?.file != null && existsSync(mail.file), "a mail to bob, in the outbox and on disk")
      const head = yield* auditHead
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "left the company" }).pipe(asUser(ADMIN))
      assert.strictEqual(approval.status, "pending")
      assert.strictEqual(approval.action, "user.delete")
      assert.strictEqual(approval.summary, "Delete the account bob@acme.test")
      assert.deepStrictEqual(approval.scopes, ["org:acme"])
      assert.deepStrictEqual([approval.requestedBy, approval.reason], [ADMIN, "left the company"])
      assert.strictEqual(Date.parse(approval.expiresAt) - Date.parse(approval.createdAt), 72 * 3_600_000, "72 hours by default")
      assert.strictEqual((yield* Core.showUser("bob@acme.test").pipe(asUser(ADMIN))).user.status, "active", "nothing deleted yet")

      const self = yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser(ADMIN)), "SelfApproval")
      assert.include(self.message, "someone else")
      const decision = yield* Core.approveRequest(approval.id, { note: "confirmed with HR" }).pipe(asUser("apo@acme.test"))
      assert.isTrue(decision.executed)
      assert.deepStrictEqual([decision.approval.status, decision.approval.decidedBy, decision.approval.note], ["executed", "apo@acme.test", "confirmed with HR"])

      yield* failsWith(Core.showUser("bob@acme.test").pipe(asUser(ADMIN)), "UserNotFound")
      const [tombstone] = yield* sql<Record<string, unknown>>`SELECT * FROM users WHERE id = ${bob.id}`
      assert.deepStrictEqual(
        [tombstone?.["email"], tombstone?.["firstName"], tombstone?.["lastName"], tombstone?.["phone"], tombstone?.["passwordHash"], tombstone?.["search"], tombstone?.["status"]],
        [null, "", "", null, null, "", "deleted"]
      )
      assert.isNotNull(tombstone?.["deletedAt"])
      assert.isFalse(existsSync(mail!.file!), "the .eml file that named bob is gone")
      for (const table of ["memberships", "group_members", "sessions", "invitations", "tokens", "outbox", "slack_links"]) {
        const [row] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql(table)} WHERE user_id = ${bob.id}`
        assert.strictEqual(Number(row?.n), 0, `${table} of the deleted user are gone`)
      }
      const [grants] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM grants WHERE principal_id = ${bob.id}`
      assert.strictEqual(Number(grants?.n), 0)

      const events = yield* auditSince(head)
      assert.deepStrictEqual(events.map((e) => e.action), ["approval.request", "approval.approve", "user.delete", "approval.execute"])
      assert.isTrue(events.every((e) => e.approvalId === approval.id), "request, decision and execution name the request")
      assert.deepStrictEqual(events.map((e) => e.actor), [events[0]!.actor, (yield* Core.showUser("apo@acme.test").pipe(asUser(ADMIN))).user.id, events[0]!.actor, events[1]!.actor])
      assert.deepStrictEqual((yield* Core.listAudit({ userId: bob.id }).pipe(asUser(ADMIN))).map((e) => e.action).slice(0, 4), ["approval.execute", "user.delete", "approval.approve", "approval.request"])
      assert.isTrue((yield* Core.verifyAudit.pipe(asUser(ADMIN))).ok)

      const again = yield* Core.inviteUser({ email: "bob@acme.test", link: true }).pipe(asUser(ADMIN))
      assert.notStrictEqual(again.invitation.userId, bob.id, "the e-mail is free again")
      const twice = yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("apo@acme.test")), "ApprovalNotPending")
      assert.strictEqual(twice.status, "executed")
    })))

  it.live("refusals: no reason, nobody else eligible, a decider without approvals.decide there, an unknown id — nothing written", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* activeUser({ email: "bob@acme.test" })
      yield* failsWithNothingWritten(Core.deleteUser("bob@acme.test").pipe(asUser(ADMIN)), "ReasonRequired")
      yield* failsWithNothingWritten(Core.deleteUser("bob@acme.test", { reason: "   " }).pipe(asUser(ADMIN)), "ReasonRequired")
      const nobody = yield* failsWithNothingWritten(Core.deleteUser("bob@acme.test", { reason: "gone" }).pipe(asUser(ADMIN)), "NoEligibleApprover")
      assert.include(nobody.message, "grant the approver role at org:acme")
      yield* Core.createOrg({ slug: "globex" }).pipe(system)
      yield* activeUser({ email: "far@globex.test", org: "globex", roles: ["approver"] })
      yield* failsWithNothingWritten(Core.deleteUser("bob@acme.test", { reason: "gone" }).pipe(asUser(ADMIN)), "NoEligibleApprover")
      yield* activeUser({ email: "aud@acme.test", roles: ["auditor"] })
      yield* failsWithNothingWritten(Core.deleteUser("bob@acme.test", { reason: "gone" }).pipe(asUser("aud@acme.test")), "PermissionDenied")
      yield* activeUser({ email: "apo@acme.test", roles: ["approver"] })
      // a caller that read the account before it changed files nothing
      const bob = (yield* Core.updateUser("bob@acme.test", { position: "Engineer" }).pipe(asUser(ADMIN)))
      const stale = yield* failsWithNothingWritten(Core.deleteUser("bob@acme.test", { reason: "gone", expectedVersion: bob.version - 1 }).pipe(asUser(ADMIN)), "ConcurrentModification")
      assert.deepStrictEqual([stale.entity, stale.id], ["user", bob.id])
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "gone", expectedVersion: bob.version }).pipe(asUser(ADMIN))
      const denied = yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("aud@acme.test")), "PermissionDenied")
      assert.deepStrictEqual([denied.permission, denied.scope], ["approvals.decide", "org:acme"])
      yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("far@globex.test")), "PermissionDenied")
      yield* failsWithNothingWritten(Core.approveRequest(Core.newId()).pipe(asUser("apo@acme.test")), "ApprovalNotFound")
      const noReason = yield* failsWithNothingWritten(Core.denyRequest(approval.id).pipe(asUser("apo@acme.test")), "ReasonRequired")
      assert.include(noReason.message, "Give a reason for denying \"Delete the account bob@acme.test\"")
      yield* failsWithNothingWritten(Core.cancelRequest(approval.id).pipe(asUser("apo@acme.test")), "PermissionDenied")
    })))

  it.live("a denial needs a reason and leaves the user untouched; the requester may withdraw a pending request", () =>
    withDatabase(Effect.gen(function*() {
      yield* withApprover
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "gone" }).pipe(asUser(ADMIN))
      const denied = yield* Core.denyRequest(approval.id, { reason: "still employed" }).pipe(asUser("apo@acme.test"))
      assert.deepStrictEqual([denied.status, denied.note, denied.decidedBy], ["denied", "still employed", "apo@acme.test"])
      assert.strictEqual((yield* Core.showUser("bob@acme.test").pipe(asUser(ADMIN))).user.status, "active")
      yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("apo@acme.test")), "ApprovalNotPending")
      const second = yield* Core.deleteUser("bob@acme.test", { reason: "really gone" }).pipe(asUser(ADMIN))
      const withdrawn = yield* Core.cancelRequest(second.approval.id).pipe(asUser(ADMIN))
      assert.strictEqual(withdrawn.status, "canceled")
      assert.deepStrictEqual((yield* Core.listApprovals().pipe(asUser("apo@acme.test"))).map((a) => a.status), ["canceled", "denied"])
      assert.lengthOf(yield* Core.listApprovals({ status: "pending" }).pipe(asUser("apo@acme.test")), 0)
    })))

  it.effect("requests expire after 72 hours: listed as expired, and an expired one cannot be approved", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2025-06-01T09:00:00.000Z"))
      yield* withApprover
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "gone" }).pipe(asUser(ADMIN))
      yield* TestClock.adjust("71 hours")
      assert.strictEqual(yield* Core.pendingApprovalCount.pipe(asUser("apo@acme.test")), 1)
      yield* TestClock.adjust("1 hour")
      assert.strictEqual(yield* Core.pendingApprovalCount.pipe(asUser("apo@acme.test")), 0)
      assert.deepStrictEqual((yield* Core.listApprovals({ status: "expired" }).pipe(asUser("apo@acme.test"))).map((a) => a.id), [approval.id])
      const expired = yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("apo@acme.test")), "ApprovalExpired")
      assert.include(expired.message, "2025-06-04 09:00")
      assert.strictEqual((yield* Core.showUser("bob@acme.test").pipe(asUser(ADMIN))).user.status, "active")

      // the sweep records it (once, audited); deciding it stays refused the same way
      const head = yield* auditHead
      assert.strictEqual(yield* Core.Jobs.expireApprovals.pipe(Core.Jobs.asSystem("cli")), 1)
      assert.strictEqual(yield* Core.Jobs.expireApprovals.pipe(Core.Jobs.asSystem("cli")), 0, "a second sweep finds nothing")
      const [event] = yield* auditSince(head)
      assert.deepStrictEqual([event?.action, event?.approvalId], ["approval.expire", approval.id])
      const stored = yield* Core.showApproval(approval.id).pipe(asUser(ADMIN))
      assert.deepStrictEqual([stored.status, stored.version], ["expired", approval.version + 1])
      yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("apo@acme.test")), "ApprovalExpired")
      yield* failsWithNothingWritten(Core.denyRequest(approval.id, { reason: "late" }).pipe(asUser("apo@acme.test")), "ApprovalExpired")
    })))

  it.live("an approved action that can no longer be carried out ends failed, with nothing of it applied", () =>
    withDatabase(Effect.gen(function*() {
      yield* withApprover
      yield* activeUser({ email: "mgr@acme.test", roles: ["user-manager"] })
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "gone" }).pipe(asUser("mgr@acme.test"))
      yield* Core.revokeRole({ role: "user-manager", from: { user: "mgr@acme.test" }, scope: "org:acme" }).pipe(asUser(ADMIN))
      const head = yield* auditHead
      const decision = yield* Core.approveRequest(approval.id).pipe(asUser("apo@acme.test"))
      assert.isFalse(decision.executed)
      assert.strictEqual(decision.approval.status, "failed")
      assert.include(decision.approval.error ?? "", "users.delete")
      assert.strictEqual((yield* Core.showUser("bob@acme.test").pipe(asUser(ADMIN))).user.status, "active", "the requester's lost authority does not survive approval")
      assert.deepStrictEqual((yield* auditSince(head)).map((e) => e.action), ["approval.approve", "approval.fail"])
    })))

  it.live("removing more than one user from an organization waits for approval; approving removes them all, accounts kept", () =>
    withDatabase(Effect.gen(function*() {
      yield* withApprover
      yield* activeUser({ email: "cy@acme.test" })
      const single = yield* Core.removeOrgMembers("acme", ["cy@acme.test"]).pipe(asUser(ADMIN))
      assert.deepStrictEqual(single._tag === "MembersRemoved" ? single.removed : [], ["cy@acme.test"], "one user: done at once")
      yield* Core.addOrgMembers("acme", ["cy@acme.test"]).pipe(asUser(ADMIN))
      yield* failsWithNothingWritten(Core.removeOrgMembers("acme", ["cy@acme.test", "bob@acme.test"]).pipe(asUser(ADMIN)), "ReasonRequired")
      const bulk = yield* Core.removeOrgMembers("acme", ["cy@acme.test", "bob@acme.test", "CY@acme.test"], { reason: "team moved" }).pipe(asUser(ADMIN))
      assert.strictEqual(bulk._tag, "ApprovalRequested")
      const approval = bulk._tag === "ApprovalRequested" ? bulk.approval : undefined
      assert.strictEqual(approval?.summary, "Remove 2 users from acme: cy@acme.test, bob@acme.test")
      assert.deepStrictEqual((yield* Core.showUser("bob@acme.test").pipe(asUser(ADMIN))).organizations.map((o) => o.slug), ["acme"], "nothing removed yet")
      const decision = yield* Core.approveRequest(approval!.id).pipe(asUser("apo@acme.test"))
      assert.isTrue(decision.executed)
      assert.deepStrictEqual(decision.approval.result, { org: "acme", removed: ["cy@acme.test", "bob@acme.test"] })
      const bob = yield* Core.showUser("bob@acme.test").pipe(system)
      assert.deepStrictEqual([bob.user.status, bob.organizations, bob.groups], ["active", [], []], "the account stays, its membership and groups go")
    })))

  it.live("configuration gates admin grants and bulk suspension; only settings.manage holders may change it", () =>
    withDatabase(Effect.gen(function*() {
      yield* withApprover
      yield* activeUser({ email: "cy@acme.test" })
      yield* activeUser({ email: "oa@acme.test", roles: ["org-admin"] })
      yield* failsWithNothingWritten(Core.setSetting("approval.gates", "admin-grants").pipe(asUser("oa@acme.test")), "PermissionDenied")
      const bad = yield* failsWithNothingWritten(Core.setSetting("approval.gates", "everything").pipe(asUser(ADMIN)), "SettingInvalid")
      assert.include(bad.message, "unknown gate everything")
      yield* failsWithNothingWritten(Core.setSetting("colour", "blue").pipe(asUser(ADMIN)), "SettingInvalid")
      const direct = yield* Core.grantRole({ role: "org-admin", to: { user: "cy@acme.test" } }).pipe(asUser(ADMIN), Effect.flatMap(granted))
      assert.isTrue(direct.created, "ungated: granted at once")
      yield* Core.revokeRole({ role: "org-admin", from: { user: "cy@acme.test" } }).pipe(asUser(ADMIN))

      yield* Core.createGroup({ name: "leads" }).pipe(system)
      yield* Core.grantRole({ role: "org-admin", to: { group: "leads" } }).pipe(asUser(ADMIN), Effect.flatMap(granted))

      const settings = yield* Core.setSetting("approval.gates", "admin-grants, bulk-suspend").pipe(asUser(ADMIN))
      assert.deepStrictEqual(settings["approval.gates"], ["admin-grants", "bulk-suspend"])
      const joining = yield* failsWithNothingWritten(Core.addGroupMembers("leads", ["cy@acme.test"]).pipe(asUser(ADMIN)), "GrantNeedsApproval")
      assert.include(joining.message, "Joining acme/leads grants org-admin at org:acme")
      const gatedGrant = yield* Core.grantRole({ role: "org-admin", to: { user: "cy@acme.test" }, reason: "new lead" }).pipe(asUser(ADMIN))
      assert.strictEqual(gatedGrant._tag, "ApprovalRequested")
      yield* failsWithNothingWritten(Core.grantRole({ role: "provider-admin", to: { user: "cy@acme.test" }, scope: "provider" }).pipe(asUser(ADMIN)), "ReasonRequired")
      yield* Core.grantRole({ role: "auditor", to: { user: "cy@acme.test" } }).pipe(asUser(ADMIN), Effect.flatMap(granted))
      assert.isFalse((yield* Core.why("cy@acme.test", "roles.manage").pipe(system)).allowed)
      const approval = gatedGrant._tag === "ApprovalRequested" ? gatedGrant.approval : undefined
      yield* Core.approveRequest(approval!.id).pipe(asUser("apo@acme.test"))
      assert.isTrue((yield* Core.why("cy@acme.test", "roles.manage").pipe(system)).allowed, "granted once approved")

      // a new account can't carry a gated role past the gate: invitation, creation and import alike refuse it
      const invited = yield* failsWithNothingWritten(Core.inviteUser({ email: "boss@acme.test", roles: ["org-admin"], link: true }).pipe(asUser(ADMIN)), "GrantNeedsApproval")
      assert.include(invited.message, "grant the role on its own")
      yield* failsWithNothingWritten(Core.createUser({ email: "boss@acme.test", firstName: "B", lastName: "Oss", roles: ["auditor", "provider-admin"], scope: "provider" }).pipe(asUser(ADMIN)), "GrantNeedsApproval")
      yield* Core.inviteUser({ email: "boss@acme.test", roles: ["auditor"], link: true }).pipe(asUser(ADMIN))

      const suspension = yield* Core.suspendUsers(["cy@acme.test", "bob@acme.test"], { reason: "incident" }).pipe(asUser(ADMIN))
      assert.strictEqual(suspension._tag, "ApprovalRequested")
      const one = yield* Core.suspendUsers(["bob@acme.test"]).pipe(asUser(ADMIN))
      assert.deepStrictEqual(one._tag === "Suspended" ? one.results.map((r) => r.ok) : [], [true], "a single user is not bulk")
      const decided = yield* Core.approveRequest(suspension._tag === "ApprovalRequested" ? suspension.approval.id : "").pipe(asUser("apo@acme.test"))
      assert.deepStrictEqual(decided.approval.result, { suspended: ["cy@acme.test"] }, "bob was suspended already and is left as he is")
    })))

  it.live("item 5: one pending request per action and target; a second is refused naming the first, and may be filed again once it is decided", () =>
    withDatabase(Effect.gen(function*() {
      yield* withApprover
      yield* activeUser({ email: "oadm@acme.test", roles: ["org-admin"] })
      const first = yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(asUser(ADMIN))
      for (const requester of [ADMIN, "oadm@acme.test"]) {
        const again = yield* failsWithNothingWritten(Core.deleteUser("bob@acme.test", { reason: "left, asked again" }).pipe(asUser(requester)), "ApprovalAlreadyPending")
        assert.deepStrictEqual([again.id, again.requestedBy], [first.approval.id, ADMIN])
        assert.include(again.message, first.approval.id)
      }
      yield* Core.denyRequest(first.approval.id, { reason: "not yet" }).pipe(asUser("apo@acme.test"))
      const second = yield* Core.deleteUser("bob@acme.test", { reason: "left, now really" }).pipe(asUser(ADMIN))
      assert.strictEqual(second.approval.status, "pending")
      yield* Core.approveRequest(second.approval.id).pipe(asUser("apo@acme.test"))
      yield* failsWith(Core.showUser("bob@acme.test").pipe(asUser(ADMIN)), "UserNotFound")
    })))

  it.live("without a gate, bulk suspension reports per user; only visible requests are listed", () =>
    withDatabase(Effect.gen(function*() {
      yield* withApprover
      yield* activeUser({ email: "cy@acme.test" })
      const result = yield* Core.suspendUsers(["cy@acme.test", "ghost@acme.test", "bob@acme.test"], { reason: "incident" }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(
        result._tag === "Suspended" ? result.results.map((r) => r.ok ? `${r.user}:${r.status}` : `${r.user}:${r.error._tag}`) : [],
        ["cy@acme.test:suspended", "ghost@acme.test:UserNotFound", "bob@acme.test:suspended"]
      )
      yield* Core.deleteUser("cy@acme.test", { reason: "gone" }).pipe(asUser(ADMIN))
      yield* activeUser({ email: "nobody@acme.test" })
      assert.lengthOf(yield* Core.listApprovals().pipe(asUser("nobody@acme.test")), 0)
      assert.lengthOf(yield* Core.listApprovals().pipe(asUser("apo@acme.test")), 1)
      yield* failsWith(Core.showApproval((yield* Core.listApprovals().pipe(asUser(ADMIN)))[0]!.id).pipe(asUser("nobody@acme.test")), "PermissionDenied")
    })))
})
