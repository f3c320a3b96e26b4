import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import { EscalationDenied, PermissionDenied } from "../../src/Domain/Errors.js"
import * as PermissionIndex from "../../src/Domain/PermissionIndex.js"
import * as Permissions from "../../src/Domain/Permissions.js"
import type { GrantPath, Subject } from "../../src/Domain/Permissions.js"
import type { Scope } from "../../src/Domain/Scope.js"
import { covers, graph, naiveHas, naiveSubject, NOW, POOL, SCOPES, type Graph } from "./graphs.js"

const s = (text: string) => text as Scope
const now = new Date(NOW)

/** DESIGN §2's catalog, verbatim. */
const DESIGN_CATALOG = [
  "users.read", "users.invite", "users.create", "users.update", "users.suspend", "users.reactivate", "users.delete",
  "users.sessions.revoke", "users.password.reset", "roles.read", "roles.manage", "roles.assign", "groups.read",
  "groups.manage", "groups.members.manage", "orgs.manage", "orgs.members.manage", "approvals.decide", "audit.read", "import.run"
]

const role = (name: string) => {
  const found = Permissions.builtInRoles.find((r) => r.name === name)
  if (found === undefined) throw new Error(`no built-in role ${name}`)
  return found
}

const path = (p: Partial<GrantPath> & Pick<GrantPath, "permissions" | "scope">): GrantPath => ({
  grantId: `${p.role ?? "role"}@${p.scope}`,
  role: "role",
  expiresAt: null,
  group: null,
  ...p
})

const subject = (paths: ReadonlyArray<GrantPath>, active = true): Subject => ({ userId: "u", active, paths })

const holding = (roleName: string, scope: string, extra: Partial<GrantPath> = {}) =>
  path({ role: roleName, permissions: role(roleName).permissions, scope: s(scope), ...extra })

describe("Permissions", () => {
  describe("catalog and built-in roles (DESIGN §2)", () => {
    it("the catalog is DESIGN's, plus apps.manage (checked by createApp) and settings.manage (checked by setSetting)", () => {
      assert.includeMembers([...Permissions.catalog], DESIGN_CATALOG)
      assert.deepStrictEqual(Permissions.catalog.filter((p) => !DESIGN_CATALOG.includes(p)), ["apps.manage", "settings.manage"])
      assert.strictEqual(new Set(Permissions.catalog).size, Permissions.catalog.length)
    })

    it("provider-admin holds the whole catalog; org-admin all but orgs.manage and settings.manage", () => {
      assert.sameMembers([...role("provider-admin").permissions], [...Permissions.catalog])
      assert.sameMembers([...role("org-admin").permissions], Permissions.catalog.filter((p) => p !== "orgs.manage" && p !== "settings.manage"))
    })

    it("user-manager, approver and auditor carry exactly DESIGN's lists", () => {
      assert.sameMembers([...role("user-manager").permissions], [
        "users.read", "users.invite", "users.create", "users.update", "users.suspend", "users.reactivate", "users.delete",
        "users.sessions.revoke", "users.password.reset", "groups.read", "groups.members.manage", "roles.read", "roles.assign",
        "audit.read", "import.run"
      ])
      assert.sameMembers([...role("approver").permissions], ["approvals.decide", "users.read", "audit.read"])
      assert.sameMembers([...role("auditor").permissions], ["users.read", "roles.read", "groups.read", "audit.read"])
      assert.isTrue(Permissions.builtInRoles.every((r) => r.builtIn))
      assert.deepStrictEqual(Permissions.builtInRoles.map((r) => r.name), ["provider-admin", "org-admin", "user-manager", "approver", "auditor"])
    })
  })

  describe("parsePermission", () => {
    const valid: ReadonlyArray<[string, string]> = [
      ["users.read", "users.read"], [" expenses.approve ", "expenses.approve"], ["a.b.c", "a.b.c"], ["hr-portal.view2", "hr-portal.view2"]
    ]
    for (const [text, name] of valid) {
      it(`accepts ${JSON.stringify(text)}`, () => assert.deepStrictEqual(Permissions.parsePermission(text), Either.right(name)))
    }
    for (const text of ["", "expenses", "Expenses.approve", "expenses.", ".approve", "expenses..approve", "1x.y", "expenses.approve!", "exp enses.approve", `a.${"b".repeat(99)}`]) {
      it(`rejects ${JSON.stringify(text.length > 30 ? `${text.slice(0, 12)}…` : text)} with InvalidPermission`, () => {
        const result = Permissions.parsePermission(text)
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) assert.strictEqual(result.left.permission, text)
      })
    }
  })

  describe("parsePermission: catalog namespaces hold only catalog permissions (issue 9, item 12)", () => {
    it("the namespaces are exactly those of the catalog", () => {
      assert.sameMembers([...Permissions.catalogNamespaces], ["users", "roles", "groups", "orgs", "approvals", "audit", "import", "settings", "apps"])
    })
    for (const text of ["users.raed", "users.read.all", "roles.grant", "groups.delete", "orgs.read", "approvals.approve", "audit.write", "import.users", "settings.read", "apps.read"]) {
      it(`refuses ${text}, naming the unknown permission and its namespace`, () => {
        const result = Permissions.parsePermission(text)
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) {
          assert.strictEqual(result.left.namespace, text.slice(0, text.indexOf(".")))
          assert.include(result.left.message, `Unknown permission ${text}`)
        }
      })
    }
    for (const text of ["expenses.approve", "user.read", "usersx.read", "hr.users.read", "audits.read"]) {
      it(`keeps ${text} an application permission`, () => assert.deepStrictEqual(Permissions.parsePermission(text), Either.right(text)))
    }
    it("every catalog permission is accepted", () => {
      for (const p of Permissions.catalog) assert.deepStrictEqual(Permissions.parsePermission(p), Either.right(p))
    })
  })

  describe("effective permissions", () => {
    const direct = path({ grantId: "d", role: "auditor", permissions: role("auditor").permissions, scope: s("org:acme") })
    const viaGroup = path({ grantId: "g", role: "payer", permissions: ["expenses.approve", "users.read"], scope: s("app:acme/expenses"), group: "acme/finance" })
    const expired = path({ grantId: "e", role: "user-manager", permissions: role("user-manager").permissions, scope: s("provider"), expiresAt: new Date(NOW - 1000).toISOString() })
    const later = path({ grantId: "l", role: "approver", permissions: role("approver").permissions, scope: s("provider"), expiresAt: new Date(NOW + 1000).toISOString() })
    const u = subject([direct, viaGroup, expired, later])

    it("is the union over unexpired grants whose scope contains the scope, with every path", () => {
      const atApp = Permissions.effective(u, s("app:acme/expenses"), now)
      assert.sameMembers([...atApp.keys()], ["users.read", "roles.read", "groups.read", "audit.read", "expenses.approve", "approvals.decide"])
      assert.deepStrictEqual(atApp.get("users.read")?.map((p) => p.grantId), ["d", "g", "l"])
      assert.deepStrictEqual(Permissions.why(u, "expenses.approve", s("app:acme/expenses"), now).map((p) => p.group), ["acme/finance"])
      const atOrg = Permissions.effective(u, s("org:acme"), now)
      assert.isFalse(atOrg.has("expenses.approve"), "an app grant does not apply at its organization")
      assert.isFalse(atOrg.has("users.create"), "the expired grant does not count")
      assert.sameMembers([...Permissions.effective(u, s("org:other"), now).keys()], ["approvals.decide", "users.read", "audit.read"])
    })

    it("has and require agree with effective; require names permission and scope", () => {
      assert.isTrue(Permissions.has(u, "audit.read", s("app:acme/expenses"), now))
      assert.isFalse(Permissions.has(u, "users.create", s("org:acme"), now))
      assert.isTrue(Permissions.has(u, "users.create", s("org:acme"), new Date(NOW - 2000)), "counted before its expiry")
      assert.deepStrictEqual(Permissions.require(u, "audit.read", s("org:acme"), now), Either.void)
      const denied = Permissions.require(u, "users.create", s("org:acme"), now)
      assert.isTrue(Either.isLeft(denied))
      if (Either.isLeft(denied)) {
        assert.strictEqual(denied.left._tag, "PermissionDenied")
        assert.strictEqual(denied.left.permission, "users.create")
        assert.strictEqual(denied.left.scope, "org:acme")
      }
    })

    it("a user who is not active holds nothing, whatever its grants", () => {
      const inactive = subject([direct, viaGroup, later], false)
      for (const scope of [s("provider"), s("org:acme"), s("app:acme/expenses")]) {
        assert.strictEqual(Permissions.effective(inactive, scope, now).size, 0)
        assert.isFalse(Permissions.has(inactive, "users.read", scope, now))
        assert.deepStrictEqual(Permissions.why(inactive, "users.read", scope, now), [])
      }
    })
  })

  describe("checkDelegation", () => {
    const grant = (roleName: string, scope: string) => ({ role: roleName, permissions: role(roleName).permissions, scope: s(scope) })
    const expenses = { role: "ExpensesFinancialController", permissions: ["expenses.approve", "users.read"], scope: s("app:acme/expenses") }

    it("an org admin may hand out roles within what it holds there", () => {
      const admin = subject([holding("org-admin", "org:acme")])
      assert.deepStrictEqual(Permissions.checkDelegation(admin, [grant("user-manager", "org:acme"), grant("auditor", "app:acme/x")], now), Either.void)
    })

    it("an org admin cannot hand out provider-admin: EscalationDenied names the role, scope and what it lacks", () => {
      const admin = subject([holding("org-admin", "org:acme")])
      assert.deepStrictEqual(
        Permissions.checkDelegation(admin, [grant("provider-admin", "org:acme")], now),
        Either.left(new EscalationDenied({ role: "provider-admin", scope: "org:acme", missing: ["orgs.manage", "settings.manage"] }))
      )
    })

    it("without roles.assign at the scope it is PermissionDenied, even for a role the actor holds", () => {
      const admin = subject([holding("org-admin", "org:acme")])
      const result = Permissions.checkDelegation(admin, [grant("auditor", "provider")], now)
      assert.deepStrictEqual(result, Either.left(new PermissionDenied({ permission: "roles.assign", scope: "provider" })))
      const auditor = subject([holding("auditor", "provider")])
      assert.deepStrictEqual(
        Permissions.checkDelegation(auditor, [grant("auditor", "org:acme")], now),
        Either.left(new PermissionDenied({ permission: "roles.assign", scope: "org:acme" }))
      )
    })

    it("a user manager cannot hand out org-admin (e.g. by adding someone to a group that carries it)", () => {
      const manager = subject([holding("user-manager", "org:acme")])
      const result = Permissions.checkDelegation(manager, [grant("auditor", "org:acme"), grant("org-admin", "org:acme")], now)
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result) && result.left._tag === "EscalationDenied") {
        assert.strictEqual(result.left.role, "org-admin")
        assert.sameMembers([...result.left.missing], role("org-admin").permissions.filter((p) => !role("user-manager").permissions.includes(p)))
      } else {
        assert.fail(`expected EscalationDenied, got ${JSON.stringify(result)}`)
      }
    })

    it("application permissions: handed out by whoever may define roles there (roles.manage) or holds them", () => {
      assert.deepStrictEqual(Permissions.checkDelegation(subject([holding("org-admin", "org:acme")]), [expenses], now), Either.void)
      const manager = subject([holding("user-manager", "org:acme")])
      assert.deepStrictEqual(
        Permissions.checkDelegation(manager, [expenses], now),
        Either.left(new EscalationDenied({ role: "ExpensesFinancialController", scope: "app:acme/expenses", missing: ["expenses.approve"] }))
      )
      const holder = subject([holding("user-manager", "org:acme"), path({ permissions: ["expenses.approve"], scope: s("app:acme/expenses") })])
      assert.deepStrictEqual(Permissions.checkDelegation(holder, [expenses], now), Either.void)
    })

    it("expired grants and inactive actors delegate nothing", () => {
      const expired = subject([holding("provider-admin", "provider", { expiresAt: new Date(NOW).toISOString() })])
      assert.isTrue(Either.isLeft(Permissions.checkDelegation(expired, [grant("auditor", "org:acme")], now)))
      const suspended = subject([holding("provider-admin", "provider")], false)
      assert.isTrue(Either.isLeft(Permissions.checkDelegation(suspended, [grant("auditor", "org:acme")], now)))
    })
  })

  describe("properties over random grant graphs", () => {
    it("a user who is not active has no permission at any scope", () => {
      fc.assert(fc.property(graph(), fc.nat(), (g, pick) => {
        const victim = g.users[pick % g.users.length]!
        const suspended: Graph = { ...g, users: g.users.map((u) => (u.id === victim.id ? { ...u, active: false } : u)) }
        const index = PermissionIndex.build(suspended)
        const subj = index.subject(victim.id)
        assert.isFalse(subj.active)
        assert.isFalse(naiveSubject(suspended, victim.id).active)
        for (const scope of SCOPES) {
          assert.strictEqual(Permissions.effective(subj, scope, now).size, 0)
          for (const permission of [...POOL, ...Permissions.catalog]) {
            assert.isFalse(index.check(victim.id, permission, scope, NOW))
            assert.isFalse(Permissions.has(subj, permission, scope, now))
          }
        }
      }), { numRuns: 500 })
    })

    type Op =
      | { readonly kind: "grant"; readonly actor: number; readonly role: number; readonly scope: Scope; readonly toGroup: boolean; readonly to: number }
      | { readonly kind: "join"; readonly actor: number; readonly user: number; readonly group: number }

    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("grant" as const), actor: fc.nat(), role: fc.nat(), scope: fc.constantFrom(...SCOPES), toGroup: fc.boolean(), to: fc.nat() }),
      fc.record({ kind: fc.constant("join" as const), actor: fc.nat(), user: fc.nat(), group: fc.nat() })
    )

    /** The role@scope grants an operation hands out, and who gains from it. */
    const plan = (g: Graph, o: Op) => {
      if (o.kind === "grant") {
        const r = g.roles[o.role % g.roles.length]!
        const group = o.toGroup && g.groups.length > 0 ? g.groups[o.to % g.groups.length]! : undefined
        const principal = group !== undefined ? { type: "group" as const, id: group.id } : { type: "user" as const, id: g.users[o.to % g.users.length]!.id }
        return {
          grants: [{ role: r.name, permissions: r.permissions, scope: o.scope }],
          grantees: group !== undefined ? [...group.members] : [principal.id],
          apply: (next: Graph) => next.grants.push({ id: `new${next.grants.length}`, principal, roleId: r.id, scope: o.scope, expiresAt: null })
        }
      }
      if (g.groups.length === 0) return undefined
      const group = g.groups[o.group % g.groups.length]!
      const user = g.users[o.user % g.users.length]!.id
      const carried = g.grants.filter((x) => x.principal.type === "group" && x.principal.id === group.id).flatMap((x) => {
        const r = g.roles.find((candidate) => candidate.id === x.roleId)
        return r === undefined ? [] : [{ role: r.name, permissions: r.permissions, scope: x.scope }]
      })
      return {
        grants: carried,
        grantees: [user],
        apply: (next: Graph) => {
          const target = next.groups.find((x) => x.id === group.id)!
          if (!target.members.includes(user)) target.members.push(user)
        }
      }
    }

    const clone = (g: Graph): Graph => ({
      users: g.users.map((u) => ({ ...u })),
      roles: g.roles.map((r) => ({ ...r, permissions: [...r.permissions] })),
      groups: g.groups.map((x) => ({ ...x, members: [...x.members] })),
      grants: g.grants.map((x) => ({ ...x, principal: { ...x.principal } }))
    })

    it("no sequence of delegated grants and group joins gives a grantee a permission its actor lacked", () => {
      let applied = 0
      let refused = 0
      let gains = 0
      fc.assert(fc.property(graph(), fc.array(op, { minLength: 1, maxLength: 12 }), (initial, ops) => {
        let g = initial
        for (const o of ops) {
          const step = plan(g, o)
          if (step === undefined) continue
          const actor = g.users[o.actor % g.users.length]!.id
          const decision = Permissions.checkDelegation(naiveSubject(g, actor), step.grants, now)
          // the rule, independently: roles.assign at each scope, and each permission held there
          // (an application permission may instead come from holding roles.manage there)
          const expected = step.grants.every((x) =>
            naiveHas(g, actor, "roles.assign", x.scope, NOW) &&
            x.permissions.every((p) => naiveHas(g, actor, p, x.scope, NOW) || (!Permissions.isCatalog(p) && naiveHas(g, actor, "roles.manage", x.scope, NOW)))
          )
          assert.strictEqual(Either.isRight(decision), expected, `decision for ${JSON.stringify(o)}`)
          if (Either.isLeft(decision)) {
            refused++
            continue
          }
          applied++
          const next = clone(g)
          step.apply(next)
          for (const grantee of step.grantees) {
            for (const scope of SCOPES) {
              for (const p of POOL) {
                if (naiveHas(g, grantee, p, scope, NOW) || !naiveHas(next, grantee, p, scope, NOW)) continue
                gains++
                assert.isTrue(step.grants.some((x) => covers(x.scope, scope)), "a gain lies under a granted scope")
                assert.isTrue(
                  naiveHas(g, actor, p, scope, NOW) || (!Permissions.isCatalog(p) && naiveHas(g, actor, "roles.manage", scope, NOW)),
                  `${grantee} gained ${p} at ${scope} from ${actor}, who lacked it`
                )
              }
            }
          }
          g = next
        }
      }), { numRuns: 1000 })
      assert.isAbove(applied, 200, "some operations were allowed")
      assert.isAbove(refused, 200, "some operations were refused")
      assert.isAbove(gains, 200, "allowed operations gave something")
    })

    it("the delegation rule, restricted to catalog permissions, is DESIGN's exactly: actors hand out only what they hold", () => {
      fc.assert(fc.property(graph(), fc.nat(), fc.nat(), fc.constantFrom(...SCOPES), (g, a, r, scope) => {
        const actor = g.users[a % g.users.length]!.id
        const catalogOnly = g.roles[r % g.roles.length]!.permissions.filter(Permissions.isCatalog)
        const decision = Permissions.checkDelegation(naiveSubject(g, actor), [{ role: "r", permissions: catalogOnly, scope }], now)
        const holdsAll = naiveHas(g, actor, "roles.assign", scope, NOW) && catalogOnly.every((p) => naiveHas(g, actor, p, scope, NOW))
        assert.strictEqual(Either.isRight(decision), holdsAll)
      }), { numRuns: 1000 })
    })
  })
})
