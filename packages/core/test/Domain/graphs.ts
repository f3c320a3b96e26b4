import fc from "fast-check"
import type { DirectoryGraph } from "../../src/Domain/PermissionIndex.js"
import type { GrantPath, Subject } from "../../src/Domain/Permissions.js"
import type { Scope } from "../../src/Domain/Scope.js"

/** The fixed "now" of the generated graphs. */
export const NOW = Date.parse("2025-06-15T12:00:00.000Z")

/** Every scope a generated grant or check uses: two organizations, one app in each. */
export const SCOPES: ReadonlyArray<Scope> = ["provider", "org:a", "org:b", "app:a/x", "app:b/y"].map((text) => text as Scope)

/**
 * The permissions roles are drawn from: a few catalog ones (including the two delegation needs)
 * and two application permissions.
 */
export const POOL = [
  "users.read", "users.create", "users.suspend", "roles.assign", "roles.manage", "groups.members.manage",
  "audit.read", "expenses.approve", "reports.view"
] as const

type Mutable<A> = { -readonly [K in keyof A]: A[K] extends ReadonlyArray<infer B> ? Array<Mutable<B>> : A[K] }

/** A directory graph that the tests may change step by step. */
export type Graph = Mutable<DirectoryGraph>

const expiry = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.integer({ min: -120, max: 120 }).map((minutes) => new Date(NOW + minutes * 60_000).toISOString()) }
)

/** A random grant graph: users (active or not), roles over POOL, groups with members, grants at SCOPES. */
export const graph = (options: { readonly allActive?: boolean } = {}): fc.Arbitrary<Graph> =>
  fc.record({
    users: fc.integer({ min: 1, max: 6 }),
    roles: fc.integer({ min: 1, max: 5 }),
    groups: fc.integer({ min: 0, max: 3 })
  }).chain((size) => {
    const userIds = Array.from({ length: size.users }, (_, i) => `u${i}`)
    const roleIds = Array.from({ length: size.roles }, (_, i) => `r${i}`)
    const groupIds = Array.from({ length: size.groups }, (_, i) => `g${i}`)
    const principal = fc.oneof(
      fc.constantFrom(...userIds).map((id) => ({ type: "user" as const, id })),
      ...(groupIds.length > 0 ? [fc.constantFrom(...groupIds).map((id) => ({ type: "group" as const, id }))] : [])
    )
    return fc.record({
      users: fc.tuple(...userIds.map((id) =>
        (options.allActive === true ? fc.constant(true) : fc.boolean()).map((active) => ({ id, active }))
      )),
      roles: fc.tuple(...roleIds.map((id) =>
        fc.subarray([...POOL], { minLength: 1 }).map((permissions) => ({ id, name: `role-${id}`, permissions }))
      )),
      groups: groupIds.length === 0 ? fc.constant([]) : fc.tuple(...groupIds.map((id) =>
        fc.subarray(userIds).map((members) => ({ id, name: `a/${id}`, members }))
      )),
      grants: fc.array(
        fc.record({ principal, roleId: fc.constantFrom(...roleIds), scope: fc.constantFrom(...SCOPES), expiresAt: expiry }),
        { maxLength: 12 }
      ).map((grants) => grants.map((g, i) => ({ ...g, id: `grant${i}` })))
    })
  })

const parts = (scope: string): ReadonlyArray<string> =>
  scope === "provider" ? [] : scope.startsWith("org:") ? [scope.slice(4)] : scope.slice(4).split("/")

/** DESIGN §2 "a grant at a scope applies there and below", written from scratch: the outer path is a prefix. */
export const covers = (outer: string, inner: string): boolean => {
  const o = parts(outer)
  const i = parts(inner)
  return o.length <= i.length && o.every((part, k) => part === i[k])
}

/** The grants that apply to a user: its own and those of the groups it belongs to, unexpired, covering the scope. */
export const naiveGrants = (g: DirectoryGraph, userId: string, scope: string, now: number) => {
  const user = g.users.find((u) => u.id === userId)
  if (user === undefined || !user.active) return []
  const groups = new Set(g.groups.filter((gr) => gr.members.includes(userId)).map((gr) => gr.id))
  return g.grants.filter((grant) =>
    (grant.principal.type === "user" ? grant.principal.id === userId : groups.has(grant.principal.id)) &&
    (grant.expiresAt === null || Date.parse(grant.expiresAt) > now) &&
    covers(grant.scope, scope) &&
    g.roles.some((r) => r.id === grant.roleId)
  )
}

/** The naive resolver of DESIGN §2: the union of the permissions of the grants that apply. */
export const naivePermissions = (g: DirectoryGraph, userId: string, scope: string, now: number): ReadonlySet<string> =>
  new Set(naiveGrants(g, userId, scope, now).flatMap((grant) => g.roles.find((r) => r.id === grant.roleId)?.permissions ?? []))

/** Whether the naive resolver gives the permission. */
export const naiveHas = (g: DirectoryGraph, userId: string, permission: string, scope: string, now: number): boolean =>
  naivePermissions(g, userId, scope, now).has(permission)

/** A user's subject built straight from the graph (every path, expired or not, as the database loads it). */
export const naiveSubject = (g: DirectoryGraph, userId: string): Subject => {
  const role = (id: string) => g.roles.find((r) => r.id === id)
  const paths: Array<GrantPath> = []
  for (const grant of g.grants) {
    const r = role(grant.roleId)
    if (r === undefined) continue
    const group = grant.principal.type === "group" ? g.groups.find((gr) => gr.id === grant.principal.id) : undefined
    const applies = grant.principal.type === "user" ? grant.principal.id === userId : group?.members.includes(userId) === true
    if (applies) {
      paths.push({ grantId: grant.id, role: r.name, permissions: r.permissions, scope: grant.scope, expiresAt: grant.expiresAt, group: group?.name ?? null })
    }
  }
  return { userId, active: g.users.some((u) => u.id === userId && u.active), paths }
}
