import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Core from "../src/index.js"
import {
  activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, granted, initialized, system, withDatabase
} from "./support.js"

const EFC = "ExpensesFinancialController"

/** Seed 001's app role: an application permission and a catalog one, granted at an app scope. */
const expensesSetup = Effect.gen(function*() {
  yield* initialized
  yield* Core.createApp("acme/expenses", "Expenses").pipe(system)
  yield* Core.createRole({ name: EFC, permissions: ["expenses.approve", "users.read"], description: "Approves expense reports" }).pipe(system)
}).pipe(Effect.orDie)

describe("Roles", () => {
  it.live("listRoles shows the built-ins first; showRole lists who holds a role; both need roles.read", () =>
    withDatabase(Effect.gen(function*() {
      yield* expensesSetup
      yield* activeUser({ email: "audrey@acme.test", roles: ["auditor"] })
      yield* activeUser({ email: "nobody@acme.test" })
      const roles = yield* Core.listRoles.pipe(asUser("audrey@acme.test"))
      assert.deepStrictEqual(roles.map((r) => [r.name, r.builtIn]), [
        ["approver", true], ["auditor", true], ["org-admin", true], ["provider-admin", true], ["user-manager", true], [EFC, false]
      ])
      assert.deepStrictEqual(roles.find((r) => r.name === "provider-admin")?.grants, 1)
      const auditor = yield* Core.showRole("auditor").pipe(asUser("audrey@acme.test"))
      assert.deepStrictEqual(auditor.holders, [{ principalType: "user", principal: "audrey@acme.test", scope: "org:acme", expiresAt: null }])
      const denied = yield* failsWith(Core.listRoles.pipe(asUser("nobody@acme.test")), "PermissionDenied")
      assert.deepStrictEqual([denied.permission, denied.scope], ["roles.read", "org:acme"])
      yield* failsWith(Core.showRole("nope").pipe(asUser(ADMIN)), "RoleNotFound")
    })))

  describe("createRole", () => {
    it.live("creates a custom role with catalog and application permissions, audited", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        const head = yield* auditHead
        const role = yield* Core.createRole({ name: " Reporting.Viewer ", permissions: ["reports.view", " users.read", "reports.view"] }).pipe(asUser(ADMIN))
        assert.deepStrictEqual([role.name, role.builtIn, role.permissions], ["Reporting.Viewer", false, ["reports.view", "users.read"]])
        assert.deepStrictEqual(yield* auditActions(head), ["role.create"])
      })))

    it.live("a taken name, a bad name, a bad permission or no permission is a typed error; nothing written", () =>
      withDatabase(Effect.gen(function*() {
        yield* expensesSetup
        const create = (name: string, permissions: ReadonlyArray<string>) => Core.createRole({ name, permissions }).pipe(asUser(ADMIN))
        assert.strictEqual((yield* failsWithNothingWritten(create(EFC.toLowerCase(), ["x.y"]), "RoleExists")).role, EFC.toLowerCase())
        assert.strictEqual((yield* failsWithNothingWritten(create("auditor", ["x.y"]), "RoleExists")).role, "auditor")
        assert.strictEqual((yield* failsWithNothingWritten(create("1st-role", ["x.y"]), "InvalidName")).kind, "role")
        assert.strictEqual((yield* failsWithNothingWritten(create("Bad", ["Expenses.Approve"]), "InvalidPermission")).permission, "Expenses.Approve")
        assert.strictEqual((yield* failsWithNothingWritten(create("Bad", []), "InvalidInput")).field, "permissions")
      })))

    it.live("roles are directory-wide: an org admin may not define them (roles.manage at provider)", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "olga@acme.test", roles: ["org-admin"] })
        const denied = yield* failsWithNothingWritten(
          Core.createRole({ name: "Mine", permissions: ["users.read"] }).pipe(asUser("olga@acme.test")),
          "PermissionDenied"
        )
        assert.deepStrictEqual([denied.permission, denied.scope], ["roles.manage", "provider"])
      })))
  })

  describe("grantRole and why", () => {
    it.live("an app role granted at app:acme/expenses: why reports the direct path and the path through a group", () =>
      withDatabase(Effect.gen(function*() {
        yield* expensesSetup
        yield* activeUser({ email: "fay@acme.test", firstName: "Fay" })
        yield* activeUser({ email: "gus@acme.test", firstName: "Gus" })
        const head = yield* auditHead
        const grant = yield* Core.grantRole({ role: EFC, to: { user: "fay@acme.test" }, scope: "app:acme/expenses" }).pipe(asUser(ADMIN), Effect.flatMap(granted))
        assert.deepStrictEqual([grant.role, grant.scope, grant.principal, grant.created, grant.expiresAt], [EFC, "app:acme/expenses", "fay@acme.test", true, null])

        const direct: Core.WhyAnswer = yield* Core.why("fay@acme.test", "expenses.approve", "app:acme/expenses").pipe(asUser(ADMIN))
        assert.isTrue(direct.allowed)
        assert.deepStrictEqual(direct.paths, [{ role: EFC, scope: "app:acme/expenses", group: null, expiresAt: null }])
        assert.isFalse((yield* Core.why("fay@acme.test", "expenses.approve", "org:acme").pipe(asUser(ADMIN))).allowed, "not above the app")
        assert.isFalse((yield* Core.why("gus@acme.test", "expenses.approve", "app:acme/expenses").pipe(asUser(ADMIN))).allowed)

        yield* Core.createGroup({ name: "finance" }).pipe(asUser(ADMIN))
        yield* Core.grantRole({ role: EFC, to: { group: "finance" }, scope: "app:acme/expenses" }).pipe(asUser(ADMIN))
        yield* Core.addGroupMembers("finance", ["gus@acme.test", "fay@acme.test"]).pipe(asUser(ADMIN))
        const viaGroup: Core.WhyAnswer = yield* Core.why("gus@acme.test", "expenses.approve", "app:acme/expenses").pipe(asUser(ADMIN))
        assert.isTrue(viaGroup.allowed)
        assert.deepStrictEqual(viaGroup.paths, [{ role: EFC, scope: "app:acme/expenses", group: "acme/finance", expiresAt: null }])
        const both: Core.WhyAnswer = yield* Core.why("fay@acme.test", "expenses.approve", "app:acme/expenses").pipe(asUser(ADMIN))
        assert.sameDeepMembers([...both.paths], [
          { role: EFC, scope: "app:acme/expenses", group: null, expiresAt: null },
          { role: EFC, scope: "app:acme/expenses", group: "acme/finance", expiresAt: null }
        ])
        assert.deepStrictEqual(yield* auditActions(head), ["role.grant", "group.create", "role.grant", "group.member.add", "group.member.add"])
      })))

    it.live("an org admin at org:acme cannot grant provider-admin: EscalationDenied there, PermissionDenied at provider", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "olga@acme.test", roles: ["org-admin"] })
        yield* activeUser({ email: "pat@acme.test" })
        const escalation = yield* failsWithNothingWritten(
          Core.grantRole({ role: "provider-admin", to: { user: "pat@acme.test" } }).pipe(asUser("olga@acme.test")),
          "EscalationDenied"
        )
        assert.deepStrictEqual([escalation.role, escalation.scope, escalation.missing], ["provider-admin", "org:acme", ["orgs.manage", "settings.manage"]])
        const denied = yield* failsWithNothingWritten(
          Core.grantRole({ role: "provider-admin", to: { user: "pat@acme.test" }, scope: "provider" }).pipe(asUser("olga@acme.test")),
          "PermissionDenied"
        )
        assert.deepStrictEqual([denied.permission, denied.scope], ["roles.assign", "provider"])
        // what it holds, it may hand out
        yield* Core.grantRole({ role: "user-manager", to: { user: "pat@acme.test" } }).pipe(asUser("olga@acme.test"))
        assert.isTrue((yield* Core.why("pat@acme.test", "users.create").pipe(asUser(ADMIN))).allowed)
      })))

    it.live("unknown role, scope, user or group is a typed error and grants nothing", () =>
      withDatabase(Effect.gen(function*() {
        yield* expensesSetup
        yield* activeUser({ email: "pat@acme.test" })
        const grant = (input: Partial<Core.GrantInput>) =>
          Core.grantRole({ role: "auditor", to: { user: "pat@acme.test" }, ...input }).pipe(asUser(ADMIN))
        assert.strictEqual((yield* failsWithNothingWritten(grant({ role: "wizard" }), "RoleNotFound")).role, "wizard")
        assert.strictEqual((yield* failsWithNothingWritten(grant({ scope: "org:" }), "InvalidScope")).scope, "org:")
        assert.strictEqual((yield* failsWithNothingWritten(grant({ scope: "org:nowhere" }), "ScopeNotFound")).scope, "org:nowhere")
        assert.strictEqual((yield* failsWithNothingWritten(grant({ scope: "app:acme/payroll" }), "ScopeNotFound")).scope, "app:acme/payroll")
        assert.strictEqual((yield* failsWithNothingWritten(grant({ scope: "app:nowhere/expenses" }), "ScopeNotFound")).scope, "app:nowhere/expenses")
        assert.strictEqual((yield* failsWithNothingWritten(grant({ to: { user: "ghost@acme.test" } }), "UserNotFound")).user, "ghost@acme.test")
        assert.strictEqual((yield* failsWithNothingWritten(grant({ to: { group: "ghosts" } }), "GroupNotFound")).group, "ghosts")
        assert.strictEqual((yield* failsWithNothingWritten(grant({ to: { group: "nowhere/ghosts" } }), "GroupNotFound")).group, "nowhere/ghosts")
      })))

    it.live("a grant stays inside its organization: members only for users, the group's own organization for groups", () =>
      withDatabase(Effect.gen(function*() {
        yield* expensesSetup
        yield* Core.createOrg({ slug: "beta" }).pipe(system)
        yield* Core.createApp("beta/wiki").pipe(system)
        yield* Core.createGroup({ name: "finance" }).pipe(system)
        yield* activeUser({ email: "pat@acme.test" })
        const toPat = (scope: string) => Core.grantRole({ role: "auditor", to: { user: "pat@acme.test" }, scope }).pipe(asUser(ADMIN))
        const outsider = yield* failsWithNothingWritten(toPat("org:beta"), "NotAMember")
        assert.deepStrictEqual([outsider.user, outsider.org], ["pat@acme.test", "beta"])
        yield* failsWithNothingWritten(toPat("app:beta/wiki"), "NotAMember")
        const toFinance = (scope: string) => Core.grantRole({ role: "auditor", to: { group: "finance" }, scope }).pipe(asUser(ADMIN))
        const foreign = yield* failsWithNothingWritten(toFinance("app:beta/wiki"), "GrantOutsideOrganization")
        assert.deepStrictEqual([foreign.principal, foreign.org, foreign.scope], ["acme/finance", "acme", "app:beta/wiki"])
        yield* failsWithNothingWritten(toFinance("org:beta"), "GrantOutsideOrganization")
        // provider-wide and own-organization grants are fine; membership opens the other organization
        yield* toPat("provider")
        yield* toFinance("provider")
        yield* toFinance("app:acme/expenses")
        yield* Core.addOrgMembers("beta", ["pat@acme.test"]).pipe(system)
        yield* toPat("app:beta/wiki")
        assert.isTrue((yield* Core.why("pat@acme.test", "audit.read", "app:beta/wiki").pipe(asUser(ADMIN))).allowed)
      })))

    it.live("an expiry in the past or not a date is rejected and grants nothing", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "pat@acme.test" })
        const grant = (expiresAt: string) => Core.grantRole({ role: "auditor", to: { user: "pat@acme.test" }, expiresAt }).pipe(asUser(ADMIN))
        const past = yield* failsWithNothingWritten(grant(new Date(Date.now() - 60_000).toISOString()), "InvalidInput")
        assert.strictEqual(past.field, "expires")
        assert.include(past.reason, "future")
        assert.strictEqual((yield* failsWithNothingWritten(grant("next tuesday"), "InvalidInput")).field, "expires")
      })))

    it.effect("a grant that expires stops counting then, without anyone touching it (TestClock)", () =>
      withDatabase(Effect.gen(function*() {
        yield* TestClock.setTime(Date.parse("2025-06-15T12:00:00.000Z"))
        yield* initialized
        yield* activeUser({ email: "pat@acme.test" })
        const grant = yield* Core.grantRole({ role: "auditor", to: { user: "pat@acme.test" }, scope: "provider", expiresAt: "2025-06-15T13:00:00+00:00" }).pipe(asUser(ADMIN), Effect.flatMap(granted))
        assert.strictEqual(grant.expiresAt, "2025-06-15T13:00:00.000Z")
        const now = yield* Core.why("pat@acme.test", "audit.read").pipe(asUser(ADMIN))
        assert.isTrue(now.allowed)
        assert.deepStrictEqual(now.paths.map((p) => p.expiresAt), ["2025-06-15T13:00:00.000Z"])
        assert.lengthOf(yield* Core.listAudit({ limit: 1 }).pipe(asUser("pat@acme.test")), 1)

        yield* TestClock.adjust("59 minutes")
        assert.isTrue((yield* Core.why("pat@acme.test", "audit.read").pipe(asUser(ADMIN))).allowed)
        yield* TestClock.adjust("1 minute")
        assert.isFalse((yield* Core.why("pat@acme.test", "audit.read").pipe(asUser(ADMIN))).allowed, "expired at 13:00")
        const denied = yield* failsWith(Core.listAudit().pipe(asUser("pat@acme.test")), "PermissionDenied")
        assert.strictEqual(denied.permission, "audit.read")
        // the grant is still there to see (and to renew)
        const detail = yield* Core.showUser("pat@acme.test").pipe(asUser(ADMIN))
        assert.deepStrictEqual(detail.grants.map((g) => [g.role, g.expiresAt]), [["auditor", "2025-06-15T13:00:00.000Z"]])
        const renewed = yield* Core.grantRole({ role: "auditor", to: { user: "pat@acme.test" }, scope: "provider" }).pipe(asUser(ADMIN), Effect.flatMap(granted))
        assert.isFalse(renewed.created, "granting what is held updates the expiry")
        assert.isTrue((yield* Core.why("pat@acme.test", "audit.read").pipe(asUser(ADMIN))).allowed)
      })))

    it.live("an expired provider-admin grant (expires_at written directly) does not count as an admin", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "second@acme.test", roles: ["provider-admin"], scope: "provider" })
        assert.strictEqual((yield* Core.Jobs.providerAdmins.pipe(Core.Jobs.asSystem("cli"))).length, 2)
        const sql = yield* SqlClient.SqlClient
        yield* sql`UPDATE grants SET expires_at = ${new Date(Date.now() - 1000).toISOString()}
                    WHERE principal_id = (SELECT id FROM users WHERE email = 'second@acme.test')`
        assert.strictEqual((yield* Core.Jobs.providerAdmins.pipe(Core.Jobs.asSystem("cli"))).length, 1)
        assert.isFalse((yield* Core.why("second@acme.test", "orgs.manage", "provider").pipe(asUser(ADMIN))).allowed)
        yield* failsWith(Core.createOrg({ slug: "beta" }).pipe(asUser("second@acme.test")), "PermissionDenied")
        yield* failsWith(Core.suspendUser(ADMIN).pipe(system), "LastProviderAdmin")
      })))
  })

  describe("revokeRole", () => {
    it.live("revokes a grant: the permission is gone on the very next check, and it is audited", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "pat@acme.test", roles: ["auditor"] })
        const head = yield* auditHead
        const revoked = yield* Core.revokeRole({ role: "auditor", from: { user: "pat@acme.test" } }).pipe(asUser(ADMIN))
        assert.deepStrictEqual(revoked, { role: "auditor", scope: "org:acme", principal: "pat@acme.test" })
        assert.isFalse((yield* Core.why("pat@acme.test", "users.read").pipe(asUser(ADMIN))).allowed)
        assert.deepStrictEqual(yield* auditActions(head), ["role.revoke"])
        const missing = yield* failsWithNothingWritten(Core.revokeRole({ role: "auditor", from: { user: "pat@acme.test" } }).pipe(asUser(ADMIN)), "GrantNotFound")
        assert.deepStrictEqual([missing.role, missing.principal, missing.scope], ["auditor", "pat@acme.test", "org:acme"])
        yield* failsWithNothingWritten(Core.revokeRole({ role: "auditor", from: { user: "pat@acme.test" }, scope: "nowhere" }).pipe(asUser(ADMIN)), "InvalidScope")
      })))

    it.live("revoking needs roles.assign at the scope", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "audrey@acme.test", roles: ["auditor"] })
        const denied = yield* failsWithNothingWritten(
          Core.revokeRole({ role: "provider-admin", from: { user: ADMIN }, scope: "provider" }).pipe(asUser("audrey@acme.test")),
          "PermissionDenied"
        )
        assert.deepStrictEqual([denied.permission, denied.scope], ["roles.assign", "provider"])
      })))

    it.live("provider-admin cannot be revoked from the last active provider admin; from one of two it can", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        const revoke = (email: string) => Core.revokeRole({ role: "provider-admin", from: { user: email }, scope: "provider" })
        assert.strictEqual((yield* failsWithNothingWritten(revoke(ADMIN).pipe(system), "LastProviderAdmin")).user, ADMIN)
        yield* failsWithNothingWritten(revoke(ADMIN).pipe(asUser(ADMIN)), "LastProviderAdmin")
        yield* activeUser({ email: "second@acme.test", roles: ["provider-admin"], scope: "provider" })
        // a suspended admin does not count
        yield* Core.suspendUser("second@acme.test").pipe(asUser(ADMIN))
        yield* failsWithNothingWritten(revoke(ADMIN).pipe(asUser(ADMIN)), "LastProviderAdmin")
        yield* Core.reactivateUser("second@acme.test").pipe(asUser(ADMIN))
        yield* revoke(ADMIN).pipe(asUser("second@acme.test"))
        assert.strictEqual((yield* Core.Jobs.providerAdmins.pipe(Core.Jobs.asSystem("cli"))).length, 1)
        yield* failsWith(revoke("second@acme.test").pipe(asUser("second@acme.test")), "LastProviderAdmin")
      })))
  })
})
