import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Core from "../src/index.js"
import {
  activeUser, ADMIN, asUser, auditActions, failsWith, failsWithNothingWritten, initialized, snapshot, system, withDatabase, verdict
} from "./support.js"

describe("Directory", () => {
  describe("init", () => {
    it.live("sets up the first organization and an active provider admin, audited as the first event", () =>
      withDatabase(Effect.gen(function*() {
        const { admin, org } = yield* initialized
        assert.deepStrictEqual([org.slug, org.name], ["acme", "Acme"])
        assert.deepStrictEqual([admin.email, admin.status, admin.mustChangePassword, admin.firstName], [ADMIN, "active", false, "Ada"])
        assert.isNotNull(admin.registeredAt)
        assert.deepStrictEqual(yield* Core.Jobs.providerAdmins.pipe(Core.Jobs.asSystem("cli")), [admin.id])
        const detail = yield* Core.showUser(ADMIN).pipe(asUser(ADMIN))
        assert.deepStrictEqual(detail.grants.map((g) => [g.role, g.scope, g.grantedBy]), [["provider-admin", "provider", "system"]])
        assert.deepStrictEqual(detail.organizations.map((o) => o.slug), ["acme"])
        assert.deepStrictEqual(yield* auditActions(), ["directory.init"])
        assert.deepStrictEqual(verdict(yield* Core.verifyAudit.pipe(asUser(ADMIN))), { ok: true, events: 1, problems: [] })
        assert.deepStrictEqual(yield* Core.directoryInfo.pipe(asUser(ADMIN)), { users: 1, defaultOrg: "acme", actor: admin.id })
      })))

    it.live("runs once: AlreadyInitialized afterwards, and nothing written", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* failsWithNothingWritten(Core.init({ adminEmail: "other@acme.test" }).pipe(system), "AlreadyInitialized")
      })))

    it.live("takes the organization from the admin's e-mail domain when none is given", () =>
      withDatabase(Effect.gen(function*() {
        const { admin, org } = yield* Core.init({ adminEmail: " Ops@Example.CO.uk " }).pipe(system)
        assert.deepStrictEqual([org.slug, org.name, admin.email, admin.firstName], ["example", "example", "ops@example.co.uk", "Provider"])
      })))

    it.live("a bad e-mail or organization slug is a typed error and writes nothing", () =>
      withDatabase(Effect.gen(function*() {
        yield* failsWithNothingWritten(Core.init({ adminEmail: "not-an-email" }).pipe(system), "InvalidEmail")
        const bad = yield* failsWithNothingWritten(Core.init({ adminEmail: "a@acme.test", org: "Bad Org" }).pipe(system), "InvalidName")
        assert.strictEqual(bad.kind, "organization")
        assert.deepStrictEqual((yield* snapshot)["users"], [])
      })))

    it.live("before init there is nobody to act as and nothing to act on", () =>
      withDatabase(Effect.gen(function*() {
        yield* failsWith(Core.listUsers().pipe(Core.asUser(undefined, "cli")), "ActorUnknown")
        yield* failsWith(Core.createUser({ email: "a@acme.test", firstName: "A", lastName: "B" }).pipe(system), "NotInitialized")
        yield* failsWith(Core.createGroup({ name: "g" }).pipe(system), "NotInitialized")
        assert.deepStrictEqual(yield* Core.directoryInfo.pipe(system), { users: 0, defaultOrg: null, actor: "system" })
      })))
  })

  describe("actors", () => {
    it.live("with no --as, the sole provider admin acts; with two, or an unknown e-mail, ActorUnknown", () =>
      withDatabase(Effect.gen(function*() {
        const { admin } = yield* initialized
        assert.strictEqual(yield* Core.Jobs.resolveActorId(undefined).pipe(Core.Jobs.asSystem("cli")), admin.id)
        assert.strictEqual(yield* Core.Jobs.resolveActorId(" ADMIN@acme.test ").pipe(Core.Jobs.asSystem("cli")), admin.id)
        const unknown = yield* failsWith(Core.Jobs.resolveActorId("ghost@acme.test").pipe(Core.Jobs.asSystem("cli")), "ActorUnknown")
        assert.include(unknown.reason, "ghost@acme.test")
        yield* activeUser({ email: "second@acme.test", roles: ["provider-admin"], scope: "provider" })
        const several = yield* failsWith(Core.Jobs.resolveActorId(undefined).pipe(Core.Jobs.asSystem("cli")), "ActorUnknown")
        assert.strictEqual(several.unnamed, "several-admins", "a front-end adds how to name the actor (the CLI: --as)")
        assert.notInclude(several.reason, "--as")
      })))
  })

  describe("why", () => {
    it.live("answers allowed or not with the paths, for any user the actor may read", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "pat@acme.test", roles: ["auditor"] })
        const yes: Core.WhyAnswer = yield* Core.why("pat@acme.test", "users.read").pipe(asUser(ADMIN))
        assert.deepStrictEqual(yes, {
          allowed: true, user: "pat@acme.test", status: "active", permission: "users.read", scope: "org:acme",
          paths: [{ role: "auditor", scope: "org:acme", group: null, expiresAt: null }]
        })
        const no = yield* Core.why("pat@acme.test", "users.create", "provider").pipe(asUser(ADMIN))
        assert.deepStrictEqual([no.allowed, no.paths], [false, []])
        // an app permission nobody was given is simply not held
        assert.isFalse((yield* Core.why("pat@acme.test", "expenses.approve").pipe(asUser(ADMIN))).allowed)
        yield* Core.suspendUser("pat@acme.test").pipe(asUser(ADMIN))
        const suspended = yield* Core.why("pat@acme.test", "users.read").pipe(asUser(ADMIN))
        assert.deepStrictEqual([suspended.allowed, suspended.status, suspended.paths], [false, "suspended", []])
      })))

    it.live("a malformed permission or scope, an unknown user, or an unreadable one is a typed error", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* Core.createOrg({ slug: "beta" }).pipe(system)
        yield* activeUser({ email: "bea@beta.test", org: "beta", roles: ["auditor"] })
        assert.strictEqual((yield* failsWith(Core.why(ADMIN, "Not A Permission").pipe(asUser(ADMIN)), "InvalidPermission")).permission, "Not A Permission")
        yield* failsWith(Core.why(ADMIN, "users.read", "org:").pipe(asUser(ADMIN)), "InvalidScope")
        yield* failsWith(Core.why(ADMIN, "users.read", "org:nowhere").pipe(asUser(ADMIN)), "ScopeNotFound")
        yield* failsWith(Core.why("ghost@acme.test", "users.read").pipe(asUser(ADMIN)), "UserNotFound")
        // an account the reader may not see answers as a missing one (no enumeration)
        const hidden = yield* failsWith(Core.why(ADMIN, "users.read").pipe(asUser("bea@beta.test")), "UserNotFound")
        assert.strictEqual(hidden.message, new Core.UserNotFound({ user: ADMIN }).message)
      })))
  })

  it.live("the indexed resolver over loadDirectoryGraph agrees with loadSubject for every seeded user", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.createOrg({ slug: "beta" }).pipe(system)
      yield* Core.createApp("acme/expenses").pipe(system)
      yield* Core.createApp("beta/wiki").pipe(system)
      yield* Core.createRole({ name: "Payer", permissions: ["expenses.approve", "users.read"] }).pipe(system)
      yield* Core.seedUsers(300).pipe(system)
      yield* Core.grantRole({ role: "auditor", to: { group: "engineering" } }).pipe(system)
      yield* Core.grantRole({ role: "Payer", to: { group: "finance" }, scope: "app:acme/expenses" }).pipe(system)
      yield* Core.grantRole({ role: "user-manager", to: { group: "support" }, scope: "provider", expiresAt: new Date(Date.now() + 3_600_000).toISOString() }).pipe(system)
      yield* Core.grantRole({ role: "approver", to: { group: "sales" }, scope: "org:acme" }).pipe(system)
      const sql = yield* SqlClient.SqlClient
      const some = yield* sql<{ email: string }>`SELECT email FROM users WHERE email LIKE '%.1_@acme.example' ORDER BY email`
      for (const [i, { email }] of some.entries()) {
        yield* Core.grantRole({ role: i % 2 === 0 ? "org-admin" : "Payer", to: { user: email }, scope: i % 3 === 0 ? "app:acme/expenses" : "org:acme" }).pipe(system)
      }
      // one grant already expired, written directly
      yield* sql`UPDATE grants SET expires_at = ${new Date(Date.now() - 1000).toISOString()} WHERE principal_type = 'group'
                  AND role_id = (SELECT id FROM roles WHERE name = 'approver')`

      const graph = yield* Core.Jobs.loadDirectoryGraph.pipe(Core.Jobs.asSystem("cli"))
      const index = Core.PermissionIndex.build(graph)
      const at = new Date()
      const scopes = ["provider", "org:acme", "org:beta", "app:acme/expenses", "app:beta/wiki"].map((s) => s as Core.Scope.Scope)
      const permissions = ["users.read", "users.create", "roles.manage", "approvals.decide", "audit.read", "expenses.approve"]
      const users = yield* sql<{ id: string; status: string }>`SELECT id, status FROM users`
      assert.strictEqual(users.length, 301)
      let held = 0
      for (const user of users) {
        const subject = yield* Core.Jobs.loadSubject(user.id).pipe(Core.Jobs.asSystem("cli"))
        assert.strictEqual(subject.active, user.status === "active")
        for (const scope of scopes) {
          for (const permission of permissions) {
            const expected = Core.Permissions.has(subject, permission, scope, at)
            if (expected) held++
            assert.strictEqual(index.check(user.id, permission, scope, at.getTime()), expected, `${user.id} ${permission} @ ${scope}`)
          }
        }
      }
      assert.isAbove(held, 500)
    })))
})
