import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Core from "../src/index.js"
import {
  activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, initialized, system, withDatabase
} from "./support.js"

const allows = (email: string, permission: string, scope?: string) =>
  Core.why(email, permission, scope).pipe(system, Effect.orDie, Effect.map((answer) => answer.allowed))

describe("Groups", () => {
  it.live("createGroup makes an empty group in an organization; names are unique per organization", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createOrg({ slug: "beta" }).pipe(system)
      const head = yield* auditHead
      const group = yield* Core.createGroup({ name: " Finance Team " }).pipe(asUser(ADMIN))
      assert.deepStrictEqual([group.name, group.org, group.members, group.roles], ["Finance Team", "acme", 0, []])
      yield* Core.createGroup({ name: "Finance Team", org: "beta" }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(yield* auditActions(head), ["group.create", "group.create"])
      const all = yield* Core.listGroups().pipe(asUser(ADMIN))
      assert.deepStrictEqual(all.map((g) => `${g.org}/${g.name}`), ["acme/Finance Team", "beta/Finance Team"])
      const acme = yield* Core.listGroups({ org: "acme" }).pipe(asUser(ADMIN))
      assert.deepStrictEqual(acme.map((g) => g.id), [group.id])

      assert.strictEqual((yield* failsWithNothingWritten(Core.createGroup({ name: "Finance Team" }).pipe(asUser(ADMIN)), "GroupExists")).group, "acme/Finance Team")
      assert.strictEqual((yield* failsWithNothingWritten(Core.createGroup({ name: "-bad" }).pipe(asUser(ADMIN)), "InvalidName")).kind, "group")
      assert.strictEqual((yield* failsWithNothingWritten(Core.createGroup({ name: "x/y" }).pipe(asUser(ADMIN)), "InvalidName")).name, "x/y")
      assert.strictEqual((yield* failsWithNothingWritten(Core.createGroup({ name: "ok", org: "nowhere" }).pipe(asUser(ADMIN)), "OrgNotFound")).org, "nowhere")
    })))

  it.live("managing groups needs groups.manage; reading them groups.read", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* activeUser({ email: "mia@acme.test", roles: ["user-manager"] })
      yield* activeUser({ email: "nobody@acme.test" })
      yield* Core.createGroup({ name: "finance" }).pipe(system)
      const create = yield* failsWithNothingWritten(Core.createGroup({ name: "mine" }).pipe(asUser("mia@acme.test")), "PermissionDenied")
      assert.deepStrictEqual([create.permission, create.scope], ["groups.manage", "org:acme"])
      const remove = yield* failsWithNothingWritten(Core.deleteGroup("finance").pipe(asUser("mia@acme.test")), "PermissionDenied")
      assert.deepStrictEqual([remove.permission, remove.scope], ["groups.manage", "org:acme"])
      assert.lengthOf(yield* Core.listGroups({ org: "acme" }).pipe(asUser("mia@acme.test")), 1)
      const read = yield* failsWith(Core.listGroups({ org: "acme" }).pipe(asUser("nobody@acme.test")), "PermissionDenied")
      assert.deepStrictEqual([read.permission, read.scope], ["groups.read", "org:acme"])
      yield* failsWith(Core.groupMembers("finance").pipe(asUser("nobody@acme.test")), "PermissionDenied")
    })))

  it.live("adding and removing members: each change audited, the accounts stay", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createGroup({ name: "finance" }).pipe(system)
      yield* Core.grantRole({ role: "auditor", to: { group: "finance" } }).pipe(system)
      yield* activeUser({ email: "fay@acme.test" })
      yield* activeUser({ email: "gus@acme.test" })
      const head = yield* auditHead
      const added = yield* Core.addGroupMembers("finance", ["fay@acme.test", "GUS@acme.test"]).pipe(asUser(ADMIN))
      assert.deepStrictEqual(added, { group: "acme/finance", results: [{ user: "fay@acme.test", added: true }, { user: "gus@acme.test", added: true }] })
      const again = yield* Core.addGroupMembers("acme/finance", ["fay@acme.test"]).pipe(asUser(ADMIN))
      assert.deepStrictEqual(again.results, [{ user: "fay@acme.test", added: false }])
      assert.deepStrictEqual((yield* Core.groupMembers("finance").pipe(asUser(ADMIN))).members.map((m) => m.email), ["fay@acme.test", "gus@acme.test"])
      assert.isTrue(yield* allows("gus@acme.test", "audit.read"))
      const [listed] = yield* Core.listGroups({ org: "acme" }).pipe(asUser(ADMIN))
      assert.deepStrictEqual([listed?.members, listed?.roles], [2, [{ role: "auditor", scope: "org:acme", expiresAt: null }]])

      const removed = yield* Core.removeGroupMembers("finance", ["gus@acme.test"]).pipe(asUser(ADMIN))
      assert.deepStrictEqual(removed, { group: "acme/finance", removed: ["gus@acme.test"] })
      assert.isFalse(yield* allows("gus@acme.test", "audit.read"), "leaving the group takes away what it carried")
      assert.strictEqual((yield* Core.showUser("gus@acme.test").pipe(asUser(ADMIN))).user.status, "active")
      assert.deepStrictEqual(yield* auditActions(head), ["group.member.add", "group.member.add", "group.member.remove"])

      const notMember = yield* failsWithNothingWritten(Core.removeGroupMembers("finance", ["gus@acme.test"]).pipe(asUser(ADMIN)), "NotAMember")
      assert.deepStrictEqual([notMember.user, notMember.org], ["gus@acme.test", "acme/finance"])
      // one bad name in a batch: the whole batch is refused
      yield* failsWithNothingWritten(Core.removeGroupMembers("finance", ["fay@acme.test", "gus@acme.test"]).pipe(asUser(ADMIN)), "NotAMember")
      yield* failsWithNothingWritten(Core.addGroupMembers("finance", ["gus@acme.test", "ghost@acme.test"]).pipe(asUser(ADMIN)), "UserNotFound")
      assert.strictEqual((yield* failsWithNothingWritten(Core.addGroupMembers("ghosts", ["gus@acme.test"]).pipe(asUser(ADMIN)), "GroupNotFound")).group, "ghosts")
      assert.strictEqual((yield* failsWithNothingWritten(Core.removeGroupMembers("ghosts", ["gus@acme.test"]).pipe(asUser(ADMIN)), "GroupNotFound")).group, "ghosts")
      assert.strictEqual((yield* failsWithNothingWritten(Core.deleteGroup("ghosts").pipe(asUser(ADMIN)), "GroupNotFound")).group, "ghosts")
    })))

  it.live("a user manager cannot add someone to a group carrying org-admin (EscalationDenied); to a lesser group it can", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* activeUser({ email: "mia@acme.test", roles: ["user-manager"] })
      yield* activeUser({ email: "pat@acme.test" })
      yield* Core.createGroup({ name: "admins" }).pipe(system)
      yield* Core.grantRole({ role: "org-admin", to: { group: "admins" } }).pipe(system)
      yield* Core.createGroup({ name: "readers" }).pipe(system)
      yield* Core.grantRole({ role: "auditor", to: { group: "readers" } }).pipe(system)
      const escalation = yield* failsWithNothingWritten(Core.addGroupMembers("admins", ["pat@acme.test"]).pipe(asUser("mia@acme.test")), "EscalationDenied")
      assert.deepStrictEqual([escalation.role, escalation.scope], ["org-admin", "org:acme"])
      assert.includeMembers([...escalation.missing], ["roles.manage", "groups.manage", "orgs.members.manage"])
      assert.isFalse(yield* allows("pat@acme.test", "roles.manage"))
      yield* Core.addGroupMembers("readers", ["pat@acme.test"]).pipe(asUser("mia@acme.test"))
      assert.isTrue(yield* allows("pat@acme.test", "audit.read"))
      // and no one lacking groups.members.manage adds anyone at all
      const denied = yield* failsWithNothingWritten(Core.addGroupMembers("readers", ["mia@acme.test"]).pipe(asUser("pat@acme.test")), "PermissionDenied")
      assert.deepStrictEqual([denied.permission, denied.scope], ["groups.members.manage", "org:acme"])
    })))

  it.live("deleting a group takes away what it carried from its members; the accounts stay", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createGroup({ name: "finance" }).pipe(system)
      yield* Core.grantRole({ role: "auditor", to: { group: "finance" } }).pipe(system)
      yield* activeUser({ email: "fay@acme.test", groups: ["finance"] })
      assert.isTrue(yield* allows("fay@acme.test", "audit.read"))
      const head = yield* auditHead
      assert.deepStrictEqual(yield* Core.deleteGroup("finance").pipe(asUser(ADMIN)), { group: "acme/finance", members: 1 })
      assert.isFalse(yield* allows("fay@acme.test", "audit.read"))
      const fay = yield* Core.showUser("fay@acme.test").pipe(asUser(ADMIN))
      assert.deepStrictEqual([fay.user.status, fay.groups, fay.grants], ["active", [], []])
      assert.deepStrictEqual(yield* Core.listGroups().pipe(asUser(ADMIN)), [])
      assert.strictEqual((yield* Core.showRole("auditor").pipe(asUser(ADMIN))).holders.length, 0, "the group's grants are gone too")
      assert.deepStrictEqual(yield* auditActions(head), ["group.delete"])
    })))

  it.live("a group that is the last provider admin's only path cannot be deleted or left", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createGroup({ name: "admins" }).pipe(system)
      yield* Core.grantRole({ role: "provider-admin", to: { group: "admins" }, scope: "provider" }).pipe(system)
      yield* activeUser({ email: "root@acme.test", groups: ["admins"] })
      yield* Core.revokeRole({ role: "provider-admin", from: { user: ADMIN }, scope: "provider" }).pipe(asUser("root@acme.test"))
      assert.deepStrictEqual((yield* Core.Jobs.providerAdmins.pipe(Core.Jobs.asSystem("cli"))).length, 1)
      assert.strictEqual((yield* failsWithNothingWritten(Core.deleteGroup("admins").pipe(asUser("root@acme.test")), "LastProviderAdmin")).user, "acme/admins")
      yield* failsWithNothingWritten(Core.removeGroupMembers("admins", ["root@acme.test"]).pipe(asUser("root@acme.test")), "LastProviderAdmin")
      yield* Core.addGroupMembers("admins", [ADMIN]).pipe(asUser("root@acme.test"))
      yield* Core.removeGroupMembers("admins", ["root@acme.test"]).pipe(asUser(ADMIN))
      assert.deepStrictEqual((yield* Core.Jobs.providerAdmins.pipe(Core.Jobs.asSystem("cli"))).length, 1)
    })))
})
