import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import * as PermissionIndex from "../../src/Domain/PermissionIndex.js"
import * as Permissions from "../../src/Domain/Permissions.js"
import type { Scope } from "../../src/Domain/Scope.js"
import { graph, naiveGrants, naiveHas, naivePermissions, NOW, POOL, SCOPES } from "./graphs.js"

const s = (text: string) => text as Scope

describe("PermissionIndex", () => {
  it("answers a small graph by hand: direct, through a group, below the scope, expired, inactive", () => {
    const index = PermissionIndex.build({
      users: [{ id: "ann", active: true }, { id: "bob", active: true }, { id: "cy", active: false }],
      roles: [
        { id: "r1", name: "auditor", permissions: ["users.read", "audit.read"] },
        { id: "r2", name: "payer", permissions: ["expenses.approve"] }
      ],
      groups: [{ id: "g1", name: "a/finance", members: ["bob", "cy"] }],
      grants: [
        { id: "x1", principal: { type: "user", id: "ann" }, roleId: "r1", scope: s("org:a"), expiresAt: null },
        { id: "x2", principal: { type: "group", id: "g1" }, roleId: "r2", scope: s("app:a/x"), expiresAt: null },
        { id: "x3", principal: { type: "user", id: "bob" }, roleId: "r1", scope: s("provider"), expiresAt: new Date(NOW - 1).toISOString() }
      ]
    })
    assert.isTrue(index.check("ann", "users.read", s("org:a"), NOW))
    assert.isTrue(index.check("ann", "users.read", s("app:a/x"), NOW))
    assert.isFalse(index.check("ann", "users.read", s("provider"), NOW))
    assert.isFalse(index.check("ann", "users.read", s("org:b"), NOW))
    assert.isTrue(index.check("bob", "expenses.approve", s("app:a/x"), NOW))
    assert.isFalse(index.check("bob", "expenses.approve", s("org:a"), NOW))
    assert.isFalse(index.check("bob", "users.read", s("org:a"), NOW), "expired")
    assert.isTrue(index.check("bob", "users.read", s("org:a"), NOW - 2), "not yet expired a moment earlier")
    assert.isFalse(index.check("cy", "expenses.approve", s("app:a/x"), NOW), "inactive")
    assert.isFalse(index.check("nobody", "users.read", s("provider"), NOW))
    assert.deepStrictEqual(index.subject("bob").paths.map((p) => [p.grantId, p.group]), [["x3", null], ["x2", "a/finance"]])
  })

  it("property: the indexed resolver equals the naive one of DESIGN §2 on random grant graphs", () => {
    let granted = 0
    let denied = 0
    fc.assert(fc.property(graph(), fc.integer({ min: -150, max: 150 }), (g, offset) => {
      const index = PermissionIndex.build(g)
      const now = NOW + offset * 60_000
      for (const user of g.users) {
        const subject = index.subject(user.id)
        for (const scope of SCOPES) {
          const expected = naivePermissions(g, user.id, scope, now)
          const effective = Permissions.effective(subject, scope, new Date(now))
          assert.deepStrictEqual(new Set(effective.keys()), expected, `effective ${user.id} @ ${scope}`)
          for (const permission of POOL) {
            const want = naiveHas(g, user.id, permission, scope, now)
            want ? granted++ : denied++
            assert.strictEqual(index.check(user.id, permission, scope, now), want, `check ${user.id} ${permission} @ ${scope}`)
            assert.strictEqual(Permissions.has(subject, permission, scope, new Date(now)), want, `has ${user.id} ${permission} @ ${scope}`)
            // provenance: exactly the grants that apply and carry the permission
            const paths = Permissions.why(subject, permission, scope, new Date(now)).map((p) => p.grantId).sort()
            const expectedPaths = naiveGrants(g, user.id, scope, now)
              .filter((grant) => g.roles.find((r) => r.id === grant.roleId)?.permissions.includes(permission))
              .map((grant) => grant.id).sort()
            assert.deepStrictEqual(paths, expectedPaths, `why ${user.id} ${permission} @ ${scope}`)
          }
        }
      }
    }), { numRuns: 300 })
    assert.isAbove(granted, 300, "the generated graphs grant something")
    assert.isAbove(denied, 300, "the generated graphs deny something")
  })

  it("property: an expiry exactly at now no longer counts (both resolvers)", () => {
    fc.assert(fc.property(fc.subarray([...POOL], { minLength: 1 }), fc.constantFrom(...SCOPES), (permissions, scope) => {
      const index = PermissionIndex.build({
        users: [{ id: "u", active: true }],
        roles: [{ id: "r", name: "r", permissions }],
        groups: [],
        grants: [{ id: "x", principal: { type: "user", id: "u" }, roleId: "r", scope, expiresAt: new Date(NOW).toISOString() }]
      })
      for (const p of permissions) {
        assert.isTrue(index.check("u", p, scope, NOW - 1))
        assert.isFalse(index.check("u", p, scope, NOW))
        assert.isFalse(Permissions.has(index.subject("u"), p, scope, new Date(NOW)))
      }
    }))
  })
})
