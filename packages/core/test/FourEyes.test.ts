import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, failsWithNothingWritten, initialized, system, withDatabase } from "./support.js"

const OADM = "oadm@acme.test"
const PASSWORD = "correct horse battery staple"
const anonymous = Core.as("system", "api")

/** acme with an org admin who will file a deletion, an honest approver, and bob to delete. */
const directory = Effect.gen(function*() {
  yield* TestClock.setTime(Date.parse("2026-03-01T09:00:00.000Z"))
  yield* initialized
  yield* activeUser({ email: OADM, roles: ["org-admin"] })
  yield* activeUser({ email: "apo@acme.test", roles: ["approver"] })
  yield* activeUser({ email: "bob@acme.test" })
  yield* TestClock.adjust("1 hour")
})

describe("Four eyes that can't be faked (issue item 5)", () => {
  it.effect("a puppet the requester invites (with the link) after filing cannot approve; the honest approver still can", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(asUser(OADM))
      yield* TestClock.adjust("1 minute")
      const sent = yield* Core.inviteUser({ email: "puppet@acme.test", roles: ["approver"], link: true }).pipe(asUser(OADM))
      yield* Core.acceptInvitation({ token: sent.link!, password: PASSWORD, firstName: "Pup", lastName: "Pet" }).pipe(anonymous)
      yield* TestClock.adjust("1 minute")
      const refused = yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("puppet@acme.test")), "DeciderNotEligible")
      assert.deepStrictEqual(refused.scopes, ["org:acme"])
      assert.include(refused.message, "Someone else must decide it")
      yield* failsWithNothingWritten(Core.denyRequest(approval.id, { reason: "x" }).pipe(asUser("puppet@acme.test")), "DeciderNotEligible")
      yield* failsWithNothingWritten(Core.checkCanDecide(approval.id).pipe(asUser("puppet@acme.test")), "DeciderNotEligible")
      assert.strictEqual((yield* Core.showUser("bob@acme.test").pipe(asUser(ADMIN))).user.status, "active", "nothing executed")
      const decision = yield* Core.approveRequest(approval.id).pipe(asUser("apo@acme.test"))
      assert.isTrue(decision.executed)
    })))

  it.effect("a puppet invited by the requester before filing does not count either, and does not make a request fileable", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-03-01T09:00:00.000Z"))
      yield* initialized
      yield* activeUser({ email: OADM, roles: ["org-admin"] })
      yield* activeUser({ email: "bob@acme.test" })
      const sent = yield* Core.inviteUser({ email: "puppet@acme.test", roles: ["approver"], link: true }).pipe(asUser(OADM))
      yield* Core.acceptInvitation({ token: sent.link!, password: PASSWORD, firstName: "Pup", lastName: "Pet" }).pipe(anonymous)
      yield* TestClock.adjust("1 day")
      // the provider admin could decide (granted by system), so the request can be filed
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(asUser(OADM))
      yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("puppet@acme.test")), "DeciderNotEligible")
    })))

  it.effect("a request only a puppet of the requester could decide cannot be filed", () =>
    withDatabase(Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-03-01T09:00:00.000Z"))
      yield* initialized
      yield* activeUser({ email: "bob@acme.test" })
      const sent = yield* Core.inviteUser({ email: "puppet@acme.test", roles: ["approver"], link: true }).pipe(asUser(ADMIN))
      yield* Core.acceptInvitation({ token: sent.link!, password: PASSWORD, firstName: "Pup", lastName: "Pet" }).pipe(anonymous)
      yield* TestClock.adjust("1 day")
      yield* failsWithNothingWritten(Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(asUser(ADMIN)), "NoEligibleApprover")
    })))

  it.effect("a grant the requester makes, directly or through a group, after or before filing, does not count", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      yield* activeUser({ email: "friend@acme.test" })
      yield* activeUser({ email: "pal@acme.test" })
      yield* Core.createGroup({ name: "deciders" }).pipe(system)
      yield* Core.grantRole({ role: "approver", to: { group: "deciders" }, scope: "org:acme" }).pipe(system)
      // before filing: the requester grants the role to friend and adds pal to the group
      yield* Core.grantRole({ role: "approver", to: { user: "friend@acme.test" }, scope: "org:acme" }).pipe(asUser(OADM))
      yield* Core.addGroupMembers("deciders", ["pal@acme.test"]).pipe(asUser(OADM))
      yield* TestClock.adjust("1 hour")
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(asUser(OADM))
      yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("friend@acme.test")), "DeciderNotEligible")
      yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("pal@acme.test")), "DeciderNotEligible")
      // someone else's grant, made after filing, does not count for this request either
      yield* activeUser({ email: "late@acme.test" })
      yield* TestClock.adjust("1 minute")
      yield* Core.grantRole({ role: "approver", to: { user: "late@acme.test" }, scope: "org:acme" }).pipe(asUser(ADMIN))
      yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("late@acme.test")), "DeciderNotEligible")
      // the group grant itself came from system and pal's membership from someone else: that counts
      yield* Core.removeGroupMembers("deciders", ["pal@acme.test"]).pipe(asUser(ADMIN))
      yield* Core.cancelRequest(approval.id).pipe(asUser(OADM))
      yield* Core.addGroupMembers("deciders", ["pal@acme.test"]).pipe(asUser(ADMIN))
      yield* TestClock.adjust("1 minute")
      const again = yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(asUser(OADM))
      yield* TestClock.adjust("1 minute")
      assert.isTrue((yield* Core.approveRequest(again.approval.id).pipe(asUser("pal@acme.test"))).executed)
    })))

  it.effect("an account that became active after the request was filed cannot decide it", () =>
    withDatabase(Effect.gen(function*() {
      yield* directory
      const { approval } = yield* Core.deleteUser("bob@acme.test", { reason: "left" }).pipe(asUser(OADM))
      yield* TestClock.adjust("1 minute")
      // invited by the provider admin (not the requester), with a grant made by the provider admin
      const sent = yield* Core.inviteUser({ email: "newcomer@acme.test", roles: ["approver"], link: true }).pipe(asUser(ADMIN))
      yield* Core.acceptInvitation({ token: sent.link!, password: PASSWORD, firstName: "New", lastName: "Comer" }).pipe(anonymous)
      yield* failsWithNothingWritten(Core.approveRequest(approval.id).pipe(asUser("newcomer@acme.test")), "DeciderNotEligible")
    })))
})
