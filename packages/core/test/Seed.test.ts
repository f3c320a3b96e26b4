import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as Core from "../src/index.js"
import { activeUser, ADMIN, asUser, failsWithNothingWritten, initialized, system, withDatabase, verdict } from "./support.js"

describe("Seed", () => {
  it.live("seedUsers(200): realistic users in the default organization, every one audited, the chain intact", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      const result = yield* Core.seedUsers(200).pipe(asUser(ADMIN))
      assert.deepStrictEqual(result, { created: 200, org: "acme" })
      assert.deepStrictEqual(verdict(yield* Core.verifyAudit.pipe(asUser(ADMIN))), { ok: true, events: 1 + 5 + 200, problems: [] })

      const sql = yield* SqlClient.SqlClient
      const users = yield* sql<{ id: string; email: string; phone: string | null; status: string; search: string }>`
        SELECT id, email, phone, status, search FROM users WHERE email <> ${ADMIN}`
      assert.strictEqual(users.length, 200)
      assert.strictEqual(new Set(users.map((u) => u.email)).size, 200)
      const phones = users.flatMap((u) => (u.phone === null ? [] : [u.phone]))
      assert.isAbove(phones.length, 100)
      for (const phone of phones) assert.deepStrictEqual(Core.normalizePhone(phone), Either.right(phone), `seeded phone ${phone}`)
      for (const user of users) {
        assert.deepStrictEqual(Core.normalizeEmail(user.email), Either.right(user.email))
        assert.include(user.search, user.email)
      }
      assert.includeMembers([...new Set(users.map((u) => u.status))], ["active", "suspended", "invited", "provisioned"])
      const dates = yield* sql<{ status: string; createdAt: string; registeredAt: string | null; lastActiveAt: string | null }>`
        SELECT status, created_at, registered_at, last_active_at FROM users WHERE email <> ${ADMIN}`
      for (const d of dates) {
        const signedUp = d.status === "active" || d.status === "suspended"
        assert.strictEqual(d.registeredAt !== null, signedUp, `${d.status} users have registeredAt exactly when they signed up`)
        if (d.registeredAt !== null) assert.isTrue(d.lastActiveAt !== null && d.lastActiveAt >= d.registeredAt, "last active never before registration")
        if (d.registeredAt !== null) assert.isTrue(d.createdAt <= d.registeredAt, "made before it registered")
        else assert.isNull(d.lastActiveAt)
      }
      const members = yield* Core.listUsers({ org: "acme" }).pipe(asUser(ADMIN))
      assert.strictEqual(members.length, 201)

      // every seeded row is accounted for in the audit log
      const seeded = yield* sql<{ target: string; details: string }>`SELECT target, details FROM audit_events WHERE action = 'user.seed'`
      assert.sameMembers(seeded.map((e) => e.target), users.map((u) => u.id))
      const groups = yield* Core.listGroups({ org: "acme" }).pipe(asUser(ADMIN))
      assert.sameMembers(groups.map((g) => g.name), ["engineering", "sales", "support", "finance", "ops"])
      const created = yield* sql<{ details: string }>`SELECT details FROM audit_events WHERE action = 'group.create'`
      assert.sameMembers(created.map((e) => JSON.parse(e.details).group), groups.map((g) => `acme/${g.name}`))
      const memberships = yield* sql<{ userId: string; name: string }>`
        SELECT m.user_id, ug.name FROM group_members m JOIN user_groups ug ON ug.id = m.group_id`
      assert.isAbove(memberships.length, 50)
      const auditedGroup = new Map(seeded.map((e) => [e.target, (JSON.parse(e.details) as { group?: string }).group]))
      for (const m of memberships) assert.strictEqual(auditedGroup.get(m.userId), `acme/${m.name}`, "the seed's group membership is in its audit row")
    })))

  it.live("seeding again adds more users without clashing, and reuses the groups", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      yield* Core.seedUsers(20).pipe(system)
      yield* Core.seedUsers(20).pipe(system)
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql<{ n: number }>`SELECT COUNT(*) AS n FROM users`
      assert.strictEqual(row?.n, 41)
      assert.lengthOf(yield* Core.listGroups().pipe(asUser(ADMIN)), 5)
      assert.isTrue((yield* Core.verifyAudit.pipe(asUser(ADMIN))).ok)
    })))

  it.live("a count outside 1..1,000,000 or a seeder without users.create and groups.manage is refused; nothing written", () =>
    withDatabase(Effect.gen(function*() {
      yield* initialized
      for (const count of [0, -1, 1.5, 1_000_001]) {
        assert.strictEqual((yield* failsWithNothingWritten(Core.seedUsers(count).pipe(asUser(ADMIN)), "InvalidInput")).field, "users")
      }
      yield* activeUser({ email: "mia@acme.test", roles: ["user-manager"] })
      const denied = yield* failsWithNothingWritten(Core.seedUsers(5).pipe(asUser("mia@acme.test")), "PermissionDenied")
      assert.deepStrictEqual([denied.permission, denied.scope], ["groups.manage", "org:acme"])
    })))
})
