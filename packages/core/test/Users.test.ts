import { SqlClient } from "@effect/sql"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Core from "../src/index.js"
import {
  activate, activeUser, ADMIN, asUser, auditActions, auditHead, failsWith, failsWithNothingWritten, initialized, snapshot, system,
  TempDatabaseLive, withDatabase
} from "./support.js"

const passwordHashOf = (email: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const [row] = yield* sql<{ passwordHash: string | null }>`SELECT password_hash FROM users WHERE email = ${email}`
    return row?.passwordHash ?? null
  }).pipe(Effect.orDie)

const insertSession = (userId: string, id: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const now = new Date()
    yield* sql`INSERT INTO sessions ${
      sql.insert({
        id,
        userId,
        createdAt: now.toISOString(),
        lastSeenAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
        userAgent: "vitest",
        ip: "127.0.0.1"
      })
    }`
  }).pipe(Effect.orDie)

const sessionsOf = (userId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    return yield* sql<{ id: string; revokedAt: string | null }>`SELECT id, revoked_at FROM sessions WHERE user_id = ${userId} ORDER BY id`
  }).pipe(Effect.orDie)

const allows = (email: string, permission: string, scope?: string) =>
  Core.why(email, permission, scope).pipe(system, Effect.orDie, Effect.map((answer) => answer.allowed))

describe("Users", () => {
  describe("createUser", () => {
    it.live("creates a provisioned user; the temporary password is returned once and only its scrypt hash is stored", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        const head = yield* auditHead
        const { temporaryPassword, user } = yield* Core.createUser({
          email: "  Grace.Hopper@ACME.test ",
          firstName: "Grace",
          lastName: "Hopper",
          phone: "+1 (415) 555-2671",
          position: "Rear Admiral"
        }).pipe(asUser(ADMIN))
        assert.strictEqual(user.email, "grace.hopper@acme.test")
        assert.strictEqual(user.phone, "+14155552671")
        assert.strictEqual(user.status, "provisioned")
        assert.isTrue(user.mustChangePassword)
        assert.isNull(user.registeredAt)
        assert.strictEqual(user.kind, "member")
        assert.strictEqual(user.version, 1)
        assert.notProperty(user, "passwordHash")
        assert.match(temporaryPassword, /^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/)

        const stored = yield* passwordHashOf("grace.hopper@acme.test")
        assert.isNotNull(stored)
        assert.match(stored!, /^scrypt\$17\$8\$1\$[\w-]+\$[\w-]+$/)
        assert.isFalse(stored!.includes(temporaryPassword))
        assert.isTrue(yield* Core.verifyPassword(temporaryPassword, stored!))

        // the password is nowhere else, and the hash nowhere but its column
        const everything = JSON.stringify(yield* snapshot)
        assert.notInclude(everything, temporaryPassword)
        assert.strictEqual(everything.split(stored!).length - 1, 1)
        const detail = yield* Core.showUser("grace.hopper@acme.test").pipe(asUser(ADMIN))
        assert.notInclude(JSON.stringify(detail), "scrypt$")
        assert.notInclude(JSON.stringify(yield* Core.listUsers().pipe(asUser(ADMIN))), "scrypt$")
        assert.notInclude(JSON.stringify(yield* Core.Jobs.loadDirectoryGraph.pipe(Core.Jobs.asSystem("cli"))), "scrypt$")
        assert.deepStrictEqual(detail.organizations.map((o) => o.slug), ["acme"])
        assert.deepStrictEqual(yield* auditActions(head), ["user.create"])
      })))

    it.live("joins the organization and grants the requested roles and groups in the same transaction", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* Core.createGroup({ name: "finance" }).pipe(system)
        const head = yield* auditHead
        const { user } = yield* Core.createUser({
          email: "ken@acme.test", firstName: "Ken", lastName: "Thompson", roles: ["auditor"], groups: ["finance"]
        }).pipe(asUser(ADMIN))
        const detail = yield* Core.showUser(user.id).pipe(asUser(ADMIN))
        assert.deepStrictEqual(detail.grants.map((g) => [g.role, g.scope, g.group]), [["auditor", "org:acme", null]])
        assert.deepStrictEqual(detail.groups.map((g) => `${g.org}/${g.name}`), ["acme/finance"])
        assert.deepStrictEqual(yield* auditActions(head), ["user.create", "role.grant", "group.member.add"])
      })))

    it.live("EmailTaken for an address in use, whatever its case; nothing written", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        const error = yield* failsWithNothingWritten(
          Core.createUser({ email: "ADMIN@Acme.Test", firstName: "Other", lastName: "Admin" }).pipe(asUser(ADMIN)),
          "EmailTaken"
        )
        assert.strictEqual(error.email, "admin@acme.test")
      })))

    it.live("invalid profile input is a typed error and writes nothing", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        const create = (input: Partial<Core.CreateUserInput>) =>
          Core.createUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Lovelace", ...input }).pipe(asUser(ADMIN))
        assert.strictEqual((yield* failsWithNothingWritten(create({ email: "ada@" }), "InvalidEmail")).email, "ada@")
        assert.strictEqual((yield* failsWithNothingWritten(create({ phone: "020 7946 0958" }), "InvalidPhone")).phone, "020 7946 0958")
        assert.strictEqual((yield* failsWithNothingWritten(create({ birthday: "1815-12-10" }), "InvalidProfile")).field, "birthday")
        assert.strictEqual((yield* failsWithNothingWritten(create({ firstName: " " }), "InvalidProfile")).field, "first name")
        assert.strictEqual((yield* failsWithNothingWritten(create({ kind: "robot" }), "InvalidProfile")).field, "kind")
      })))

    it.live("unknown organization, role, group or scope is a typed error and creates nothing", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        const create = (input: Partial<Core.CreateUserInput>) =>
          Core.createUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Lovelace", ...input }).pipe(asUser(ADMIN))
        const before = yield* snapshot
        // concurrently: each call hashes its password (~0.3 s) on the thread pool before it fails
        const [org, role, group, scope, invalid] = yield* Effect.all([
          failsWith(create({ org: "nowhere" }), "OrgNotFound"),
          failsWith(create({ roles: ["wizard"] }), "RoleNotFound"),
          failsWith(create({ groups: ["ghosts"] }), "GroupNotFound"),
          failsWith(create({ roles: ["auditor"], scope: "org:nowhere" }), "ScopeNotFound"),
          failsWith(create({ roles: ["auditor"], scope: "everywhere" }), "InvalidScope")
        ], { concurrency: "unbounded" })
        assert.deepStrictEqual([org.org, role.role, group.group, scope.scope, invalid.scope], ["nowhere", "wizard", "ghosts", "org:nowhere", "everywhere"])
        assert.deepStrictEqual(yield* snapshot, before)
      })))

    it.live("an auditor may not create users: PermissionDenied names users.create and the organization", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "audrey@acme.test", firstName: "Audrey", lastName: "Auditor", roles: ["auditor"] })
        const error = yield* failsWithNothingWritten(
          Core.createUser({ email: "new@acme.test", firstName: "New", lastName: "User" }).pipe(asUser("audrey@acme.test")),
          "PermissionDenied"
        )
        assert.strictEqual(error.permission, "users.create")
        assert.strictEqual(error.scope, "org:acme")
        assert.include(error.message, "users.create")
      })))

    it.live("a user manager cannot create a user with org-admin, directly or through a group: EscalationDenied, no user", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "mia@acme.test", firstName: "Mia", lastName: "Manager", roles: ["user-manager"] })
        yield* Core.createGroup({ name: "admins" }).pipe(system)
        yield* Core.grantRole({ role: "org-admin", to: { group: "admins" } }).pipe(system)
        const before = yield* snapshot
        const [direct, viaGroup] = yield* Effect.all([
          failsWith(Core.createUser({ email: "eve@acme.test", firstName: "Eve", lastName: "E", roles: ["org-admin"] }).pipe(asUser("mia@acme.test")), "EscalationDenied"),
          failsWith(Core.createUser({ email: "eve@acme.test", firstName: "Eve", lastName: "E", groups: ["admins"] }).pipe(asUser("mia@acme.test")), "EscalationDenied")
        ], { concurrency: "unbounded" })
        assert.strictEqual(direct.role, "org-admin")
        assert.include(direct.missing, "roles.manage")
        assert.strictEqual(viaGroup.role, "org-admin")
        assert.deepStrictEqual(yield* snapshot, before)
        yield* failsWith(Core.showUser("eve@acme.test").pipe(asUser(ADMIN)), "UserNotFound")
      })))
  })

  describe("listUsers and showUser", () => {
    const Directory = Layer.effectDiscard(Effect.gen(function*() {
      yield* initialized
      yield* Core.createOrg({ slug: "beta", name: "Beta" }).pipe(system)
      yield* Core.createGroup({ name: "compilers" }).pipe(system)
      yield* Effect.all([
        Core.createUser({ email: "grace@acme.test", firstName: "Grace", lastName: "Hopper", phone: "+1 415 555 2671", groups: ["compilers"] }).pipe(system),
        Core.createUser({ email: "linus@beta.test", firstName: "Linus", lastName: "Torvalds", org: "beta" }).pipe(system)
      ], { concurrency: "unbounded" })
      yield* activeUser({ email: "alan@acme.test", firstName: "Alan", lastName: "Turing", phone: "+44 20 7946 0958" })
      yield* Core.suspendUser("alan@acme.test").pipe(system)
      yield* activeUser({ email: "bea@beta.test", firstName: "Bea", lastName: "Reader", org: "beta", roles: ["auditor"] })
    }).pipe(Effect.orDie)).pipe(Layer.provideMerge(TempDatabaseLive))

    layer(Directory, { excludeTestServices: true })((it) => {
      const emails = (query: Core.UserQuery, actor = ADMIN) =>
        Core.listUsers(query).pipe(asUser(actor), Effect.map((users) => users.map((u) => u.email)))

      it.effect("lists everyone (not deleted) ordered by last name, first name", () =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* emails({}), ["admin@acme.test", "grace@acme.test", "bea@beta.test", "linus@beta.test", "alan@acme.test"])
          assert.deepStrictEqual(yield* emails({ limit: 2, offset: 1 }), ["grace@acme.test", "bea@beta.test"])
        }))

      it.effect("pages by keyset (`after` the last row's key): every user exactly once, in order, filters kept; the id breaks a tie", () =>
        Effect.gen(function*() {
          const everyone = yield* emails({})
          const walk = (query: Core.UserQuery, limit: number) =>
            Effect.gen(function*() {
              const seen: Array<string> = []
              let after: Core.UserListKey | undefined
              for (let page = 0; page < 10; page++) {
                const users = yield* Core.listUsers({ ...query, limit, ...(after === undefined ? {} : { after }) }).pipe(asUser(ADMIN))
                seen.push(...users.map((u) => u.email))
                if (users.length < limit) return seen
                after = Core.userListKey(users[users.length - 1]!)
              }
              return seen
            })
          assert.deepStrictEqual(yield* walk({}, 2), everyone)
          assert.deepStrictEqual(yield* walk({}, 1), everyone)
          assert.deepStrictEqual(yield* walk({ org: "acme" }, 2), yield* emails({ org: "acme" }))
          assert.deepStrictEqual(yield* walk({ status: "provisioned" }, 1), ["grace@acme.test", "linus@beta.test"])
          // the key need not be a row's: a deleted user's key still finds the page after it
          const grace = { lastName: "Hopper", firstName: "Grace", email: "grace@acme.test" }
          const after = (id: string) => Core.listUsers({ after: { ...grace, id } }).pipe(asUser(ADMIN), Effect.map((users) => users.map((u) => u.email)))
          assert.deepStrictEqual(yield* after("~"), everyone.slice(2))
          assert.deepStrictEqual(yield* after(""), everyone.slice(1))
        }))

      it.effect("searches names, e-mails and phone numbers, case-insensitively", () =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* emails({ search: "hopper" }), ["grace@acme.test"])
          assert.deepStrictEqual(yield* emails({ search: "GRACE" }), ["grace@acme.test"])
          assert.deepStrictEqual(yield* emails({ search: "Alan Turing" }), ["alan@acme.test"])
          assert.deepStrictEqual(yield* emails({ search: "@beta.test" }), ["bea@beta.test", "linus@beta.test"])
          assert.deepStrictEqual(yield* emails({ search: "+1 (415) 555" }), ["grace@acme.test"])
          assert.deepStrictEqual(yield* emails({ search: "7946 0958" }), ["alan@acme.test"])
          assert.deepStrictEqual(yield* emails({ search: "nobody" }), [])
          assert.deepStrictEqual(yield* emails({ search: "%" }), [], "LIKE wildcards are matched literally")
          assert.deepStrictEqual(yield* emails({ search: "_" }), [])
          assert.deepStrictEqual(yield* emails({ search: "   " }), yield* emails({}), "a blank search is no filter")
        }))

      it.effect("filters by status, organization and group, and combines filters", () =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* emails({ status: "suspended" }), ["alan@acme.test"])
          assert.deepStrictEqual(yield* emails({ status: "provisioned" }), ["grace@acme.test", "linus@beta.test"])
          assert.deepStrictEqual(yield* emails({ status: "active" }), ["admin@acme.test", "bea@beta.test"])
          assert.deepStrictEqual(yield* emails({ org: "beta" }), ["bea@beta.test", "linus@beta.test"])
          assert.deepStrictEqual(yield* emails({ org: "acme" }), ["admin@acme.test", "grace@acme.test", "alan@acme.test"])
          assert.deepStrictEqual(yield* emails({ group: "compilers" }), ["grace@acme.test"])
          assert.deepStrictEqual(yield* emails({ group: "acme/compilers", status: "active" }), [])
          assert.deepStrictEqual(yield* emails({ org: "beta", status: "provisioned", search: "linus" }), ["linus@beta.test"])
        }))

      it.effect("unknown organization or group filters are typed errors", () =>
        Effect.gen(function*() {
          assert.strictEqual((yield* failsWith(Core.listUsers({ org: "nope" }).pipe(asUser(ADMIN)), "OrgNotFound")).org, "nope")
          assert.strictEqual((yield* failsWith(Core.listUsers({ group: "nope" }).pipe(asUser(ADMIN)), "GroupNotFound")).group, "nope")
        }))

      it.effect("a reader of one organization sees only its members; elsewhere PermissionDenied, and an account outside answers as a missing one", () =>
        Effect.gen(function*() {
          assert.deepStrictEqual(yield* emails({}, "bea@beta.test"), ["bea@beta.test", "linus@beta.test"])
          const denied = yield* failsWith(Core.listUsers({ org: "acme" }).pipe(asUser("bea@beta.test")), "PermissionDenied")
          assert.deepStrictEqual([denied.permission, denied.scope], ["users.read", "org:acme"])
          // outside what bea may read, grace answers exactly as an address nobody has
          const shown = yield* failsWith(Core.showUser("grace@acme.test").pipe(asUser("bea@beta.test")), "UserNotFound")
          const missing = yield* failsWith(Core.showUser("ghost@acme.test").pipe(asUser("bea@beta.test")), "UserNotFound")
          assert.strictEqual(shown.message.replace("grace@acme.test", "X"), missing.message.replace("ghost@acme.test", "X"))
          const none = yield* failsWith(Core.listUsers().pipe(asUser("grace@acme.test")), "PermissionDenied")
          assert.strictEqual(none.permission, "users.read")
        }))

      it.effect("showUser gives profile, organizations, groups and grants, by e-mail or id", () =>
        Effect.gen(function*() {
          const byEmail = yield* Core.showUser("GRACE@acme.test").pipe(asUser(ADMIN))
          assert.strictEqual(byEmail.user.lastName, "Hopper")
          assert.deepStrictEqual(byEmail.organizations.map((o) => [o.slug, o.name]), [["acme", "Acme"]])
          assert.deepStrictEqual(byEmail.groups.map((g) => [g.org, g.name]), [["acme", "compilers"]])
          assert.deepStrictEqual(byEmail.grants, [])
          const byId = yield* Core.showUser(byEmail.user.id).pipe(asUser(ADMIN))
          assert.deepStrictEqual(byId, byEmail)
          const bea = yield* Core.showUser("bea@beta.test").pipe(asUser(ADMIN))
          assert.deepStrictEqual(bea.grants.map((g) => [g.role, g.scope, g.group, g.grantedBy]), [["auditor", "org:beta", null, "system"]])
          assert.strictEqual((yield* failsWith(Core.showUser("ghost@acme.test").pipe(asUser(ADMIN)), "UserNotFound")).user, "ghost@acme.test")
        }))
    })
  })

  describe("updateUser", () => {
    it.live("changes profile fields, bumps the version, keeps search in step, and audits before/after", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        const user = yield* activeUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Byron" })
        const head = yield* auditHead
        const updated = yield* Core.updateUser("ada@acme.test", { lastName: "Lovelace", phone: "+44 20 7946 0958", email: "Countess@Acme.test" }, { expectedVersion: 1 }).pipe(asUser(ADMIN))
        assert.strictEqual(updated.id, user.id)
        assert.strictEqual(updated.version, 2)
        assert.deepStrictEqual([updated.email, updated.lastName, updated.phone], ["countess@acme.test", "Lovelace", "+442079460958"])
        const found = yield* Core.listUsers({ search: "lovelace" }).pipe(asUser(ADMIN))
        assert.deepStrictEqual(found.map((u) => u.id), [user.id])
        assert.deepStrictEqual((yield* Core.listUsers({ search: "byron" }).pipe(asUser(ADMIN))), [])
        assert.deepStrictEqual((yield* Core.listUsers({ search: "7946" }).pipe(asUser(ADMIN))).map((u) => u.id), [user.id])
        const [event] = yield* Core.listAudit({ afterSeq: head }).pipe(asUser(ADMIN))
        assert.strictEqual(event?.action, "user.update")
        assert.strictEqual(event?.target, user.id)
        assert.deepStrictEqual(event?.details, {
          email: { from: "ada@acme.test", to: "countess@acme.test" },
          lastName: { from: "Byron", to: "Lovelace" },
          phone: { from: null, to: "+442079460958" }
        })
        // clearing an optional field
        const cleared = yield* Core.updateUser(user.id, { phone: null }).pipe(asUser(ADMIN))
        assert.isNull(cleared.phone)
        assert.strictEqual(cleared.version, 3)
      })))

    it.live("a patch that changes nothing writes nothing", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        const before = yield* snapshot
        const same = yield* Core.updateUser(ADMIN, { firstName: "Ada", email: "ADMIN@acme.test" }).pipe(asUser(ADMIN))
        assert.strictEqual(same.version, 1)
        assert.deepStrictEqual(yield* snapshot, before)
      })))

    it.live("a stale expectedVersion is ConcurrentModification and nothing is written", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        const user = yield* activeUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Byron" })
        yield* Core.updateUser(user.id, { position: "Analyst" }).pipe(asUser(ADMIN))
        const error = yield* failsWithNothingWritten(
          Core.updateUser(user.id, { lastName: "Lovelace" }, { expectedVersion: 1 }).pipe(asUser(ADMIN)),
          "ConcurrentModification"
        )
        assert.deepStrictEqual([error.entity, error.id], ["user", user.id])
        const current = yield* Core.showUser(user.id).pipe(asUser(ADMIN))
        assert.deepStrictEqual([current.user.lastName, current.user.version], ["Byron", 2])
      })))

    it.live("EmailTaken, InvalidPhone and UserNotFound write nothing", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "ada@acme.test", firstName: "Ada", lastName: "Byron" })
        yield* failsWithNothingWritten(Core.updateUser("ada@acme.test", { email: "Admin@ACME.test" }).pipe(asUser(ADMIN)), "EmailTaken")
        yield* failsWithNothingWritten(Core.updateUser("ada@acme.test", { phone: "12" }).pipe(asUser(ADMIN)), "InvalidPhone")
        yield* failsWithNothingWritten(Core.updateUser("nobody@acme.test", { lastName: "X" }).pipe(asUser(ADMIN)), "UserNotFound")
      })))

    it.live("needs users.update at every organization the user belongs to", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* Core.createOrg({ slug: "beta" }).pipe(system)
        yield* activeUser({ email: "olga@acme.test", firstName: "Olga", lastName: "Admin", roles: ["org-admin"] })
        yield* activeUser({ email: "dual@acme.test", firstName: "Dual", lastName: "Member" })
        yield* Core.addOrgMembers("beta", ["dual@acme.test"]).pipe(system)
        const error = yield* failsWithNothingWritten(
          Core.updateUser("dual@acme.test", { lastName: "Changed" }).pipe(asUser("olga@acme.test")),
          "PermissionDenied"
        )
        assert.deepStrictEqual([error.permission, error.scope], ["users.update", "org:beta"])
        yield* Core.removeOrgMembers("beta", ["dual@acme.test"]).pipe(system)
        const changed = yield* Core.updateUser("dual@acme.test", { lastName: "Changed" }).pipe(asUser("olga@acme.test"))
        assert.strictEqual(changed.lastName, "Changed")
      })))
  })

  describe("suspendUser and reactivateUser", () => {
    it.live("suspending revokes every session and empties permissions but keeps roles and groups; reactivating restores them", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* Core.createGroup({ name: "readers" }).pipe(system)
        const user = yield* activeUser({ email: "sam@acme.test", firstName: "Sam", lastName: "Sun", roles: ["auditor"], groups: ["readers"] })
        yield* insertSession(user.id, "s1")
        yield* insertSession(user.id, "s2")
        assert.isTrue(yield* allows("sam@acme.test", "users.read"))

        const head = yield* auditHead
        const suspended = yield* Core.suspendUser("sam@acme.test", { reason: "left the building" }).pipe(asUser(ADMIN))
        assert.strictEqual(suspended.status, "suspended")
        assert.strictEqual(suspended.version, user.version + 1)
        const sessions = yield* sessionsOf(user.id)
        assert.strictEqual(sessions.length, 2)
        assert.isTrue(sessions.every((s) => s.revokedAt !== null))
        assert.isFalse(yield* allows("sam@acme.test", "users.read"), "a suspended user holds nothing")
        yield* failsWith(Core.listUsers().pipe(asUser("sam@acme.test")), "PermissionDenied")
        const kept = yield* Core.showUser("sam@acme.test").pipe(asUser(ADMIN))
        assert.deepStrictEqual(kept.grants.map((g) => g.role), ["auditor"])
        assert.deepStrictEqual(kept.groups.map((g) => g.name), ["readers"])
        const [event] = yield* Core.listAudit({ afterSeq: head }).pipe(asUser(ADMIN))
        assert.deepStrictEqual([event?.action, event?.reason], ["user.suspend", "left the building"])
        assert.deepStrictEqual(event?.details, { email: "sam@acme.test", status: { from: "active", to: "suspended" } })

        const reactivated = yield* Core.reactivateUser("sam@acme.test").pipe(asUser(ADMIN))
        assert.strictEqual(reactivated.status, "active")
        assert.strictEqual(reactivated.registeredAt, user.registeredAt)
        assert.isTrue(yield* allows("sam@acme.test", "users.read"))
        assert.isTrue((yield* sessionsOf(user.id)).every((s) => s.revokedAt !== null), "revoked sessions stay revoked")
        assert.deepStrictEqual(yield* auditActions(head), ["user.suspend", "user.reactivate"])
      })))

    it.live("reactivating a user who never signed in goes back to provisioned; one who did, to active", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* Effect.all([
          Core.createUser({ email: "new@acme.test", firstName: "New", lastName: "Hire" }).pipe(system),
          Core.createUser({ email: "old@acme.test", firstName: "Old", lastName: "Hand" }).pipe(system)
        ], { concurrency: "unbounded" })
        assert.strictEqual((yield* Core.suspendUser("new@acme.test").pipe(asUser(ADMIN))).status, "suspended")
        const back = yield* Core.reactivateUser("new@acme.test").pipe(asUser(ADMIN))
        assert.strictEqual(back.status, "provisioned")
        assert.isNull(back.registeredAt)
        assert.isTrue(back.mustChangePassword)

        // first sign-in (the lifecycle's firstPasswordChange) records when the account became active
        const signedIn = yield* activate("old@acme.test")
        assert.strictEqual(signedIn.status, "active")
        assert.isNotNull(signedIn.registeredAt)
        yield* Core.suspendUser("old@acme.test").pipe(asUser(ADMIN))
        const again = yield* Core.reactivateUser("old@acme.test").pipe(asUser(ADMIN))
        assert.deepStrictEqual([again.status, again.registeredAt], ["active", signedIn.registeredAt])
      })))

    it.live("transitions the lifecycle does not allow are InvalidTransition and write nothing", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "sam@acme.test", firstName: "Sam", lastName: "Sun" })
        const notSuspended = yield* failsWithNothingWritten(Core.reactivateUser("sam@acme.test").pipe(asUser(ADMIN)), "InvalidTransition")
        assert.deepStrictEqual([notSuspended.from, notSuspended.event], ["active", "reactivate"])
        yield* Core.suspendUser("sam@acme.test").pipe(asUser(ADMIN))
        const twice = yield* failsWithNothingWritten(Core.suspendUser("sam@acme.test").pipe(asUser(ADMIN)), "InvalidTransition")
        assert.deepStrictEqual([twice.from, twice.event], ["suspended", "suspend"])
      })))

    it.live("the last active provider admin cannot be suspended; with a second admin it can", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        const last = yield* failsWithNothingWritten(Core.suspendUser(ADMIN).pipe(system), "LastProviderAdmin")
        assert.strictEqual(last.user, ADMIN)
        yield* failsWithNothingWritten(Core.suspendUser(ADMIN).pipe(asUser(ADMIN)), "LastProviderAdmin")
        yield* activeUser({ email: "second@acme.test", firstName: "Second", lastName: "Admin", roles: ["provider-admin"], scope: "provider" })
        const suspended = yield* Core.suspendUser(ADMIN).pipe(asUser("second@acme.test"))
        assert.strictEqual(suspended.status, "suspended")
        yield* failsWith(Core.suspendUser("second@acme.test").pipe(system), "LastProviderAdmin")
      })))

    it.live("suspending needs users.suspend; a stale version or an unknown user is a typed error", () =>
      withDatabase(Effect.gen(function*() {
        yield* initialized
        yield* activeUser({ email: "audrey@acme.test", firstName: "Audrey", lastName: "Auditor", roles: ["auditor"] })
        const denied = yield* failsWithNothingWritten(Core.suspendUser(ADMIN).pipe(asUser("audrey@acme.test")), "PermissionDenied")
        assert.deepStrictEqual([denied.permission, denied.scope], ["users.suspend", "org:acme"])
        const reactivateDenied = yield* failsWith(Core.reactivateUser(ADMIN).pipe(asUser("audrey@acme.test")), "PermissionDenied")
        assert.strictEqual(reactivateDenied.permission, "users.reactivate")
        yield* Core.updateUser("audrey@acme.test", { position: "Auditor" }).pipe(asUser(ADMIN))
        const stale = yield* failsWithNothingWritten(Core.suspendUser("audrey@acme.test", { expectedVersion: 1 }).pipe(asUser(ADMIN)), "ConcurrentModification")
        assert.strictEqual(stale.entity, "user")
        assert.strictEqual((yield* Core.suspendUser("audrey@acme.test", { expectedVersion: 2 }).pipe(asUser(ADMIN))).version, 3)
        yield* failsWithNothingWritten(Core.suspendUser("ghost@acme.test").pipe(asUser(ADMIN)), "UserNotFound")
      })))
  })
})
