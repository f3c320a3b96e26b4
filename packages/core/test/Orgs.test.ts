import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Core from "../src/index.js"
import {
  activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, initialized, system, withDatabase
} from "./support.js"

const allows = (email: string, permission: string, scope?: string) =>
  Core.why(email, permission, scope).pipe(system, Effect.orDie, Effect.map((answer) => answer.allowed))

describe("Orgs", () => {
  describe("organizations", () => {
    it.live("createOrg adds an organization (orgs.manage at provider); slugs are unique and well-formed", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "olga@acme.test", roles: ["org-admin"] })
        const head = yield* auditHead
        const beta = yield* Core.createOrg({ slug: " beta ", name: " Beta Ltd " }).pipe(asUser(ADMIN))
        assert.deepStrictEqual([beta.slug, beta.name, beta.members, beta.isDefault], ["beta", "Beta Ltd", 0, false])
        assert.strictEqual((yield* Core.createOrg({ slug: "gamma" }).pipe(asUser(ADMIN))).name, "gamma")
        assert.deepStrictEqual(yield* auditActions(head), ["org.create", "org.create"])
        const orgs = yield* Core.listOrgs.pipe(asUser(ADMIN))
        assert.deepStrictEqual(orgs.map((o) => [o.slug, o.members, o.isDefault]), [["acme", 2, true], ["beta", 0, false], ["gamma", 0, false]])

        assert.strictEqual((yield* failsWithNothingWritten(Core.createOrg({ slug: "beta" }).pipe(asUser(ADMIN)), "OrgExists")).org, "beta")
        assert.strictEqual((yield* failsWithNothingWritten(Core.createOrg({ slug: "Bad_Slug" }).pipe(asUser(ADMIN)), "InvalidName")).kind, "organization")
        assert.strictEqual((yield* failsWithNothingWritten(Core.createOrg({ slug: "delta", name: "x".repeat(101) }).pipe(asUser(ADMIN)), "InvalidInput")).field, "name")
        const denied = yield* failsWithNothingWritten(Core.createOrg({ slug: "delta" }).pipe(asUser("olga@acme.test")), "PermissionDenied")
        assert.deepStrictEqual([denied.permission, denied.scope], ["orgs.manage", "provider"])
      })))

    it.live("listOrgs shows only organizations where the actor holds something", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* Core.createOrg({ slug: "beta" }).pipe(system)
        yield* activeUser({ email: "bea@beta.test", org: "beta", roles: ["auditor"] })
        yield* activeUser({ email: "nobody@acme.test" })
        assert.deepStrictEqual((yield* Core.listOrgs.pipe(asUser("bea@beta.test"))).map((o) => o.slug), ["beta"])
        assert.deepStrictEqual(yield* Core.listOrgs.pipe(asUser("nobody@acme.test")), [])
      })))

    it.live("addOrgMembers joins existing users (orgs.members.manage there) and grants nothing by itself", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* Core.createOrg({ slug: "beta" }).pipe(system)
        yield* activeUser({ email: "olga@acme.test", roles: ["org-admin"] })
        yield* activeUser({ email: "pat@acme.test" })
        const head = yield* auditHead
        const added = yield* Core.addOrgMembers("beta", ["pat@acme.test"]).pipe(asUser(ADMIN))
        assert.deepStrictEqual(added, { org: "beta", results: [{ user: "pat@acme.test", added: true }] })
        assert.deepStrictEqual((yield* Core.addOrgMembers("beta", ["pat@acme.test"]).pipe(asUser(ADMIN))).results, [{ user: "pat@acme.test", added: false }])
        assert.deepStrictEqual(yield* auditActions(head), ["org.member.add"], "a no-op adds no audit row")
        assert.deepStrictEqual((yield* Core.showUser("pat@acme.test").pipe(asUser(ADMIN))).organizations.map((o) => o.slug), ["acme", "beta"])
        assert.isFalse(yield* allows("pat@acme.test", "users.read", "org:beta"))

        const denied = yield* failsWithNothingWritten(Core.addOrgMembers("beta", ["olga@acme.test"]).pipe(asUser("olga@acme.test")), "PermissionDenied")
        assert.deepStrictEqual([denied.permission, denied.scope], ["orgs.members.manage", "org:beta"])
        assert.strictEqual((yield* failsWithNothingWritten(Core.addOrgMembers("nowhere", ["pat@acme.test"]).pipe(asUser(ADMIN)), "OrgNotFound")).org, "nowhere")
        yield* failsWithNothingWritten(Core.addOrgMembers("beta", ["olga@acme.test", "ghost@acme.test"]).pipe(asUser(ADMIN)), "UserNotFound")
      })))

    it.live("removeOrgMembers keeps the account but drops its membership, the org's groups and its grants there", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* Core.createOrg({ slug: "beta" }).pipe(system)
        yield* Core.createApp("beta/wiki").pipe(system)
        yield* Core.createGroup({ name: "writers", org: "beta" }).pipe(system)
        yield* Core.grantRole({ role: "auditor", to: { group: "beta/writers" }, scope: "org:beta" }).pipe(system)
        yield* Core.createGroup({ name: "staff" }).pipe(system)
        yield* activeUser({ email: "pat@acme.test", roles: ["user-manager"], groups: ["staff"] })
        yield* Core.addOrgMembers("beta", ["pat@acme.test"]).pipe(system)
        yield* Core.addGroupMembers("beta/writers", ["pat@acme.test"]).pipe(system)
        yield* Core.grantRole({ role: "approver", to: { user: "pat@acme.test" }, scope: "org:beta" }).pipe(system)
        yield* Core.grantRole({ role: "approver", to: { user: "pat@acme.test" }, scope: "app:beta/wiki" }).pipe(system)
        yield* Core.grantRole({ role: "auditor", to: { user: "pat@acme.test" }, scope: "provider" }).pipe(system)
        assert.isTrue(yield* allows("pat@acme.test", "approvals.decide", "org:beta"))

        const head = yield* auditHead
        assert.deepStrictEqual(yield* Core.removeOrgMembers("beta", ["pat@acme.test"]).pipe(asUser(ADMIN)), { _tag: "MembersRemoved", org: "beta", removed: ["pat@acme.test"] })
        const pat = yield* Core.showUser("pat@acme.test").pipe(asUser(ADMIN))
        assert.strictEqual(pat.user.status, "active", "the account stays")
        assert.deepStrictEqual(pat.organizations.map((o) => o.slug), ["acme"])
        assert.deepStrictEqual(pat.groups.map((g) => `${g.org}/${g.name}`), ["acme/staff"])
        assert.sameDeepMembers(pat.grants.map((g) => [g.role, g.scope]), [["user-manager", "org:acme"], ["auditor", "provider"]])
        assert.isFalse(yield* allows("pat@acme.test", "approvals.decide", "org:beta"))
        assert.isFalse(yield* allows("pat@acme.test", "approvals.decide", "app:beta/wiki"))
        assert.isTrue(yield* allows("pat@acme.test", "users.create", "org:acme"))
        const [event] = yield* Core.listAudit({ afterSeq: head }).pipe(asUser(ADMIN))
        assert.strictEqual(event?.action, "org.member.remove")
        assert.deepStrictEqual(event?.details, { org: "beta", email: "pat@acme.test", groupsLeft: ["writers"], grantsRemoved: 2 })
        assert.deepStrictEqual(yield* auditActions(head), ["org.member.remove"])

        const notMember = yield* failsWithNothingWritten(Core.removeOrgMembers("beta", ["pat@acme.test"]).pipe(asUser(ADMIN)), "NotAMember")
        assert.deepStrictEqual([notMember.user, notMember.org], ["pat@acme.test", "beta"])
        yield* failsWithNothingWritten(Core.removeOrgMembers("nowhere", ["pat@acme.test"]).pipe(asUser(ADMIN)), "OrgNotFound")
      })))

    it.live("removing the last provider admin's only path (a group of the organization) is refused", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* Core.createGroup({ name: "admins" }).pipe(system)
        yield* Core.grantRole({ role: "provider-admin", to: { group: "admins" }, scope: "provider" }).pipe(system)
        yield* activeUser({ email: "root@acme.test", groups: ["admins"] })
        yield* Core.revokeRole({ role: "provider-admin", from: { user: ADMIN }, scope: "provider" }).pipe(asUser("root@acme.test"))
        const last = yield* failsWithNothingWritten(Core.removeOrgMembers("acme", ["root@acme.test"]).pipe(asUser("root@acme.test")), "LastProviderAdmin")
        assert.strictEqual(last.user, "acme")
      })))
  })

  describe("apps", () => {
    it.live("createApp adds ORG/APP (apps.manage at the organization); listApps shows those the actor may read roles at", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* Core.createOrg({ slug: "beta" }).pipe(system)
        yield* activeUser({ email: "mia@acme.test", roles: ["user-manager"] })
        yield* activeUser({ email: "bea@beta.test", org: "beta", roles: ["auditor"] })
        const head = yield* auditHead
        const app = yield* Core.createApp("acme/expenses", "Expenses").pipe(asUser(ADMIN))
        assert.deepStrictEqual([app.org, app.slug, app.name, app.scope], ["acme", "expenses", "Expenses", "app:acme/expenses"])
        yield* Core.createApp("beta/wiki").pipe(asUser(ADMIN))
        assert.deepStrictEqual(yield* auditActions(head), ["app.create", "app.create"])
        assert.deepStrictEqual((yield* Core.listApps.pipe(asUser(ADMIN))).map((a) => [a.scope, a.name]), [["app:acme/expenses", "Expenses"], ["app:beta/wiki", "wiki"]])
        assert.deepStrictEqual((yield* Core.listApps.pipe(asUser("bea@beta.test"))).map((a) => a.scope), ["app:beta/wiki"])
        assert.deepStrictEqual((yield* Core.listApps.pipe(asUser("mia@acme.test"))).map((a) => a.scope), ["app:acme/expenses"])

        assert.strictEqual((yield* failsWithNothingWritten(Core.createApp("acme/expenses").pipe(asUser(ADMIN)), "AppExists")).app, "acme/expenses")
        assert.strictEqual((yield* failsWithNothingWritten(Core.createApp("acme").pipe(asUser(ADMIN)), "InvalidInput")).field, "app")
        assert.strictEqual((yield* failsWithNothingWritten(Core.createApp("acme/a/b").pipe(asUser(ADMIN)), "InvalidInput")).field, "app")
        assert.strictEqual((yield* failsWithNothingWritten(Core.createApp("acme/Bad App").pipe(asUser(ADMIN)), "InvalidName")).kind, "app")
        assert.strictEqual((yield* failsWithNothingWritten(Core.createApp("nowhere/x").pipe(asUser(ADMIN)), "OrgNotFound")).org, "nowhere")
        const denied = yield* failsWithNothingWritten(Core.createApp("acme/payroll").pipe(asUser("mia@acme.test")), "PermissionDenied")
        assert.deepStrictEqual([denied.permission, denied.scope], ["apps.manage", "org:acme"])
        yield* failsWith(Core.grantRole({ role: "auditor", to: { user: "mia@acme.test" }, scope: "app:acme/payroll" }).pipe(asUser(ADMIN)), "ScopeNotFound")
      })))
  })
})
