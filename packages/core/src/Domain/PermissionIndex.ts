import type { GrantPath, Subject } from "./Permissions.js"
import * as Scope from "./Scope.js"

/** The whole grant graph of a directory as plain data. */
export interface DirectoryGraph {
  readonly users: ReadonlyArray<{ readonly id: string; readonly active: boolean }>
  readonly roles: ReadonlyArray<{ readonly id: string; readonly name: string; readonly permissions: ReadonlyArray<string> }>
  /** group id → its name and the ids of its members */
  readonly groups: ReadonlyArray<{ readonly id: string; readonly name: string; readonly members: ReadonlyArray<string> }>
  readonly grants: ReadonlyArray<{
    readonly id: string
    readonly principal: { readonly type: "user" | "group"; readonly id: string }
    readonly roleId: string
    readonly scope: Scope.Scope
    readonly expiresAt: string | null
  }>
}

interface Expiring {
  readonly permissions: ReadonlySet<string>
  readonly until: number
}

interface AtScope {
  readonly permanent: Set<string>
  readonly expiring: Array<Expiring>
}

/**
 * A resolver indexed for many checks: per user, per scope, the set of permissions granted there.
 * A check is at most three map look-ups (the scope, its organization, `provider`).
 */
export interface PermissionIndex {
  readonly check: (userId: string, permission: string, scope: Scope.Scope, now: number) => boolean
  readonly subject: (userId: string) => Subject
}

/** Builds the indexed resolver from a directory graph. */
export const build = (graph: DirectoryGraph): PermissionIndex => {
  const roles = new Map(graph.roles.map((r) => [r.id, r]))
  const active = new Map(graph.users.map((u) => [u.id, u.active]))
  const groupsOf = new Map<string, Array<{ id: string; name: string }>>()
  for (const group of graph.groups) {
    for (const member of group.members) {
      const list = groupsOf.get(member)
      if (list === undefined) groupsOf.set(member, [{ id: group.id, name: group.name }])
      else list.push({ id: group.id, name: group.name })
    }
  }
  const grantsOf = new Map<string, Array<DirectoryGraph["grants"][number]>>()
  for (const grant of graph.grants) {
    const key = `${grant.principal.type}:${grant.principal.id}`
    const list = grantsOf.get(key)
    if (list === undefined) grantsOf.set(key, [grant])
    else list.push(grant)
  }

  const pathsOf = (userId: string): Array<GrantPath> => {
    const paths: Array<GrantPath> = []
    const add = (grant: DirectoryGraph["grants"][number], group: string | null) => {
      const role = roles.get(grant.roleId)
      if (role === undefined) return
      paths.push({
        grantId: grant.id,
        role: role.name,
        permissions: role.permissions,
        scope: grant.scope,
        expiresAt: grant.expiresAt,
        group
      })
    }
    for (const grant of grantsOf.get(`user:${userId}`) ?? []) add(grant, null)
    for (const group of groupsOf.get(userId) ?? []) {
      for (const grant of grantsOf.get(`group:${group.id}`) ?? []) add(grant, group.name)
    }
    return paths
  }

  const byUser = new Map<string, Map<string, AtScope>>()
  for (const user of graph.users) {
    if (!user.active) continue
    const scopes = new Map<string, AtScope>()
    for (const path of pathsOf(user.id)) {
      let at = scopes.get(path.scope)
      if (at === undefined) {
        at = { permanent: new Set(), expiring: [] }
        scopes.set(path.scope, at)
      }
      if (path.expiresAt === null) for (const p of path.permissions) at.permanent.add(p)
      else at.expiring.push({ permissions: new Set(path.permissions), until: Date.parse(path.expiresAt) })
    }
    byUser.set(user.id, scopes)
  }

  const ancestorCache = new Map<string, ReadonlyArray<Scope.Scope>>()
  const ancestors = (scope: Scope.Scope) => {
    let list = ancestorCache.get(scope)
    if (list === undefined) {
      list = Scope.ancestors(scope)
      ancestorCache.set(scope, list)
    }
    return list
  }

  return {
    check: (userId, permission, scope, now) => {
      const scopes = byUser.get(userId)
      if (scopes === undefined) return false
      for (const s of ancestors(scope)) {
        const at = scopes.get(s)
        if (at === undefined) continue
        if (at.permanent.has(permission)) return true
        for (const e of at.expiring) if (e.until > now && e.permissions.has(permission)) return true
      }
      return false
    },
    subject: (userId) => ({ userId, active: active.get(userId) === true, paths: pathsOf(userId) })
  }
}
